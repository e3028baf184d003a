/**
 * One logged-in control connection and what was learned about the server:
 * features, the data-connection strategy that worked, the current TYPE. The
 * operation modules (transfer, listing, file-info, dir-ops) are functions
 * over a Session; the Client facade only queues calls to them.
 */
import createDebug from "debug";
import { FtpAbortError, FtpReplyError } from "../errors.js";
import type { ReplyChannel } from "../control/client-channel.js";
import type { SmallCalls } from "../io/small-calls.js";
import { redactCommand } from "../protocol/command-serializer.js";
import type { Reply } from "../protocol/types.js";
import type { ClientTlsState } from "./ftps.js";
import type { ResolvedClientOptions } from "./options.js";

/**
 * Typed here, not as `createDebug.Debugger`: this module's declarations are
 * public (ProgressInfo, TransferEvent), and a type from `debug` would make
 * every strict consumer install `@types/debug`, a dev dependency of ours.
 */
export const debug: { (formatter: string, ...args: unknown[]): void; readonly enabled: boolean } =
  createDebug("ftpwire:client");

export type PassiveStrategy = "epsv" | "pasv";
export type ActiveStrategy = "eprt" | "port";

export interface ProgressInfo {
  /** Remote path of the transfer. */
  readonly path: string;
  readonly direction: "upload" | "download" | "list";
  /** Bytes moved so far in this transfer (not counting a resume offset). */
  readonly bytes: number;
  /** Expected size when known. */
  readonly total?: number | undefined;
}

export interface TransferEvent {
  readonly phase: "start" | "end";
  readonly path: string;
  readonly direction: "upload" | "download" | "list";
  /** Bytes moved (0 at start). */
  readonly bytes: number;
  /** Set on "end" when the transfer failed or was aborted. */
  readonly error?: Error | undefined;
  /** On "end": how many times this transfer was resumed after an interruption (with `retry`); 0 when it ran in one go. */
  readonly resumes?: number | undefined;
}

/** What the session reports upwards; the Client turns these into its events. */
export interface SessionObserver {
  progress(info: ProgressInfo): void;
  transfer(event: TransferEvent): void;
  /** True when somebody listens for progress, so a download is worth a SIZE round trip for `total`. */
  wantsTotals(): boolean;
  /**
   * The client's own small local-file calls (the stat before an upload; open,
   * small writes and close of a download), on the event loop while they stay
   * fast: a slow disk under one client does not move another's calls.
   */
  readonly localFiles: SmallCalls;
}

export class Session {
  readonly channel: ReplyChannel;
  readonly options: ResolvedClientOptions;
  readonly observer: SessionObserver;
  /** FEAT lines as upper-cased name → parameters ("" when none), e.g. "MLST" → "type*;size*;modify*;". */
  features: ReadonlyMap<string, string> = new Map();
  passiveStrategy: PassiveStrategy | undefined;
  activeStrategy: ActiveStrategy | undefined;
  transferType: "I" | "A" | undefined;
  /** False once MLSD/MLST failed although FEAT offered it (some servers advertise what they refuse). */
  mlsdUsable = true;
  /** FTPS state once the control connection is TLS (undefined in clear text). */
  tls: ClientTlsState | undefined;
  /** Set while a transfer runs so `abort()` can reach it. */
  activeTransfer: { abort(reason: Error): void } | undefined;

  constructor(channel: ReplyChannel, options: ResolvedClientOptions, observer: SessionObserver) {
    this.channel = channel;
    this.options = options;
    this.observer = observer;
  }

  has(feature: string): boolean {
    // Callers pass upper-case names; the conversion is for the others.
    return this.features.has(feature) || this.features.has(feature.toUpperCase());
  }

  /** Sends a command; resolves with its final reply, rejects FtpReplyError for 4xx/5xx/6xx. */
  async command(verb: string, arg?: string): Promise<Reply> {
    const reply = await this.channel.request(verb, arg);
    if (reply.code >= 400) throw new FtpReplyError(reply, { command: redactCommand(verb, arg) });
    return reply;
  }

  /** Sends a command and returns its final reply whatever the code. */
  request(verb: string, arg?: string): Promise<Reply> {
    return this.channel.request(verb, arg);
  }

  /** Switches TYPE only when it differs from the current one. */
  async setType(type: "I" | "A"): Promise<void> {
    if (this.transferType === type) return;
    await this.command("TYPE", type);
    this.transferType = type;
  }
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortError(signal);
}

export function abortError(signal: AbortSignal | undefined): FtpAbortError {
  const reason: unknown = signal?.reason;
  if (reason instanceof FtpAbortError) return reason;
  return new FtpAbortError("Operation aborted", reason === undefined ? {} : { cause: reason });
}

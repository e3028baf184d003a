/**
 * Re-opening a lost control connection as the one before it was: the same
 * options (TLS mode, `tls` settings, data protection, HOST), the same login,
 * UTF-8 (openSession sends OPTS UTF8 ON again), then the remembered working
 * directory, TYPE and the passive/active strategy that had worked, so the
 * call that follows cannot tell the connection is new.
 */
import type { ReplyChannel } from "../control/client-channel.js";
import { FtpConnectionClosedError, FtpError } from "../errors.js";
import { openSession } from "./connect.js";
import type { ClientCredentials, ResolvedClientOptions } from "./options.js";
import type { ActiveStrategy, PassiveStrategy, Session, SessionObserver } from "./session.js";

/** What a session had learned or been told that a new one must repeat. */
export interface SessionMemory {
  /** Absolute working directory after the last successful CWD/CDUP (undefined: never changed, or unknown). */
  readonly cwd: string | undefined;
  readonly transferType: "I" | "A" | undefined;
  readonly passiveStrategy: PassiveStrategy | undefined;
  readonly activeStrategy: ActiveStrategy | undefined;
}

/** What to remember of `session` when it is lost (`cwd` is tracked by the Client, which sees every CWD). */
export function rememberSession(session: Session, cwd: string | undefined): SessionMemory {
  return {
    cwd,
    transferType: session.transferType,
    passiveStrategy: session.passiveStrategy,
    activeStrategy: session.activeStrategy,
  };
}

export interface ReopenHooks {
  onChannel(channel: ReplyChannel): void;
  signal: AbortSignal | undefined;
}

/** A fresh, logged-in session in the state `memory` describes. Rejects like openSession (the socket is closed then). */
export async function reopenSession(
  options: ResolvedClientOptions,
  credentials: ClientCredentials,
  observer: SessionObserver,
  hooks: ReopenHooks,
  memory: SessionMemory,
): Promise<Session> {
  const session = await openSession(options, credentials, observer, hooks);
  try {
    // After the `path` option's CWD (openSession): an absolute cwd overrides it, as the lost session's did.
    if (memory.cwd !== undefined) await session.command("CWD", memory.cwd);
    if (memory.transferType !== undefined) await session.setType(memory.transferType);
    // Strategies the old session settled on: no EPSV → PASV fallback round trip to learn it again.
    session.passiveStrategy = memory.passiveStrategy;
    session.activeStrategy = memory.activeStrategy;
    return session;
  } catch (error) {
    session.channel.close();
    throw error;
  }
}

/** What `reconnect` events carry. */
export interface ReconnectEvent {
  /** 1 for the first reconnect after a loss, 2 when that one failed too, … */
  readonly attempt: number;
  /** Why the connection is being re-opened: the loss, or the previous reconnect's failure. */
  readonly cause: FtpError;
  /** Milliseconds waited before this reconnect (0 when the next call found the connection lost). */
  readonly delay: number;
}

/** The Client's reconnect bookkeeping (used only with retry.attempts > 0). */
export class ReconnectState {
  /** Why the control connection was lost; set until a reconnect succeeds. */
  cause: FtpError | undefined;
  /** The lost session's state, restored on reconnect. */
  memory: SessionMemory | undefined;
  /** Absolute working directory after the last CWD/CDUP (the Client asks PWD after each). */
  cwd: string | undefined;
  /** The backoff the retry loop waited before the coming reconnect. */
  delayBefore = 0;
  #attempt = 0;

  get lost(): boolean {
    return this.cause !== undefined;
  }

  lose(session: Session, error: FtpError): void {
    this.memory = rememberSession(session, this.cwd);
    this.cause = error;
  }

  /** Counts the reconnect about to start and describes it. */
  nextAttempt(): ReconnectEvent {
    this.#attempt++;
    const event = { attempt: this.#attempt, cause: this.cause!, delay: this.delayBefore };
    this.delayBefore = 0;
    return event;
  }

  succeeded(): void {
    this.cause = undefined;
    this.#attempt = 0;
  }

  failed(error: unknown): void {
    this.cause = error instanceof FtpError ? error : new FtpConnectionClosedError("Reconnect failed", { cause: error });
  }
}

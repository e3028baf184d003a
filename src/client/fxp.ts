/**
 * Server-to-server transfer (FXP, RFC 959 §2.3 fig. 2): the client puts one
 * server in passive mode and gives its address to the other with PORT, then
 * sends STOR to the receiver before RETR to the sender, so the receiving
 * side is ready before the sending one starts. The bytes go straight from
 * server to server; this module only drives both control connections, with
 * Client's public command-level API and nothing inside Client.
 */
import { lookup } from "node:dns/promises";
import { FtpAbortError, FtpDataConnectionError, FtpError, FtpFxpError, FtpReplyError, FtpUnsupportedError, FtpVerifyError } from "../errors.js";
import { formatEprtArg, formatPortArg, parseEpsvReply, parsePasvReply } from "../protocol/host-port.js";
import type { HostPort, Reply } from "../protocol/types.js";
import type { Client } from "./client.js";
import { abortError, throwIfAborted } from "./session.js";

export type FxpMode = "auto" | "source-passive" | "target-passive";
export type FxpArrangement = Exclude<FxpMode, "auto">;

export interface FxpProgress {
  readonly sourcePath: string;
  readonly targetPath: string;
  /** Bytes moved so far: from the source's STAT replies during the transfer, then the target's SIZE at the end. */
  readonly bytes: number;
  /** The source file's size when SIZE told it. */
  readonly total?: number | undefined;
}

export interface FxpOptions {
  readonly signal?: AbortSignal | undefined;
  readonly onProgress?: ((info: FxpProgress) => void) | undefined;
  /**
   * Which server listens. "auto" (default) tries "target-passive" first
   * (what lftp does) and the other arrangement when the first is refused:
   * many servers refuse PORT to a foreign address but accept being passive.
   */
  readonly mode?: FxpMode | undefined;
  /** TYPE on both sides, default "I". */
  readonly type?: "I" | "A" | undefined;
  /**
   * While `onProgress` is set, STAT is sent to the source this often during
   * the transfer (default 1000 ms; 0 = never). Servers that answer it mid-transfer
   * (ftpwire, pyftpdlib) give progress; the others answer after the transfer.
   */
  readonly statusIntervalMs?: number | undefined;
  /** After the target's final reply, how long the source's may take before the source is declared broken (default 5000 ms). */
  readonly sourceFinishGraceMs?: number | undefined;
}

export interface FxpResult {
  /** Size of the target file after the transfer (SIZE), undefined when the target has no SIZE. */
  readonly bytes: number | undefined;
  /** The arrangement that worked. */
  readonly arrangement: FxpArrangement;
  readonly sourceReply: Reply;
  readonly targetReply: Reply;
}

/** Replies to PORT/EPRT or to the transfer command that mean "not with that address": the other arrangement may work. */
function refusedArrangement(error: unknown): boolean {
  return error instanceof FtpFxpError && error.replyCode !== undefined && [425, 500, 501, 502, 504, 522].includes(error.replyCode);
}

/** Copies `sourcePath` on `source`'s server to `targetPath` on `target`'s server, server to server. */
export async function fxp(source: Client, sourcePath: string, target: Client, targetPath: string, options: FxpOptions = {}): Promise<FxpResult> {
  throwIfAborted(options.signal);
  const unprotect = await protectData(source, target, options.signal);
  try {
    return await transfer(source, sourcePath, target, targetPath, options);
  } finally {
    await unprotect?.();
  }
}

async function transfer(source: Client, sourcePath: string, target: Client, targetPath: string, options: FxpOptions): Promise<FxpResult> {
  const total = await source.size(sourcePath, { signal: options.signal }).catch((error: unknown) => {
    if (options.signal?.aborted) throw abortError(options.signal);
    return error instanceof FtpReplyError ? undefined : Promise.reject(new FtpFxpError("source", error));
  });
  const order: FxpArrangement[] = options.mode === undefined || options.mode === "auto" ? ["target-passive", "source-passive"] : [options.mode];
  let lastError: unknown;
  for (const arrangement of order) {
    try {
      const { sourceReply, targetReply } = await attempt(source, sourcePath, target, targetPath, arrangement, options, total);
      const bytes = await target.size(targetPath, { signal: options.signal }).catch((error: unknown) => {
        if (error instanceof FtpReplyError) return undefined;
        throw new FtpFxpError("target", error);
      });
      if (bytes !== undefined && total !== undefined && bytes !== total) {
        throw new FtpFxpError("target", new FtpVerifyError(`${targetPath} holds ${bytes} bytes, the source file ${total}`));
      }
      if (bytes !== undefined) options.onProgress?.({ sourcePath, targetPath, bytes, total });
      return { bytes, arrangement, sourceReply, targetReply };
    } catch (error) {
      lastError = error;
      if (options.signal?.aborted || !refusedArrangement(error)) throw error;
    }
  }
  throw lastError;
}

/**
 * PROT P: the data connection is TLS between the two servers, so one must
 * be its TLS client. `SSCN ON` (RFC-less, but glftpd's and proftpd's
 * mod_tls's) makes a server that; the other stays the TLS server, as with
 * any client. Returns the clean-up (`SSCN OFF`, so the client's own later
 * transfers find the server as TLS server again), or undefined in clear.
 */
async function protectData(source: Client, target: Client, signal: AbortSignal | undefined): Promise<(() => Promise<void>) | undefined> {
  const sides = [["source", source], ["target", target]] as const;
  const privateSides = sides.filter(([, client]) => client.tlsInfo()?.dataProtection === "private");
  if (privateSides.length === 0) return undefined;
  if (privateSides.length === 1) {
    throw new FtpUnsupportedError(
      "PROT P on both sides",
      `FXP needs the same data protection on both servers; only the ${privateSides[0]![0]} uses PROT P (set dataProtection alike on both clients)`,
    );
  }
  const withSscn = sides.find(([, client]) => client.features().has("SSCN"));
  if (!withSscn) {
    const cpsv = sides.some(([, client]) => client.features().has("CPSV"));
    throw new FtpUnsupportedError(
      "SSCN",
      cpsv
        ? "FXP with PROT P needs one server to be the data connection's TLS client: it offers only CPSV, which ftpwire does not drive; use dataProtection: \"clear\" on both clients"
        : "FXP with PROT P needs one server to be the data connection's TLS client (SSCN or CPSV), and neither server offers them; use dataProtection: \"clear\" on both clients",
    );
  }
  const [side, client] = withSscn;
  try {
    await client.send("SSCN ON", { signal });
  } catch (error) {
    throw wrap(side, error, signal);
  }
  return async () => {
    if (client.connected) await client.send("SSCN OFF", { allowFailure: true }).catch(() => {});
  };
}

async function attempt(
  source: Client, sourcePath: string, target: Client, targetPath: string, arrangement: FxpArrangement, options: FxpOptions, total: number | undefined,
): Promise<{ sourceReply: Reply; targetReply: Reply }> {
  const [passive, active] = arrangement === "source-passive" ? [source, target] as const : [target, source] as const;
  const passiveSide = arrangement === "source-passive" ? "source" : "target";
  const activeSide = passiveSide === "source" ? "target" : "source";
  const address = await openPassive(passive, passiveSide, options.signal);
  try {
    await active.send(address.family === 4 ? `PORT ${formatPortArg(address)}` : `EPRT ${formatEprtArg(address)}`, { signal: options.signal });
  } catch (error) {
    await abortIdle(passive);
    throw wrap(activeSide, error, options.signal);
  }
  return runBoth(source, sourcePath, target, targetPath, arrangement, options, total);
}

/** PASV (IPv4), else EPSV with the passive server's own address: the other server connects there. */
async function openPassive(client: Client, side: "source" | "target", signal: AbortSignal | undefined): Promise<HostPort & { family: 4 | 6 }> {
  try {
    const pasv = await client.send("PASV", { signal, allowFailure: true });
    if (pasv.code === 227) return { ...parsePasvReply(pasv.message), family: 4 };
    const epsv = await client.send("EPSV", { signal });
    const port = parseEpsvReply(epsv.message);
    const { address, family } = await lookup(client.options.host);
    return { host: address, port, family: family === 6 ? 6 : 4 };
  } catch (error) {
    throw wrap(side, error, signal);
  }
}

/**
 * STOR to the receiver, then RETR to the sender; both final replies. Any
 * failure ABORs both. An active target connects on STOR and then sends its
 * 1xx, which RETR waits for (the source must have its connection before it
 * is told to send). A passive target is not waited for: vsftpd, pure-ftpd
 * and proftpd send the 1xx only once the connection came, and it comes from
 * the source only after RETR.
 */
async function runBoth(
  source: Client, sourcePath: string, target: Client, targetPath: string, arrangement: FxpArrangement, options: FxpOptions, total: number | undefined,
): Promise<{ sourceReply: Reply; targetReply: Reply }> {
  const { signal, type } = options;
  let targetStarted!: () => void;
  const targetReady = new Promise<void>((resolve) => {
    targetStarted = resolve;
  });
  const targetDone = target.sendTransferCommand(`STOR ${targetPath}`, { type, onPreliminary: () => targetStarted() });
  targetDone.catch(() => {});
  let sourceDone: Promise<Reply> | undefined;
  const stop = new AbortController();
  const onAbort = () => stop.abort(abortError(signal));
  signal?.addEventListener("abort", onAbort, { once: true });
  const stopped = new Promise<never>((_, reject) => stop.signal.addEventListener("abort", () => reject(stop.signal.reason as Error), { once: true }));
  stopped.catch(() => {});
  try {
    // The target's final reply before its 1xx means it refused (or had nothing to wait for).
    const targetAnswered = arrangement === "source-passive" ? targetReady : Promise.resolve();
    await Promise.race([targetAnswered, targetDone.then(() => {}, (error: unknown) => Promise.reject(wrap("target", error, signal))), stopped]);
    const intervalMs = options.statusIntervalMs ?? DEFAULT_STATUS_INTERVAL_MS;
    const onStatus = (reply: Reply) => {
      const bytes = bytesFromStatus(reply);
      if (bytes !== undefined) options.onProgress?.({ sourcePath, targetPath, bytes, total });
    };
    sourceDone = source.sendTransferCommand(`RETR ${sourcePath}`, { type, ...(options.onProgress ? { status: { intervalMs, onStatus } } : {}) });
    sourceDone.catch(() => {});
    const sourceFinished = sourceDone.then(() => {}, () => {});
    const [targetReply, sourceReply] = await Promise.race([
      Promise.all([
        targetDone.then(
          (reply) => sourceFollows(sourceFinished, options.sourceFinishGraceMs ?? DEFAULT_SOURCE_FINISH_GRACE_MS).then(() => reply),
          (error: unknown) => Promise.reject(wrap("target", error, signal)),
        ),
        sourceDone.catch((error: unknown) => Promise.reject(wrap("source", error, signal))),
      ]),
      stopped,
    ]);
    return { sourceReply, targetReply };
  } catch (error) {
    // ABOR whichever side is still busy (Client.abort() waits until it is back in step), a plain ABOR to an idle one.
    await Promise.all([
      settleSide(target, targetDone),
      sourceDone ? settleSide(source, sourceDone) : abortIdle(source),
    ]);
    throw error instanceof FtpFxpError || error instanceof FtpAbortError ? error : wrap("target", error, signal);
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
}

export const DEFAULT_SOURCE_FINISH_GRACE_MS = 5000;
export const DEFAULT_STATUS_INTERVAL_MS = 1000;

/**
 * Bytes sent so far, from a STAT reply during a transfer. There is no
 * standard text; seen: ftpwire "4194304 bytes transferred", pyftpdlib
 * "Total bytes sent: 2949120".
 */
export function bytesFromStatus(reply: Reply): number | undefined {
  const text = reply.lines.join("\n");
  const match = /bytes sent:\s*(\d+)/i.exec(text) ?? /(\d+) bytes (?:transferred|sent)/i.exec(text);
  return match ? Number(match[1]) : undefined;
}

/**
 * The target's final reply means its data connection ended, which a sender
 * does only after its last byte, so the source's final reply must follow.
 * When it does not, the source never sent: a passive source that refuses
 * foreign addresses (RFC 2577) accepts and closes the target's connection,
 * the target reports an empty upload as complete, and the source waits for
 * a connection that never comes.
 */
async function sourceFollows(sourceFinished: Promise<void>, graceMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const finished = await Promise.race([
    sourceFinished.then(() => true),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), graceMs);
    }),
  ]).finally(() => clearTimeout(timer));
  if (!finished) {
    throw new FtpFxpError("source", new FtpDataConnectionError(
      `the target's data connection ended but the source did not finish within ${graceMs} ms: the source server probably closed the target's connection (does it refuse foreign addresses?); the target file may be incomplete`,
    ));
  }
}

/** Ends a side's transfer command: ABOR while it runs, nothing once it answered. */
async function settleSide(client: Client, done: Promise<Reply>): Promise<void> {
  // abort() does nothing once the command has its final reply.
  await client.abort().catch(() => {});
  await done.catch(() => {});
}

/** A side with PASV/PORT set up but no transfer command: ABOR releases its listener. */
async function abortIdle(client: Client): Promise<void> {
  if (!client.connected) return;
  await client.send("ABOR", { allowFailure: true }).catch(() => {});
}

function wrap(side: "source" | "target", error: unknown, signal: AbortSignal | undefined): FtpError {
  if (error instanceof FtpFxpError) return error;
  if (signal?.aborted) return error instanceof FtpAbortError ? error : abortError(signal);
  return new FtpFxpError(side, error);
}

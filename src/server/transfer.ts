/**
 * The transfer lifecycle of a session (RETR, STOR, APPE, STOU, LIST, NLST,
 * MLSD): start in the background, wait for the data connection, pump bytes
 * between storage and the data socket, give the final reply and emit the
 * upload/download event. The session decides *when* a transfer runs (its
 * command queue); this module decides *how*.
 *
 * The final reply depends on which side failed first: the network (426),
 * storage (its own code, e.g. 452) or a MODE/STRU codec refusing the data —
 * the other sides then fail too, with the same error, so the first error
 * event decides.
 */
import { Socket } from "node:net";
import type { Readable, Transform, Writable } from "node:stream";
import { TLSSocket } from "node:tls";
import { pipeline } from "node:stream/promises";
import createDebug from "debug";
import { FtpTimeoutError, FtpTlsError } from "../errors.js";
import { SEND_TO_SOCKET, sendsToSocket } from "../io/send-to-socket.js";
import { discard, guardErrors, openUnlessAborted } from "../io/stream-errors.js";
import { bytesOf, closeDataSocket, DataTlsReuseError, type DataSocket, type ServerDataChannel } from "./data-channel.js";
import { watchDataInactivity } from "./data-watchdog.js";
import { codecFailureReply, transferStages, type CodecSession } from "./transfer-codecs.js";
import type { FtpServerEvents, FtpSession } from "./types.js";

const debug = createDebug("ftpwire:server");

export interface ActiveTransfer {
  readonly verb: string;
  readonly path: string;
  readonly controller: AbortController;
  readonly startedAt: number;
  /** Why it was cut short, once it was. */
  aborted: "abor" | "closed" | "shutdown" | undefined;
  socket: DataSocket | undefined;
  /** Run right after the transfer's final reply (ABOR's 226, QUIT's 221), before queued commands. */
  readonly after: Array<() => void>;
  done: Promise<void>;
}

/** Storage opened once the data connection exists (uploads: nothing is created for a transfer that never connects). */
export type LazyTarget = () => Promise<Writable>;

export interface PumpResult {
  readonly ok: boolean;
  readonly bytes: number;
}

/** What a transfer needs of its session (the Session class satisfies it). */
export interface TransferSession extends CodecSession {
  readonly id: number;
  readonly dataChannel: ServerDataChannel;
  /** The data connection's inactivity timeout (`timeouts.data`). */
  readonly dataTimeoutMs: number;
  /** What events carry (the read-only façade). */
  readonly view: FtpSession;
  /** A storage failure's reply; `afterPreliminary` once 150 went out (550 is then 451, RFC 959). */
  replyStorageError(error: unknown, afterPreliminary?: boolean): void;
  emit<E extends keyof FtpServerEvents>(event: E, ...args: Parameters<FtpServerEvents[E]>): boolean;
}

const ABORTED_TEXT = "Connection closed; transfer aborted";

/**
 * Starts `body` as a transfer in the background. Once it is over (final
 * reply sent): the data setup is dropped, `ended.cleared` runs (the session
 * forgets the transfer), the transfer's `after` hooks run, then
 * `ended.resume` (the session goes on with queued commands).
 */
export function startTransfer(
  session: TransferSession,
  verb: string,
  path: string,
  body: (transfer: ActiveTransfer) => Promise<void>,
  ended: { readonly cleared: () => void; readonly resume: () => void },
): ActiveTransfer {
  const transfer: ActiveTransfer = {
    verb,
    path,
    controller: new AbortController(),
    startedAt: Date.now(),
    aborted: undefined,
    socket: undefined,
    after: [],
    done: Promise.resolve(),
  };
  transfer.done = (async () => {
    try {
      await body(transfer);
    } catch (error) {
      session.replyStorageError(error);
    } finally {
      ended.cleared();
      session.dataChannel.close();
      for (const run of transfer.after) run();
      ended.resume();
    }
  })();
  return transfer;
}

/**
 * One transfer: stream.pipeline between storage and the data socket, no
 * copies on the way. `target` is the storage side: a source to send, a
 * writer to receive into, or a function that opens the writer once the
 * data connection exists.
 */
export async function pump(
  session: TransferSession,
  transfer: ActiveTransfer,
  direction: "send" | "receive",
  target: Readable | Writable | LazyTarget,
  opening: string,
  transform: Transform | undefined,
): Promise<PumpResult> {
  let failure: { side: "network" | "storage" | "codec"; error: unknown } | undefined;
  // A source handed in already open waits for the data connection: it is guarded from now on.
  if (typeof target !== "function") guardErrors(target);
  const socket = await openData(session, transfer, opening);
  if (!socket) {
    if (typeof target !== "function") discard(target);
    return { ok: false, bytes: 0 };
  }
  const storage = await openStorage(session, transfer, target, socket);
  if (!storage) return { ok: false, bytes: 0 };
  // The data connection may already have failed while storage was opening.
  const early = guardErrors(socket).error;
  if (early !== undefined) failure = { side: "network", error: early };
  storage.on("error", (error) => (failure ??= { side: "storage", error }));
  socket.on("error", (error) => (failure ??= { side: "network", error }));
  // MODE/STRU codecs around the TYPE A conversion (transfer-codecs.ts); a codec refusing the data decides the reply.
  const middle = transferStages(session, transfer.verb, direction, transform);
  for (const stage of middle) stage.on("error", (error) => (failure ??= { side: "codec", error }));
  const streams = direction === "send" ? [storage, ...middle, socket] : [socket, ...middle, storage];
  let ok = false;
  try {
    // Untransformed bytes to a plain socket: the storage stream's own fast path, when it offers one (io/send-to-socket.ts).
    if (streams.length === 2 && direction === "send" && sendsToSocket(storage) && socket instanceof Socket && !(socket instanceof TLSSocket)) {
      await storage[SEND_TO_SOCKET](socket, transfer.controller.signal);
    } else {
      await pipeline(streams as [Readable, ...Writable[]], { signal: transfer.controller.signal });
    }
    ok = true;
  } catch (error) {
    debug("session %d: %s failed: %s", session.id, transfer.verb, (error as Error).message);
    discard(storage, error as Error);
  } finally {
    closeDataSocket(socket, ok);
  }
  const bytes = bytesOf(socket, direction === "send" ? "written" : "read");
  if (ok && !transfer.aborted) session.reply(226, "Transfer complete");
  else if (!transfer.aborted && failure?.side === "storage") session.replyStorageError(failure.error, true);
  else if (!transfer.aborted && failure?.side === "codec") {
    const { code, text } = codecFailureReply(failure.error, direction);
    session.reply(code, text);
  } else session.reply(426, ABORTED_TEXT);
  return { ok: ok && !transfer.aborted, bytes };
}

/**
 * The storage stream of a transfer; a lazy target is opened now that the
 * data connection exists. An abort (ABOR, a closed control connection,
 * shutdown) does not wait for a slow storage call: the transfer ends at
 * once and a writer that arrives later is discarded.
 */
async function openStorage(
  session: TransferSession,
  transfer: ActiveTransfer,
  target: Readable | Writable | LazyTarget,
  socket: DataSocket,
): Promise<Readable | Writable | undefined> {
  if (typeof target !== "function") return target;
  try {
    const storage = await openUnlessAborted(target(), transfer.controller.signal);
    if (storage) return storage;
    session.reply(426, ABORTED_TEXT);
  } catch (error) {
    // After 150 a storage refusal is a failed transfer.
    session.replyStorageError(error, true);
  }
  discard(socket);
  return undefined;
}

async function openData(session: TransferSession, transfer: ActiveTransfer, opening: string): Promise<DataSocket | undefined> {
  if (transfer.controller.signal.aborted) {
    // ABOR arrived while storage was still being opened: no 150 for a transfer that will not run.
    session.reply(426, ABORTED_TEXT);
    return undefined;
  }
  session.reply(150, opening);
  let socket: DataSocket;
  try {
    socket = await session.dataChannel.open(transfer.controller.signal);
  } catch (error) {
    debug("session %d: data connection failed: %s", session.id, (error as Error).message);
    if (transfer.aborted) session.reply(426, ABORTED_TEXT);
    else if (error instanceof DataTlsReuseError) session.reply(522, "TLS session reuse required: the data connection must resume the control connection's session");
    else if (error instanceof FtpTlsError) session.reply(425, "Can't open data connection: TLS handshake failed");
    else session.reply(425, "Can't open data connection");
    return undefined;
  }
  // From here on the socket may fail (reset, timeout) while storage is still being opened.
  guardErrors(socket);
  transfer.socket = socket;
  if (transfer.controller.signal.aborted) {
    discard(socket);
    session.reply(426, ABORTED_TEXT);
    return undefined;
  }
  // Inactivity on the data connection ends the transfer (426).
  const timeoutMs = session.dataTimeoutMs;
  watchDataInactivity(socket, timeoutMs, () => socket.destroy(new FtpTimeoutError(`No data for ${timeoutMs} ms`)));
  return socket;
}

/** Emits upload/download with the outcome. */
export function emitTransfer(
  session: TransferSession,
  kind: "upload" | "download",
  transfer: ActiveTransfer,
  result: PumpResult,
  path = transfer.path,
): void {
  session.emit(kind, {
    session: session.view,
    path,
    bytes: result.bytes,
    durationMs: Date.now() - transfer.startedAt,
    aborted: !result.ok || transfer.aborted !== undefined,
  });
}

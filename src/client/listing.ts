/**
 * Directory listings: MLSD when the server offers MLST (RFC 3659, exact
 * machine-readable facts), else LIST with Unix/DOS format detection. A
 * server that advertises MLST but refuses MLSD is remembered and gets LIST.
 * `listIter` parses while the listing streams, so a huge directory never has
 * to fit in memory.
 */
import type { Socket } from "node:net";
import { finished } from "node:stream";
import { FtpInvalidOptionError, FtpListingTooLargeError, FtpReplyError } from "../errors.js";
import { ListingParser } from "../protocol/listing/index.js";
import { isCommandNotSupported } from "../protocol/reply-codes.js";
import type { FileInfo } from "../protocol/types.js";
import { openReadStream } from "./file-transfers.js";
import { runTransfer } from "./transfer.js";
import type { Session } from "./session.js";

export interface ListOptions {
  signal?: AbortSignal;
  /** "auto" (default): MLSD when offered, else LIST. Force one with "MLSD" or "LIST". */
  method?: "auto" | "MLSD" | "LIST";
  /**
   * `list()` only: most entries to collect ("." and ".." not counted);
   * more reject with FtpListingTooLargeError and the transfer is aborted.
   * `Infinity` for none. Default: the client's `limits.maxListEntries`
   * (200 000). `listIter()` streams without a cap.
   */
  maxEntries?: number;
}

function entryCap(session: Session, options: ListOptions): number {
  const cap = options.maxEntries ?? session.options.limits.maxListEntries;
  if (cap !== Infinity && (!Number.isSafeInteger(cap) || cap < 1)) {
    throw new FtpInvalidOptionError(`maxEntries must be a whole number of at least 1 (or Infinity), got ${String(cap)}`);
  }
  return cap;
}

function useMlsd(session: Session, options: ListOptions = {}): boolean {
  if (options.method === "MLSD") return true;
  if (options.method === "LIST") return false;
  return session.mlsdUsable && session.has("MLST");
}

/** MLSD refused although advertised: LIST is worth trying. */
function mlsdRefused(error: unknown): boolean {
  return error instanceof FtpReplyError && isCommandNotSupported(error.replyCode);
}

export async function list(session: Session, path: string | undefined, options: ListOptions = {}): Promise<FileInfo[]> {
  entryCap(session, options);
  if (useMlsd(session, options)) {
    try {
      return await listWith(session, "MLSD", path, options);
    } catch (error) {
      if (!mlsdRefused(error) || options.method === "MLSD") throw error;
      session.mlsdUsable = false;
    }
  }
  return listWith(session, "LIST", path, options);
}

async function listWith(session: Session, verb: "MLSD" | "LIST", path: string | undefined, options: ListOptions): Promise<FileInfo[]> {
  const parser = new ListingParser({ format: verb === "MLSD" ? "mlsd" : "list", encoding: session.channel.encoding });
  const entries: FileInfo[] = [];
  const cap = entryCap(session, options);
  const keep = (found: FileInfo[]) => {
    for (const entry of found) entries.push(entry);
    // Checked per chunk: at most one chunk's entries past the cap are ever held.
    if (entries.length > cap) throw new FtpListingTooLargeError(cap, { command: `${verb} ${path ?? ""}`.trim() });
  };
  await runTransfer(session, {
    verb, arg: path ?? "", path: path ?? ".", direction: "list", signal: options.signal,
    pump: (socket, counter) =>
      collect(socket, (chunk) => {
        counter.count(chunk.length);
        keep(parser.push(chunk));
      }, () => keep(parser.end())),
  });
  return entries;
}

/**
 * Reads the data socket to its end, handing every chunk to `onChunk` and
 * calling `onEnd` after the last: what `pipeline(socket, counter, sink)`
 * did, without a Transform hop, a Writable and the pipeline's own
 * AbortController for every listing (the entries are kept in memory
 * anyway, so there is no backpressure to keep). Rejects on a socket error,
 * a close before the end (ERR_STREAM_PREMATURE_CLOSE) or a parse error,
 * which also destroys the socket.
 */
function collect(socket: Socket, onChunk: (chunk: Buffer) => void, onEnd: () => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      stop();
      socket.off("data", onData);
      if (!socket.destroyed) socket.destroy(error instanceof Error ? error : undefined);
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      try {
        onChunk(chunk);
      } catch (error) {
        fail(error);
      }
    };
    const stop = finished(socket, { readable: true, writable: false }, (error) => {
      if (error) return fail(error);
      if (settled) return;
      try {
        onEnd();
      } catch (failure) {
        return fail(failure);
      }
      settled = true;
      stop();
      socket.off("data", onData);
      resolve();
    });
    socket.on("data", onData);
    // An accepted active-mode socket starts explicitly paused (pauseOnConnect): "data" alone would not start it.
    socket.resume();
  });
}

/**
 * Streams entries as they are parsed. Must run inside the operation queue:
 * the returned iterator holds the session until it is exhausted or closed
 * (`break` aborts the listing with ABOR).
 */
export async function* listIter(session: Session, path: string | undefined, options: ListOptions = {}): AsyncGenerator<FileInfo, void, undefined> {
  let verb: "MLSD" | "LIST" = useMlsd(session, options) ? "MLSD" : "LIST";
  for (let attempt = 0; attempt < 2; attempt++) {
    const transfer = openReadStream(session, path ?? ".", { verb, arg: path ?? "", direction: "list", signal: options.signal });
    try {
      await transfer.ready;
    } catch (error) {
      await transfer.done;
      if (verb === "MLSD" && mlsdRefused(error) && options.method !== "MLSD") {
        session.mlsdUsable = false;
        verb = "LIST";
        continue;
      }
      throw error;
    }
    const parser = new ListingParser({ format: verb === "MLSD" ? "mlsd" : "list", encoding: session.channel.encoding });
    let complete = false;
    try {
      for await (const chunk of transfer.stream) {
        yield* parser.push(chunk as Buffer);
      }
      yield* parser.end();
      complete = true;
    } finally {
      if (!complete) transfer.stream.destroy();
      await transfer.done;
    }
    return;
  }
}

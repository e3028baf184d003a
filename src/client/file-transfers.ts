/**
 * Uploads and downloads over `runTransfer`: sources and destinations that are
 * local paths, Buffers or streams; resume (REST, or APPE when REST STREAM is
 * not offered); TYPE A with line-ending conversion on request; and the stream
 * forms storage adapters use (createReadStream / createWriteStream), whose
 * streams end only after the server confirmed the transfer.
 */
import { createReadStream as fsCreateReadStream } from "node:fs";
import { readFile as fsReadFile, stat as fsStat } from "node:fs/promises";
import type { Socket } from "node:net";
import { PassThrough, Readable, Writable, type Transform } from "node:stream";
import { finished, pipeline } from "node:stream/promises";
import { FtpAbortError, FtpInvalidArgumentError } from "../errors.js";
import { createCrlfToLf, createLfToCrlf } from "../data/ascii-transform.js";
import type { ByteCounter } from "../data/byte-counter.js";
import { openFileWriter } from "../io/file-writer.js";
import { locally } from "./local-failure.js";
import { runTransfer, type TransferResult, type TransferSpec } from "./transfer.js";
import { abortError, type ProgressInfo, type Session } from "./session.js";

/** Chunk size for local files: large reads/writes keep syscalls off the profile. */
export const FILE_HIGH_WATER_MARK = 1 << 20;

export type TransferType = "binary" | "ascii";

export interface UploadOptions {
  /** Append to the remote file (APPE) instead of replacing it. */
  append?: boolean;
  /**
   * Byte offset to write at (REST + STOR). A local path or Buffer source is
   * read from the same offset; a Readable must already start there.
   */
  start?: number;
  /** Ask the server how much it has (SIZE) and send only the rest. Local path and Buffer sources only. */
  resume?: boolean;
  /** "ascii" sends TYPE A and converts LF to CRLF. Default "binary". */
  type?: TransferType;
  onProgress?: (info: ProgressInfo) => void;
  signal?: AbortSignal;
}

export interface DownloadOptions {
  /**
   * Fetch the file in this many byte ranges at once, over as many extra
   * connections (a local path destination, binary, whole file; see
   * segmented-download.ts). Falls back to one stream, with a note in the
   * result, when the server cannot or will not. Default 1.
   */
  segments?: number;
  /** Byte offset to start at (REST). A local destination file is written from the same offset. */
  start?: number;
  /** Continue a partial local file: start at its current size. Local path destinations only. */
  resume?: boolean;
  /** "ascii" sends TYPE A and converts CRLF to LF. Default "binary". */
  type?: TransferType;
  onProgress?: (info: ProgressInfo) => void;
  signal?: AbortSignal;
}

export type UploadSource = string | Buffer | Uint8Array | Readable;
export type DownloadDestination = string | Writable;

/** What `upload()` resolves with: the server's final reply and the bytes sent (a resume offset not counted). */
export type UploadResult = TransferResult;
/**
 * What `download()` resolves with: the server's final reply and the bytes
 * received (a resume offset not counted); with `segments`, also how many
 * segments were used and notes (a fallback to one stream, how it was checked).
 */
export type DownloadResult = TransferResult & {
  readonly segments?: number | undefined;
  readonly notes?: readonly string[] | undefined;
};

/** Options of `createReadStream()`. */
export interface ReadStreamOptions {
  /** Byte offset to start at (REST). */
  start?: number;
  signal?: AbortSignal;
}

/** Options of `createWriteStream()`. */
export interface WriteStreamOptions {
  /** Byte offset to write at (REST + STOR). */
  start?: number;
  /** Append (APPE) instead of replacing. */
  append?: boolean;
  signal?: AbortSignal;
}

function checkOffset(start: number | undefined): number {
  if (start === undefined) return 0;
  if (!Number.isSafeInteger(start) || start < 0) throw new FtpInvalidArgumentError(`start must be a non-negative integer, got ${String(start)}`);
  return start;
}

/** SIZE in TYPE I, or undefined when the server cannot say (no file, no SIZE). */
export async function remoteSize(session: Session, path: string): Promise<number | undefined> {
  await session.setType("I");
  const reply = await session.request("SIZE", path);
  if (reply.code !== 213) return undefined;
  const size = Number.parseInt(reply.message.trim(), 10);
  return Number.isSafeInteger(size) && size >= 0 ? size : undefined;
}

function restSteps(start: number): TransferSpec["before"] {
  return start > 0 ? [{ verb: "REST", arg: String(start), expect: 350 }] : [];
}

/** What the Client's resume logic adds to one attempt of a transfer (see resume.ts). */
export interface AttemptInfo {
  /** Resumes before this attempt, for the transfer events and the result. */
  readonly resumes?: number;
}

export async function upload(session: Session, source: UploadSource, remotePath: string, options: UploadOptions = {}, attempt: AttemptInfo = {}): Promise<TransferResult> {
  let start = checkOffset(options.start);
  let verb = options.append ? "APPE" : "STOR";
  let localSize: number | undefined;
  if (typeof source === "string") localSize = (await locally(() => session.observer.localFiles.stat(source), `Cannot read ${source}`, source)).size;
  else if (source instanceof Uint8Array) localSize = source.byteLength;
  if (options.resume) {
    if (localSize === undefined) throw new FtpInvalidArgumentError("resume needs a local path or Buffer source");
    start = (await remoteSize(session, remotePath)) ?? 0;
    if (start > localSize) start = 0; // the remote file is not a prefix of ours: replace it
  }
  // Without REST STREAM, "REST n + STOR" is not reliable: APPE continues at the end instead.
  let before = restSteps(start);
  if (start > 0 && options.resume && !session.has("REST")) {
    verb = "APPE";
    before = [];
  }
  if (start > 0 && verb === "APPE") before = [];
  if (options.resume && localSize !== undefined && start === localSize && start > 0) {
    return { reply: { code: 226, lines: ["Nothing to resume: the remote file is complete"], message: "Nothing to resume: the remote file is complete" }, bytes: 0, resumes: attempt.resumes ?? 0 };
  }
  const ascii = options.type === "ascii";
  // A small local file is read while the commands go out (TYPE, EPSV, STOR):
  // its open/read/close then costs no time once the server said 150.
  const early = typeof source === "string" && localSize !== undefined && localSize <= PREREAD_MAX_BYTES
    ? fsReadFile(source)
    : undefined;
  // Errors of the source (a local file, the caller's stream) are the local side's, not the data connection's.
  const sourceErrors = new WeakSet<object>();
  // A failure is reported by the pump (or not at all when STOR is refused).
  early?.catch((error: unknown) => {
    if (typeof error === "object" && error !== null) sourceErrors.add(error);
  });
  await session.setType(ascii ? "A" : "I");
  const total = localSize === undefined ? undefined : localSize - start;
  return runTransfer(session, {
    verb, arg: remotePath, path: remotePath, direction: "upload", total, signal: options.signal, onProgress: options.onProgress, before,
    local: {
      is: (error) => typeof error === "object" && error !== null && sourceErrors.has(error),
      what: typeof source === "string" ? `Cannot read ${source}` : "The upload's source stream failed",
      path: typeof source === "string" ? source : undefined,
    },
    resumes: attempt.resumes,
    pump: async (socket, counter) => {
      if (early && !ascii) {
        // A pre-read file leaves in one write: no Readable, Transform or pipeline to set up per file.
        const body = (await early).subarray(start);
        socket.end(body);
        counter.count(body.length);
        return finished(socket, { readable: false });
      }
      const readable = early
        ? Readable.from(slices(await early, start), { objectMode: false })
        : typeof source === "string"
        ? fsCreateReadStream(source, { start, highWaterMark: readChunkFor(localSize, start) })
        : source instanceof Uint8Array
          ? Readable.from(slices(source, start), { objectMode: false })
          : source;
      readable.once("error", (error: Error) => sourceErrors.add(error));
      const stages: (Readable | Transform)[] = [readable];
      if (ascii) stages.push(createLfToCrlf());
      await pipeline([...stages, counter, socket]);
    },
  });
}

export async function download(
  session: Session, remotePath: string, destination: DownloadDestination, options: DownloadOptions = {}, attempt: AttemptInfo = {},
): Promise<TransferResult> {
  let start = checkOffset(options.start);
  if (options.resume) {
    if (typeof destination !== "string") throw new FtpInvalidArgumentError("resume needs a local path destination");
    start = await fsStat(destination).then((s) => s.size, () => 0);
  }
  const ascii = options.type === "ascii";
  const size = session.observer.wantsTotals() || options.onProgress ? await remoteSize(session, remotePath) : undefined;
  if (options.resume && size !== undefined && start >= size) {
    return { reply: { code: 226, lines: ["Nothing to resume: the local file is complete"], message: "Nothing to resume: the local file is complete" }, bytes: 0, resumes: attempt.resumes ?? 0 };
  }
  await session.setType(ascii ? "A" : "I");
  // Errors of the destination (a full disk, a failing stream) are the caller's, not the data connection's.
  const destinationErrors = new WeakSet<object>();
  // pipeline() destroys the destination with the socket's own error (a reset): that one stays the data connection's.
  const socketErrors = new WeakSet<object>();
  return runTransfer(session, {
    verb: "RETR", arg: remotePath, path: remotePath, direction: "download",
    total: size === undefined ? undefined : Math.max(0, size - start),
    signal: options.signal, onProgress: options.onProgress, before: restSteps(start), resumes: attempt.resumes,
    local: {
      is: (error) => typeof error === "object" && error !== null && destinationErrors.has(error),
      what: typeof destination === "string" ? `Cannot write ${destination}` : "The download's destination stream failed",
      path: typeof destination === "string" ? destination : undefined,
    },
    pump: async (socket, counter) => {
      // A local file is written behind the socket (see FileWriter): with
      // fs.WriteStream the socket stayed paused for each whole disk write.
      const writable = typeof destination === "string"
        ? await openFileWriter(destination, start > 0 ? await existingFlags(destination) : "w", { position: start, highWaterMark: FILE_HIGH_WATER_MARK, calls: session.observer.localFiles }).catch((error: unknown) => {
          if (typeof error === "object" && error !== null) destinationErrors.add(error);
          throw error;
        })
        : destination;
      // Whoever emits an error first owns it; pipeline() then hands it to the other side.
      socket.once("error", (error: Error) => {
        if (!destinationErrors.has(error)) socketErrors.add(error);
      });
      writable.once("error", (error: Error) => {
        if (!socketErrors.has(error)) destinationErrors.add(error);
      });
      if (ascii) return pipeline([socket, createCrlfToLf(), counter, writable]);
      // Binary: the counter watches the socket's chunks instead of being a
      // Transform hop for each of them (a large RETR moves ~20,000 chunks/s).
      // pipe() has put the socket in flowing mode before the listener is
      // added, so no chunk is missed and backpressure still pauses both.
      const onData = (chunk: Buffer) => counter.count(chunk.length);
      const done = pipeline(socket, writable);
      socket.on("data", onData);
      try {
        await done;
      } finally {
        socket.off("data", onData);
      }
    },
  });
}

/** Local files up to this size are read whole, in parallel with the commands before the transfer. */
const PREREAD_MAX_BYTES = 256 * 1024;

/**
 * The read size for a local file of known size. fs.ReadStream allocates a
 * whole `highWaterMark` for every read (and copies a short read into a
 * second buffer), so 1 MiB reads of a 4 KiB file cost 2 MiB of garbage per
 * upload; reading the expected size (at least 4 KiB, at most 1 MiB) makes
 * small files cheap and leaves large ones as they were. A file that grew
 * since the stat is still read to its end, only in smaller steps.
 */
function readChunkFor(size: number | undefined, start: number): number {
  if (size === undefined) return FILE_HIGH_WATER_MARK;
  return Math.min(FILE_HIGH_WATER_MARK, Math.max(4096, size - start));
}

/** Views (no copies) of 1 MiB each: progress per slice, and socket backpressure applies. */
function* slices(source: Uint8Array, start: number): Generator<Buffer> {
  for (let offset = start; offset < source.byteLength; offset += FILE_HIGH_WATER_MARK) {
    const end = Math.min(source.byteLength, offset + FILE_HIGH_WATER_MARK);
    yield Buffer.from(source.buffer, source.byteOffset + offset, end - offset);
  }
}

async function existingFlags(path: string): Promise<string> {
  return fsStat(path).then(() => "r+", () => "w");
}

export interface StreamTransfer<S> {
  readonly stream: S;
  /** Resolves once the server accepted the command and the data connection is up. */
  readonly ready: Promise<void>;
  /** Settles when the transfer is over (the session is free again). Never rejects. */
  readonly done: Promise<void>;
}

/**
 * A Readable of a remote file (or listing: `verb` "MLSD"/"LIST") that ends
 * only after the final 2xx; a failure reply or a dropped connection destroys
 * it with the error. Destroying it early aborts the transfer (ABOR).
 */
export function openReadStream(
  session: Session,
  remotePath: string,
  options: { start?: number; signal?: AbortSignal; verb?: string; arg?: string; direction?: "download" | "list" } = {},
): StreamTransfer<Readable> {
  const start = checkOffset(options.start);
  const stream = new PassThrough({ highWaterMark: FILE_HIGH_WATER_MARK });
  const cancel = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, cancel.signal]) : cancel.signal;
  let finished = false;
  stream.on("close", () => {
    if (!finished) cancel.abort(abortError(undefined));
  });
  let handedOut = false;
  let markReady!: () => void;
  let failReady!: (error: unknown) => void;
  const ready = new Promise<void>((resolve, reject) => {
    markReady = () => {
      handedOut = true;
      resolve();
    };
    failReady = reject;
  });
  const verb = options.verb ?? "RETR";
  const done = (async () => {
    if (verb === "RETR") await session.setType("I");
    return runTransfer(session, {
      verb, arg: options.arg ?? remotePath, path: remotePath, direction: options.direction ?? "download",
      signal, before: restSteps(start),
      pump: async (socket: Socket, counter: ByteCounter) => {
        markReady();
        // end: false — the consumer sees "end" only after the final reply, below.
        await pipeline(socket, counter, stream, { end: false });
      },
    });
  })().then(
    () => {
      finished = true;
      markReady();
      stream.end();
    },
    (error: unknown) => {
      finished = true;
      failReady(error);
      // Nobody holds the stream before `ready`: the error travels through the promise alone.
      if (handedOut) stream.destroy(error instanceof Error ? error : new Error(String(error)));
      else stream.destroy();
    },
  );
  ready.catch(() => {});
  return { stream, ready, done };
}

/**
 * A Writable into a remote file whose "finish" comes only after the server
 * confirmed the upload. Destroying it before `end()` aborts the transfer.
 */
export function openWriteStream(
  session: Session,
  remotePath: string,
  options: { start?: number; append?: boolean; signal?: AbortSignal } = {},
): StreamTransfer<Writable> {
  const start = checkOffset(options.start);
  const inner = new PassThrough({ highWaterMark: FILE_HIGH_WATER_MARK });
  const cancel = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, cancel.signal]) : cancel.signal;
  let handedOut = false;
  let markReady!: () => void;
  let failReady!: (error: unknown) => void;
  const ready = new Promise<void>((resolve, reject) => {
    markReady = () => {
      handedOut = true;
      resolve();
    };
    failReady = reject;
  });
  let outcome: Promise<unknown> | undefined;
  let transferOver = false;
  const stream = new Writable({
    highWaterMark: FILE_HIGH_WATER_MARK,
    write(chunk: Buffer, _encoding, callback) {
      if (inner.destroyed) return callback(new FtpAbortError("The upload is over; nothing more can be written"));
      if (inner.write(chunk)) callback();
      else inner.once("drain", () => callback());
    },
    final(callback) {
      inner.end();
      void outcome!.then(() => callback(), (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))));
    },
    destroy(error, callback) {
      if (!transferOver) cancel.abort(abortError(undefined));
      inner.destroy();
      callback(error);
    },
  });
  outcome = (async () => {
    await session.setType("I");
    return runTransfer(session, {
      verb: options.append ? "APPE" : "STOR", arg: remotePath, path: remotePath, direction: "upload",
      signal, before: options.append ? [] : restSteps(start),
      pump: async (socket, counter) => {
        markReady();
        await pipeline(inner, counter, socket);
      },
    });
  })();
  const done = outcome.then(
    () => {
      transferOver = true;
      markReady();
    },
    (error: unknown) => {
      transferOver = true;
      failReady(error);
      if (!stream.destroyed && !stream.writableFinished) {
        if (handedOut) stream.destroy(error instanceof Error ? error : new Error(String(error)));
        else stream.destroy();
      }
    },
  );
  ready.catch(() => {});
  return { stream, ready, done };
}

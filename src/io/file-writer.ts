/**
 * A Writable over an open file that writes behind its producer: one writev is
 * in flight while the next batch accumulates, so reading the network and
 * writing the disk overlap instead of taking turns.
 *
 * Why not fs.WriteStream (or a plain Writable with `_writev`): Node emits
 * "drain" only once its buffer is empty, and it hands the whole buffer to one
 * `_writev`, whose chunks stay counted until that call completes. A socket
 * piped into it fills the buffer, pauses, and stays paused for the entire next
 * write: the socket and the disk take turns (measured on loopback: the socket
 * sat paused for about half of a 1 GiB upload, and only the kernel's socket
 * buffer kept the sender going meanwhile).
 *
 * Here the batch Node buffered is taken off its books the moment it becomes
 * the writev in flight (its callback is released at once), so "drain" comes
 * while the disk is still busy. While that writev runs, the callback of the
 * next chunk is held, so Node accumulates what follows in its own buffer, up
 * to `highWaterMark`; when the writev completes, the held chunk and Node's
 * buffer leave together as the next writev. Memory stays under about twice
 * `highWaterMark` (one batch in flight, one accumulating), chunks are kept by
 * reference and never copied, and `writableLength` is the accumulating batch.
 *
 * Being write-behind, a write's callback does not mean its bytes are on disk:
 * a failed writev surfaces on the next write's callback (or the held one, or
 * in `_final`), the stream errors with it, and nothing after it is written.
 * "finish" means everything was written, the file closed and `commit` done.
 */
import type { FileHandle } from "node:fs/promises";
import { Writable } from "node:stream";
import { FtpInvalidArgumentError } from "../errors.js";
import { THREAD_POOL, type SmallCalls } from "./small-calls.js";

/** The shape of fs.writev; tests pass a slow, short or failing one. */
export type WritevFunction = (
  fd: number,
  buffers: Buffer[],
  position: number | null,
  callback: (error: NodeJS.ErrnoException | null, bytesWritten: number) => void,
) => void;

export interface FileWriterOptions {
  /**
   * Offset of the first byte. Bytes before it and past the end of what is
   * written are left alone (nothing truncates). `null` writes at the end of
   * the file: for a file opened with flag "a". Default 0.
   */
  readonly position?: number | null;
  /** Bytes that may accumulate while a writev is in flight. Default 1 MiB. */
  readonly highWaterMark?: number;
  /** Runs once the file is closed after `end()` (e.g. renames an atomic upload into place); "finish" waits for it. */
  readonly commit?: () => Promise<void>;
  /** Runs once the file is closed when the stream is destroyed without a successful commit (e.g. removes a temporary file). */
  readonly discard?: () => Promise<unknown>;
  /** The write call. Default: `calls.writev` (fs.writev in its callback form, measurably faster than FileHandle.writev here). */
  readonly writev?: WritevFunction;
  /**
   * Small writes and the close on the event loop while they are fast (see
   * SmallCalls); `writev`, when given, still takes precedence for writes.
   */
  readonly calls?: SmallCalls;
}

const DEFAULT_HIGH_WATER_MARK = 1 << 20;

/** A writev that keeps returning 0 bytes would otherwise loop forever. */
const MAX_EMPTY_WRITES = 8;

type Callback = (error?: Error | null) => void;

export class FileWriter extends Writable {
  private readonly fd: number;
  private readonly handle: FileHandle | undefined;
  private position: number | null;
  private readonly writevFile: WritevFunction;
  private readonly calls: SmallCalls;
  private readonly commitHook: (() => Promise<void>) | undefined;
  private readonly discardHook: (() => Promise<unknown>) | undefined;
  /** Chunks accepted from Node but not yet handed to writev. */
  private next: Buffer[] = [];
  /** The callback of the chunk waiting in `next` while a writev is in flight. */
  private held: Callback | undefined;
  private inFlight = false;
  private failure: Error | undefined;
  private idleWaiters: Array<() => void> = [];
  private closing: Promise<void> | undefined;
  private finishing: Promise<void> | undefined;
  private committed = false;

  /**
   * `file` is owned from now on: the writer closes it when it finishes or is
   * destroyed. Invalid options throw before that (the caller still owns it).
   */
  constructor(file: number | FileHandle, options: FileWriterOptions = {}) {
    super({ highWaterMark: options.highWaterMark ?? DEFAULT_HIGH_WATER_MARK });
    const position = checkedPosition(options.position);
    this.fd = typeof file === "number" ? file : file.fd;
    this.handle = typeof file === "number" ? undefined : file;
    this.position = position;
    const calls = options.calls ?? THREAD_POOL;
    this.calls = calls;
    this.writevFile = options.writev ?? ((fd, buffers, position, callback) => calls.writev(fd, buffers, position, callback));
    this.commitHook = options.commit;
    this.discardHook = options.discard;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: Callback): void {
    this.accept([chunk], callback);
  }

  override _writev(chunks: Array<{ chunk: Buffer }>, callback: Callback): void {
    this.accept(chunks.map((c) => c.chunk), callback);
  }

  override _final(callback: Callback): void {
    if (this.failure) return callback(this.failure);
    // Node may call this from inside a released callback, before onWritten starts the carried chunk.
    if (!this.inFlight && this.next.length > 0) this.startWrite();
    this.whenIdle(() => {
      // Destroyed while the last writev ran (an aborted transfer): never commit.
      if (this.failure || this.destroyed) return callback(this.failure);
      this.finishing = this.closeFile()
        .then(() => this.commitHook?.())
        .then(() => {
          this.committed = true;
        });
      this.finishing.then(() => callback(), callback);
    });
  }

  override _destroy(error: Error | null, callback: Callback): void {
    // A writev in flight cannot be cancelled, and closing its fd under it could
    // let the bytes land in whatever file reuses the number: wait for it.
    this.whenIdle(() => {
      const settled = (this.finishing ?? Promise.resolve()).catch(() => undefined);
      settled
        .then(() => this.closeFile().catch(() => undefined))
        .then(() => (this.committed ? undefined : this.discardHook?.()))
        .then(() => callback(error), () => callback(error));
    });
  }

  private accept(chunks: Buffer[], callback: Callback): void {
    if (this.failure) return callback(this.failure);
    this.next = this.next.length === 0 ? chunks : this.next.concat(chunks);
    if (this.inFlight) {
      this.held = callback;
      return;
    }
    this.startWrite();
    callback();
  }

  private startWrite(): void {
    const batch = this.next;
    this.next = [];
    this.inFlight = true;
    this.writeAll(batch, 0, (error) => this.onWritten(error));
  }

  private onWritten(error: Error | null): void {
    this.inFlight = false;
    const held = this.held;
    this.held = undefined;
    if (error) {
      this.failure = error;
      this.next = [];
      if (!this.destroyed) held?.(error);
    } else if (!this.destroyed) {
      // Releasing the held callback makes Node hand over what it buffered
      // meanwhile, normally at once (into accept(), which starts the next
      // writev with it). If it did not, the held chunk leaves on its own.
      held?.();
      if (!this.inFlight && this.next.length > 0 && !this.destroyed) this.startWrite();
    }
    if (!this.inFlight) this.settle();
  }

  /** One writev for the batch; continues a short write instead of losing its tail. */
  private writeAll(buffers: Buffer[], emptyWrites: number, done: (error: Error | null) => void): void {
    this.writevFile(this.fd, buffers, this.position, (error, written) => {
      if (error) return done(error);
      if (this.position !== null) this.position += written;
      const rest = dropBytes(buffers, written);
      if (rest.length === 0) return done(null);
      if (written === 0 && emptyWrites + 1 >= MAX_EMPTY_WRITES) {
        return done(Object.assign(new Error("The file accepts no more bytes (short write)"), { code: "EIO" }));
      }
      this.writeAll(rest, written === 0 ? emptyWrites + 1 : 0, done);
    });
  }

  private whenIdle(run: () => void): void {
    if (this.inFlight) this.idleWaiters.push(run);
    else run();
  }

  private settle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const run of waiters) run();
  }

  private closeFile(): Promise<void> {
    this.closing ??= this.handle ? this.handle.close() : this.calls.close(this.fd);
    return this.closing;
  }
}

/**
 * Opens `path` with fs.open `flags` ("w", "r+", "a", …) and returns a writer
 * over it. The open happens here, not lazily in the stream, so a file that
 * cannot be opened rejects this call before any byte is accepted.
 */
export async function openFileWriter(path: string, flags: string, options: FileWriterOptions = {}): Promise<FileWriter> {
  checkedPosition(options.position); // before "w" truncates anything
  const calls = options.calls ?? THREAD_POOL;
  const fd = await calls.open(path, flags);
  try {
    return new FileWriter(fd, options);
  } catch (invalid) {
    await calls.close(fd).catch(() => {});
    throw invalid;
  }
}

function checkedPosition(position: number | null | undefined): number | null {
  if (position === undefined) return 0;
  if (position !== null && !(Number.isSafeInteger(position) && position >= 0)) {
    throw new FtpInvalidArgumentError(`position must be null or a non-negative integer, got ${String(position)}`);
  }
  return position;
}

/** The buffers after the first `count` bytes (views, not copies). */
function dropBytes(buffers: Buffer[], count: number): Buffer[] {
  let skip = count;
  let index = 0;
  while (index < buffers.length && skip >= buffers[index]!.length) skip -= buffers[index++]!.length;
  if (index === buffers.length) return [];
  const rest = buffers.slice(index);
  if (skip > 0) rest[0] = rest[0]!.subarray(skip);
  return rest;
}

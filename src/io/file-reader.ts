/**
 * A Readable over an open file descriptor whose size is known (from a stat
 * made when it was opened). It does what fs.ReadStream does, minus two
 * thread-pool round trips per file, which is most of the cost of a small
 * download:
 *
 * - The end is recognised from the last read itself. Each read asks for one
 *   byte more than the stat said is left, so the read that returns the last
 *   bytes comes back short: for a regular file that is the end, and no extra
 *   read is needed to get 0 bytes. A short read *before* the stat size (a
 *   file truncated meanwhile, an odd file system) is not trusted: reading
 *   goes on until a read returns 0, as fs.ReadStream would.
 * - Closing the descriptor does not hold up 'close': a read-only descriptor
 *   has nothing to report when it closes, so it is closed in the background.
 *
 * A file that grows while it is read is read to its new end, like
 * fs.ReadStream. Each read allocates a buffer of the size it asks for (at
 * most `chunkSize`), so a 4 KiB file costs a 4 KiB buffer.
 *
 * `sendTo(socket)` is the fast path for a plain socket: instead of a fresh
 * buffer per read it cycles through a few buffers, each reused as soon as
 * the socket has handed its bytes to the kernel (the write callback). A
 * fresh 1 MiB buffer costs page faults and zeroing on first touch, about as
 * much CPU as the read itself.
 */
import { Readable, type Writable } from "node:stream";
import type { Socket } from "node:net";
import { SEND_TO_SOCKET, type SendsToSocket } from "./send-to-socket.js";
import { THREAD_POOL, type SmallCalls } from "./small-calls.js";

export interface FileReaderOptions {
  /** Byte offset of the first byte to read. Default 0. */
  readonly start?: number;
  /** The file's size when it was opened. */
  readonly size: number;
  /** Largest single read. Default 1 MiB. */
  readonly chunkSize?: number;
  /** Small reads and the close on the event loop while they are fast (see SmallCalls). Default: the thread pool. */
  readonly calls?: SmallCalls;
}

/** A file that keeps growing is read in steps of at least this. */
const MIN_READ = 64 * 1024;

export class FileReader extends Readable implements SendsToSocket {
  private readonly fd: number;
  private readonly size: number;
  private readonly chunkSize: number;
  private readonly calls: SmallCalls;
  private position: number;
  private fdClosed = false;
  /** A read is in the thread pool: the descriptor must not be closed (and its number reused) under it. */
  private reading = false;
  private closeAfterRead = false;

  constructor(fd: number, options: FileReaderOptions) {
    const chunkSize = options.chunkSize ?? 1 << 20;
    super({ highWaterMark: chunkSize });
    this.fd = fd;
    this.size = options.size;
    this.chunkSize = chunkSize;
    this.position = options.start ?? 0;
    this.calls = options.calls ?? THREAD_POOL;
  }

  private readAt(buffer: Buffer, length: number, callback: (error: NodeJS.ErrnoException | null, bytesRead: number) => void): void {
    this.calls.read(this.fd, buffer, 0, length, this.position, callback);
  }

  /** How much to ask for, at most `limit`: one byte past the expected end, so the last read comes back short. */
  private readLength(limit: number): number {
    const left = this.size - this.position;
    return left >= 0 ? Math.min(limit, left + 1) : Math.min(limit, MIN_READ);
  }

  /** A short read at or past the stat size is the end of a regular file (before it, it is not trusted). */
  private endedBy(bytesRead: number, length: number): boolean {
    return bytesRead < length && this.position >= this.size;
  }

  override _read(): void {
    const length = this.readLength(this.chunkSize);
    const buffer = Buffer.allocUnsafe(length);
    this.reading = true;
    this.readAt(buffer, length, (error, bytesRead) => {
      this.reading = false;
      if (this.closeAfterRead) this.closeFd();
      if (error) return this.destroy(error);
      if (this.destroyed) return;
      this.position += bytesRead;
      if (bytesRead === 0) return void this.push(null);
      this.push(bytesRead === length ? buffer : buffer.subarray(0, bytesRead));
      if (this.endedBy(bytesRead, length)) this.push(null);
    });
  }

  /**
   * Sends the rest of the file to `socket` and ends it; resolves once the
   * socket finished. Rejects (and destroys both sides with the error, as
   * stream.pipeline would) on a read error, a socket error or close, or an
   * abort of `signal`. The reader must not have been read from as a stream.
   */
  /** The server's storage fast path (io/send-to-socket.ts): sendTo() on a plain data socket. */
  [SEND_TO_SOCKET](socket: Socket, signal: AbortSignal): Promise<void> {
    return this.sendTo(socket, signal);
  }

  sendTo(socket: Writable, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const buffers = this.ringBuffers();
      let blocked = false;
      let ended = false;
      let settled = false;
      // Like stream.pipeline: the failing side's error ends the other side too.
      // The reader emits "error" only for its own (read) failures.
      const fail = (error: Error, side: "file" | "socket" | "abort") => {
        if (settled) return;
        settled = true;
        cleanup();
        if (side === "file") this.destroy(error);
        else this.destroy();
        if (side !== "socket") socket.destroy(error);
        reject(error);
      };
      const onError = (error: Error) => fail(error, "socket");
      const onClose = () => {
        if (!settled) fail(Object.assign(new Error("The data connection closed before the file was sent"), { code: "ERR_STREAM_PREMATURE_CLOSE" }), "socket");
      };
      const onDrain = () => {
        blocked = false;
        next();
      };
      const onAbort = () => fail(signal?.reason instanceof Error ? signal.reason : Object.assign(new Error("The operation was aborted"), { name: "AbortError" }), "abort");
      const cleanup = () => {
        socket.off("error", onError);
        socket.off("close", onClose);
        socket.off("drain", onDrain);
        signal?.removeEventListener("abort", onAbort);
      };
      const finish = () => {
        ended = true;
        socket.end(() => {
          if (settled) return;
          settled = true;
          cleanup();
          this.push(null);
          this.destroy();
          resolve();
        });
      };
      const next = (): void => {
        if (settled || ended || blocked || this.reading || buffers.length === 0) return;
        const buffer = buffers.pop()!;
        const length = this.readLength(buffer.length);
        this.reading = true;
        this.readAt(buffer, length, (error, bytesRead) => {
          this.reading = false;
          if (this.closeAfterRead) this.closeFd();
          if (settled) return;
          if (error) return fail(error, "file");
          this.position += bytesRead;
          if (bytesRead === 0) return finish();
          const chunk = bytesRead === buffer.length ? buffer : buffer.subarray(0, bytesRead);
          const last = this.endedBy(bytesRead, length);
          // The buffer goes back to the ring once the socket no longer needs it.
          const more = socket.write(chunk, () => {
            buffers.push(buffer);
            next();
          });
          if (!more) {
            blocked = true;
            socket.once("drain", onDrain);
          }
          if (last) finish();
          else next();
        });
      };
      if (signal?.aborted) return onAbort();
      socket.on("error", onError);
      socket.on("close", onClose);
      signal?.addEventListener("abort", onAbort, { once: true });
      next();
    });
  }

  /** A few buffers for sendTo: three of chunkSize, or one sized to a small file. */
  private ringBuffers(): Buffer[] {
    const left = this.size - this.position;
    if (left >= 0 && left + 1 <= this.chunkSize) return [Buffer.allocUnsafe(Math.max(left + 1, 1))];
    return [Buffer.allocUnsafe(this.chunkSize), Buffer.allocUnsafe(this.chunkSize), Buffer.allocUnsafe(this.chunkSize)];
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (this.reading) this.closeAfterRead = true;
    else this.closeFd();
    callback(error);
  }

  private closeFd(): void {
    if (this.fdClosed) return;
    this.fdClosed = true;
    this.calls.close(this.fd).catch(() => {});
  }
}

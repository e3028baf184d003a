/**
 * Small file-system calls (path lookups, open, close, and reads or writes of
 * at most 64 KiB) that run synchronously while they are cheap, and through
 * the thread pool once they are not.
 *
 * Why: on a warm cache these calls take a few microseconds, while a
 * thread-pool round trip costs tens to hundreds of microseconds of latency
 * plus the hand-off between threads — on a busy 2-core machine far more than
 * the call itself — and one 4 KiB upload makes several in a row (the target,
 * its folder, the real paths, open, write, close). Measured on the server's
 * small-file path: each hop about 130 µs, most of a 4 KiB upload's time.
 *
 * The risk of a synchronous call is a slow disk (or a network file system)
 * blocking every session. So each call is timed. Two slow calls in a row
 * (over `slowMs`), or one very slow call (over 10 × `slowMs`), send every
 * call of this instance to the thread pool for `coolDownMs`; then one
 * synchronous call is tried again. A single slowish call is usually the
 * process being preempted or a GC pause, not the disk: on a busy machine
 * one-strike switching sent everything to the pool for no reason. The worst
 * case is two slow calls per cool-down period on the event loop. Large reads
 * and writes always use the thread pool; `mode: "async"` sends every call
 * there.
 */
import {
  close, closeSync, lstat, lstatSync, open, openSync, read, readSync, realpath, realpathSync, stat, statSync, writev, writevSync,
  type Stats,
} from "node:fs";

/** Reads and writes up to this size may run on the event loop. */
export const SMALL_IO_BYTES = 64 * 1024;

export interface SmallCallsOptions {
  /** "auto" (default): synchronous while fast; "async": always the thread pool. */
  readonly mode?: "auto" | "async";
  /** Two synchronous calls in a row slower than this (or one 10 times slower) move calls to the thread pool. Default 1 ms. */
  readonly slowMs?: number;
  /** How long calls stay in the thread pool after a slow one. Default 5 s. */
  readonly coolDownMs?: number;
  /** Milliseconds clock (tests make calls look slow with it). Default performance.now. */
  readonly clock?: () => number;
}

/** The policy and the calls; one per storage (or client) so a slow disk only moves its own calls. */
export class SmallCalls {
  private readonly auto: boolean;
  private readonly slowMs: number;
  private readonly coolDownMs: number;
  private readonly clock: () => number;
  private asyncUntil = 0;
  /** Slow synchronous calls in a row. */
  private slowStreak = 0;

  constructor(options: SmallCallsOptions = {}) {
    this.auto = (options.mode ?? "auto") === "auto";
    this.slowMs = options.slowMs ?? 1;
    this.coolDownMs = options.coolDownMs ?? 5000;
    this.clock = options.clock ?? (() => performance.now());
  }

  /** True while calls run synchronously (for tests and diagnostics). */
  get synchronous(): boolean {
    return this.auto && this.clock() >= this.asyncUntil;
  }

  /** The canonical path, symlinks resolved (realpath(3)). */
  realpath(path: string): Promise<string> {
    return this.run(
      () => realpathSync.native(path),
      () => new Promise((resolve, reject) => realpath.native(path, (error, real) => (error ? reject(error) : resolve(real)))),
    );
  }

  /** stat(2); rejects ENOENT like fs.stat. */
  stat(path: string): Promise<Stats> {
    return this.run(
      () => statSync(path),
      () => new Promise((resolve, reject) => stat(path, (error, st) => (error ? reject(error) : resolve(st)))),
    );
  }

  /** lstat(2), or undefined when nothing is there (no error object is made for that case). */
  lstatOrUndefined(path: string): Promise<Stats | undefined> {
    return this.run(
      () => lstatSync(path, { throwIfNoEntry: false }),
      () =>
        new Promise((resolve, reject) =>
          lstat(path, (error, st) => {
            if (!error) resolve(st);
            else if (error.code === "ENOENT") resolve(undefined);
            else reject(error);
          }),
        ),
    );
  }

  /** open(2); resolves the descriptor. */
  open(path: string, flags: string): Promise<number> {
    return this.run(
      () => openSync(path, flags),
      () => new Promise((resolve, reject) => open(path, flags, (error, fd) => (error ? reject(error) : resolve(fd)))),
    );
  }

  /** close(2). */
  close(fd: number): Promise<void> {
    return this.run(
      () => closeSync(fd),
      () => new Promise((resolve, reject) => close(fd, (error) => (error ? reject(error) : resolve()))),
    );
  }

  /**
   * fs.read with a callback, synchronous (the callback on the next tick) for
   * a small read while calls are fast. The callback shape lets FileReader use
   * it in place of fs.read.
   */
  read(fd: number, buffer: Buffer, offset: number, length: number, position: number, callback: (error: NodeJS.ErrnoException | null, bytesRead: number) => void): void {
    if (length > SMALL_IO_BYTES || !this.synchronous) return void read(fd, buffer, offset, length, position, callback);
    this.callbackSync(() => readSync(fd, buffer, offset, length, position), callback);
  }

  /** fs.writev with a callback, synchronous for a small batch while calls are fast (FileWriter's `writev` seam). */
  writev(fd: number, buffers: Buffer[], position: number | null, callback: (error: NodeJS.ErrnoException | null, bytesWritten: number) => void): void {
    let total = 0;
    for (const b of buffers) total += b.length;
    if (total > SMALL_IO_BYTES || !this.synchronous) return void writev(fd, buffers, position, callback);
    this.callbackSync(() => writevSync(fd, buffers, position ?? undefined), callback);
  }

  private callbackSync(call: () => number, callback: (error: NodeJS.ErrnoException | null, bytes: number) => void): void {
    let result: number;
    try {
      result = this.timed(call);
    } catch (error) {
      process.nextTick(callback, error as NodeJS.ErrnoException, 0);
      return;
    }
    process.nextTick(callback, null, result);
  }

  private timed<T>(call: () => T): T {
    const started = this.clock();
    try {
      return call();
    } finally {
      const ended = this.clock();
      const took = ended - started;
      if (took <= this.slowMs) this.slowStreak = 0;
      else if (++this.slowStreak >= 2 || took > this.slowMs * 10) {
        this.slowStreak = 0;
        this.asyncUntil = ended + this.coolDownMs;
      }
    }
  }

  private run<T>(sync: () => T, viaPool: () => Promise<T>): Promise<T> {
    if (!this.synchronous) return viaPool();
    try {
      return Promise.resolve(this.timed(sync));
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }
}

/** Every call through the thread pool: what file readers and writers use when given no policy. */
export const THREAD_POOL = new SmallCalls({ mode: "async" });

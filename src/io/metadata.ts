/**
 * Metadata lookups (realpath, stat, lstat) that run synchronously while they
 * are cheap, and through the thread pool once they are not.
 *
 * Why: on a warm cache these calls take a few microseconds, while a
 * thread-pool round trip costs tens of microseconds of latency plus the
 * hand-off between threads — on a busy 2-core machine more than the call
 * itself, and a small upload makes several of them in a row (the target,
 * its folder, the real paths). Measured on the server's small-file path,
 * the main thread spent more time handing fs calls to the pool than doing
 * anything else.
 *
 * The risk of a synchronous call is a slow disk (or a network file system)
 * blocking every session. So each call is timed: one that takes longer than
 * `slowMs` sends every call of this instance to the thread pool for
 * `coolDownMs`, after which one synchronous call is tried again. The worst
 * case is one slow call per cool-down period on the event loop. Options
 * `mode: "async"` turns the synchronous path off altogether.
 */
import { lstat, lstatSync, realpath, realpathSync, stat, statSync, type Stats } from "node:fs";

export interface MetadataOptions {
  /** "auto" (default): synchronous while fast; "async": always the thread pool. */
  readonly mode?: "auto" | "async";
  /** A synchronous call slower than this moves calls to the thread pool. Default 1 ms. */
  readonly slowMs?: number;
  /** How long calls stay in the thread pool after a slow one. Default 5 s. */
  readonly coolDownMs?: number;
}

export class Metadata {
  private readonly auto: boolean;
  private readonly slowMs: number;
  private readonly coolDownMs: number;
  private asyncUntil = 0;

  constructor(options: MetadataOptions = {}) {
    this.auto = (options.mode ?? "auto") === "auto";
    this.slowMs = options.slowMs ?? 1;
    this.coolDownMs = options.coolDownMs ?? 5000;
  }

  /** True while calls run synchronously (for tests and diagnostics). */
  get synchronous(): boolean {
    return this.auto && performance.now() >= this.asyncUntil;
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

  private run<T>(sync: () => T, viaPool: () => Promise<T>): Promise<T> {
    if (!this.synchronous) return viaPool();
    const started = performance.now();
    try {
      return Promise.resolve(sync());
    } catch (error) {
      return Promise.reject(error as Error);
    } finally {
      const ended = performance.now();
      if (ended - started > this.slowMs) this.asyncUntil = ended + this.coolDownMs;
    }
  }
}

/**
 * One control connection does one thing at a time. Calls that arrive while
 * another runs wait here, in order; none is rejected for arriving early,
 * and one failing never affects the next. A waiting call whose AbortSignal
 * fires leaves the line at once.
 */
import { abortError } from "./session.js";

type Release = () => void;

interface Waiter {
  grant: (release: Release) => void;
  reject: (error: unknown) => void;
  detach: () => void;
}

export class OperationQueue {
  private busy = false;
  private readonly waiters: Waiter[] = [];
  private idleListeners: Array<() => void> = [];

  /** True when nothing runs and nothing waits. */
  get idle(): boolean {
    return !this.busy && this.waiters.length === 0;
  }

  get running(): boolean {
    return this.busy;
  }

  /** True when callers wait for their turn. */
  get waiting(): boolean {
    return this.waiters.length > 0;
  }

  /** Resolves with a release function once it is this caller's turn. */
  acquire(signal?: AbortSignal): Promise<Release> {
    if (signal?.aborted) return Promise.reject(abortError(signal));
    if (!this.busy) {
      this.busy = true;
      return Promise.resolve(this.makeRelease());
    }
    return new Promise<Release>((resolve, reject) => {
      const onAbort = () => {
        const index = this.waiters.indexOf(waiter);
        if (index !== -1) this.waiters.splice(index, 1);
        reject(abortError(signal));
      };
      const waiter: Waiter = {
        grant: resolve,
        reject,
        detach: () => signal?.removeEventListener("abort", onAbort),
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /** Rejects every waiting caller (the running one finishes on its own). */
  rejectWaiting(error: unknown): void {
    for (const waiter of this.waiters.splice(0)) {
      waiter.detach();
      waiter.reject(error);
    }
  }

  /** Resolves when the queue is next idle. */
  whenIdle(): Promise<void> {
    if (this.idle) return Promise.resolve();
    return new Promise((resolve) => this.idleListeners.push(resolve));
  }

  private makeRelease(): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      if (next) {
        next.detach();
        next.grant(this.makeRelease());
        return;
      }
      this.busy = false;
      const listeners = this.idleListeners;
      this.idleListeners = [];
      for (const listener of listeners) listener();
    };
  }
}

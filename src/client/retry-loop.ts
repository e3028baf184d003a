/**
 * The retry loop: run an attempt, and while it fails with something
 * `isRetryable` and attempts remain, wait a backoff delay and run the next.
 * The clock is injected (`sleep`), so tests move time by hand instead of
 * waiting; the Client passes `abortableSleep`.
 */
import { abortError } from "./session.js";
import { isRetryable, retryDelay, type ResolvedRetryOptions, type RetryContext } from "./retry-policy.js";

/** What `retry` events carry. */
export interface RetryEvent {
  /** The retry about to run: 1 for the first retry (the second try). */
  readonly attempt: number;
  /** The failure of the previous try. */
  readonly cause: Error;
  /** Milliseconds waited before this retry. */
  readonly delay: number;
  /** The call being retried, e.g. "download /a.bin". */
  readonly operation: string;
}

export interface RetryLoopOptions {
  readonly retry: ResolvedRetryOptions;
  readonly operation: string;
  readonly context?: RetryContext;
  readonly signal?: AbortSignal | undefined;
  /** Waits `ms` (rejects with an abort error when `signal` fires). */
  readonly sleep: (ms: number, signal: AbortSignal | undefined) => Promise<void>;
  readonly random?: () => number;
  /** Told before each wait. */
  readonly onRetry?: (event: RetryEvent) => void;
  /** A further veto, e.g. "the client was closed by its owner". */
  readonly mayRetry?: (error: unknown) => boolean;
}

/** Runs `attempt(n)` (n = 0 for the first try) under the retry rules; rejects with the last failure. */
export async function runWithRetry<T>(options: RetryLoopOptions, attempt: (n: number, previous: unknown) => Promise<T>): Promise<T> {
  let previous: unknown;
  for (let n = 0; ; n++) {
    try {
      return await attempt(n, previous);
    } catch (error) {
      const retryable = n < options.retry.attempts
        && !options.signal?.aborted
        && isRetryable(error, options.context)
        && (options.mayRetry?.(error) ?? true);
      if (!retryable) throw error;
      previous = error;
      const delay = retryDelay(n + 1, options.retry, options.random);
      options.onRetry?.({ attempt: n + 1, cause: error as Error, delay, operation: options.operation });
      await options.sleep(delay, options.signal);
    }
  }
}

/** A timer-based sleep that an AbortSignal cuts short (with ERR_FTP_ABORTED). Not unref'd: a job waiting to retry keeps its process alive. */
export function abortableSleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortError(signal));
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Backoff waits that `wakeAll()` ends early (resolving): a client being closed must not wait out a delay first. */
export class RetrySleeper {
  readonly #wakers = new Set<() => void>();

  sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
    const stop = new AbortController();
    const wake = () => stop.abort();
    this.#wakers.add(wake);
    const both = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
    return abortableSleep(ms, both).catch((error: unknown) => {
      if (!stop.signal.aborted) throw error;
    }).finally(() => this.#wakers.delete(wake));
  }

  wakeAll(): void {
    for (const wake of this.#wakers) wake();
  }
}

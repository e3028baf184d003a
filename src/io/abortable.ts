/**
 * The one "wait for this unless the signal fires first" of both roles. The
 * caller's promise settles at once on abort; whatever the work yields later
 * is handed to `discard` (a socket or stream nobody will own), and a late
 * rejection is swallowed, so neither leaks nor goes unhandled.
 */
export interface AbortableOptions<T> {
  /** The rejection reason when the signal fires (default: the signal's reason). */
  readonly reason?: (signal: AbortSignal) => unknown;
  /** Receives a value that arrives after the abort. */
  readonly discard?: (late: T) => void;
}

export function abortable<T>(work: Promise<T>, signal: AbortSignal | undefined, options: AbortableOptions<T> = {}): Promise<T> {
  if (!signal) return work;
  const reason = options.reason ?? ((s: AbortSignal) => s.reason);
  const late = (value: T) => options.discard?.(value);
  if (signal.aborted) {
    work.then(late, () => {});
    return Promise.reject(reason(signal));
  }
  return new Promise<T>((resolve, reject) => {
    let aborted = false;
    const onAbort = () => {
      aborted = true;
      reject(reason(signal));
    };
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        if (aborted) late(value);
        else resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        if (!aborted) reject(error);
      },
    );
  });
}

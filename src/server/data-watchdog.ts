/**
 * Inactivity on a data connection, measured from the last byte that moved.
 * Node's own `socket.setTimeout()` is not used: when its period ends it
 * skips the 'timeout' once if the write queue shrank since the last write
 * call (net.js `_onTimeout`), and a reader that stops reading always leaves
 * it shrinking for a moment after the last write, so a stalled client was
 * caught only after twice `timeouts.data` (issue 11).
 *
 * Progress is what the socket read plus what it handed to the kernel,
 * sampled sixteen times per period: the timeout fires between `timeoutMs`
 * and `timeoutMs × 18/16` after the last byte moved (one sample to see the
 * last movement, one to see the period is over).
 */

/** What the watchdog reads from a data socket (net.Socket and tls.TLSSocket have all of it). */
export interface WatchedSocket {
  readonly bytesRead?: number;
  readonly bytesWritten?: number;
  readonly writableLength?: number;
  readonly _handle?: { readonly writeQueueSize?: number } | null;
  once(event: "close", listener: () => void): unknown;
}

const SAMPLES_PER_PERIOD = 16;

function progressOf(socket: WatchedSocket): number {
  const queued = (socket.writableLength ?? 0) + (socket._handle?.writeQueueSize ?? 0);
  return (socket.bytesRead ?? 0) + (socket.bytesWritten ?? 0) - queued;
}

/** Calls `onTimeout` once no byte has moved for `timeoutMs`; stops at close or with the returned function. */
export function watchDataInactivity(socket: WatchedSocket, timeoutMs: number, onTimeout: () => void): () => void {
  let last = progressOf(socket);
  let lastMovedAt = Date.now();
  const step = Math.max(1, Math.ceil(timeoutMs / SAMPLES_PER_PERIOD));
  let stopped = false;
  const timer = setInterval(() => {
    if (stopped) return;
    const now = Date.now();
    const progress = progressOf(socket);
    if (progress !== last) {
      last = progress;
      lastMovedAt = now;
    } else if (now - lastMovedAt >= timeoutMs) {
      stop();
      onTimeout();
    }
  }, step);
  timer.unref?.();
  const stop = () => {
    stopped = true;
    clearInterval(timer);
  };
  socket.once("close", stop);
  return stop;
}

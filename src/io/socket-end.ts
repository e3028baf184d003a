/**
 * "End the socket, destroy it after a grace": a polite close (FIN after the
 * last queued bytes, e.g. a 421 or a TLS close_notify) that still cannot
 * keep a socket forever when the peer never reads or never closes its side.
 */
import type { Duplex } from "node:stream";

/** How long a peer gets to take the last bytes and close before the socket is destroyed. */
export const SOCKET_END_GRACE_MS = 2000;

/** Ends `socket` (after `data`, when given) and destroys it if it is not closed within `graceMs`. */
export function endSocket(socket: Duplex, data?: Uint8Array | string, graceMs: number = SOCKET_END_GRACE_MS): void {
  if (socket.destroyed) return;
  if (data === undefined) socket.end();
  else socket.end(data);
  const timer = setTimeout(() => socket.destroy(), graceMs);
  timer.unref?.();
  socket.once("close", () => clearTimeout(timer));
}

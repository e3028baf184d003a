/**
 * The storage fast path as a capability, not a class: a stream that a
 * `FileSystem`'s `read()` returns may offer `[SEND_TO_SOCKET](socket, signal)`
 * to send the rest of its data to a plain TCP data socket and end it, its own
 * way (reused buffers, sendfile-like tricks). The server uses it for binary
 * RETR over a clear data connection when nothing transforms the bytes; any
 * other transfer pipes the stream. `FileReader` (LocalFileSystem) offers it.
 *
 * The method must behave like `stream.pipeline(stream, socket)`: resolve
 * once the socket finished, reject on a read error, a socket error or close,
 * or an abort of `signal`, and destroy both sides with the error then.
 */
import type { Socket } from "node:net";
import type { Readable } from "node:stream";

/** Global, so the ESM and CommonJS builds of ftpwire recognise each other's streams. */
export const SEND_TO_SOCKET: unique symbol = Symbol.for("ftpwire.sendToSocket");

export interface SendsToSocket {
  [SEND_TO_SOCKET](socket: Socket, signal: AbortSignal): Promise<void>;
}

/** True when `stream` offers the fast path. */
export function sendsToSocket(stream: Readable | object): stream is Readable & SendsToSocket {
  return typeof (stream as Partial<SendsToSocket>)[SEND_TO_SOCKET] === "function";
}

/**
 * Opens an outgoing data connection: the client's side of PASV/EPSV and the
 * server's side of PORT/EPRT. One promise, one timeout, typed failures.
 */
import { connect, type Socket } from "node:net";
import { FtpAbortError, FtpDataConnectionError, FtpTimeoutError } from "../errors.js";

export interface ConnectDataOptions {
  readonly host: string;
  readonly port: number;
  /** Bind the local end to this address (e.g. the control connection's local address). */
  readonly localAddress?: string | undefined;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal | undefined;
}

export function connectData(options: ConnectDataOptions): Promise<Socket> {
  const { host, port, localAddress, timeoutMs, signal } = options;
  if (signal?.aborted) return Promise.reject(new FtpAbortError());
  return new Promise<Socket>((resolve, reject) => {
    const socket = connect({ host, port, noDelay: true, ...(localAddress ? { localAddress } : {}) });
    const finish = (error?: Error) => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      socket.off("error", onError);
      socket.off("connect", onConnect);
      if (error) {
        socket.destroy();
        reject(error);
      } else resolve(socket);
    };
    const onConnect = () => finish();
    const onError = (cause: Error) =>
      finish(new FtpDataConnectionError(`Data connection to ${host} port ${port} failed: ${cause.message}`, { cause }));
    const onAbort = () => finish(new FtpAbortError("Data connection aborted"));
    const timer = setTimeout(
      () => finish(new FtpTimeoutError(`Data connection to ${host} port ${port} timed out after ${timeoutMs} ms`)),
      timeoutMs,
    );
    socket.once("connect", onConnect);
    socket.once("error", onError);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

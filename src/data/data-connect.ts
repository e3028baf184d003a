/**
 * Opens an outgoing TCP connection with one timeout, abort support and typed
 * failures. The client's control connection, the client's side of PASV/EPSV
 * and the server's side of PORT/EPRT all connect through here.
 */
import { connect, type Socket } from "node:net";
import { FtpAbortError, FtpDataConnectionError, FtpTimeoutError, type FtpError } from "../errors.js";

export interface ConnectSocketOptions {
  readonly host: string;
  readonly port: number;
  /** 4 or 6 to force an address family when `host` is a name. */
  readonly family?: number | undefined;
  /** Bind the local end to this address (e.g. the control connection's local address). */
  readonly localAddress?: string | undefined;
  /** 0 disables the timeout. */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal | undefined;
  /** The error for a refused or failed connect; the caller knows which connection this was. */
  readonly failure: (message: string, cause: Error) => FtpError;
  /** The error for an abort; defaults to a plain FtpAbortError. */
  readonly aborted?: (() => FtpError) | undefined;
}

export function connectSocket(options: ConnectSocketOptions): Promise<Socket> {
  const { host, port, family, localAddress, timeoutMs, signal } = options;
  const abortError = options.aborted ?? (() => new FtpAbortError("Connection aborted"));
  if (signal?.aborted) return Promise.reject(abortError());
  return new Promise<Socket>((resolve, reject) => {
    const socket = connect({ host, port, noDelay: true, ...(family ? { family } : {}), ...(localAddress ? { localAddress } : {}) });
    const finish = (error?: Error) => {
      if (timer) clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      socket.off("error", onError);
      socket.off("connect", onConnect);
      if (error) {
        socket.destroy();
        reject(error);
      } else resolve(socket);
    };
    const onConnect = () => finish();
    const onError = (cause: Error) => finish(options.failure(`Cannot connect to ${host} port ${port}: ${cause.message}`, cause));
    const onAbort = () => finish(abortError());
    const timer =
      timeoutMs > 0
        ? setTimeout(() => finish(new FtpTimeoutError(`Connecting to ${host} port ${port} timed out after ${timeoutMs} ms`)), timeoutMs)
        : undefined;
    socket.once("connect", onConnect);
    socket.once("error", onError);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

export interface ConnectDataOptions {
  readonly host: string;
  readonly port: number;
  readonly localAddress?: string | undefined;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal | undefined;
}

/** A data connection: failures are FtpDataConnectionError. */
export function connectData(options: ConnectDataOptions): Promise<Socket> {
  return connectSocket({
    ...options,
    failure: (message, cause) => new FtpDataConnectionError(`Data connection failed: ${message}`, { cause }),
    aborted: () => new FtpAbortError("Data connection aborted"),
  });
}

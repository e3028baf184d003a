/**
 * TLS on an already-connected socket, for both roles and both channels:
 * AUTH TLS upgrades the control connection in place, implicit FTPS starts
 * TLS at once, and under PROT P every data connection is TLS too. Resolves
 * only after the handshake, so callers never write on a half-secured socket;
 * failures come back as FtpTlsError saying why.
 */
import type { Server, Socket } from "node:net";
import { TLSSocket, connect as tlsConnect, type ConnectionOptions, type SecureContext } from "node:tls";
import { FtpTimeoutError, FtpTlsError } from "../errors.js";

export interface AcceptTlsOptions {
  /** One context per server, shared by control and data sockets so data connections can resume the control session. */
  readonly secureContext: SecureContext;
  readonly timeoutMs: number;
  /** Ask the client for a certificate (mutual TLS). */
  readonly requestCert?: boolean | undefined;
  readonly rejectUnauthorized?: boolean | undefined;
  /**
   * A `net.Server` (it need not listen) whose `newSession`/`resumeSession`
   * listeners keep a session-ID cache: TLS 1.2 clients that resume by session
   * ID rather than by ticket (curl) need one. Sockets sharing it can resume
   * each other's sessions; others cannot.
   */
  readonly sessionServer?: Server | undefined;
}

/** Server side: runs the TLS handshake as the server on `socket`. */
export function acceptTls(socket: Socket, options: AcceptTlsOptions): Promise<TLSSocket> {
  const secure = new TLSSocket(socket, {
    isServer: true,
    secureContext: options.secureContext,
    requestCert: options.requestCert ?? false,
    rejectUnauthorized: options.rejectUnauthorized ?? false,
    ...(options.sessionServer ? { server: options.sessionServer } : {}),
  });
  return handshake(secure, "secure", options.timeoutMs);
}

export interface ConnectTlsOptions extends Omit<ConnectionOptions, "socket" | "host" | "port" | "path"> {
  readonly timeoutMs: number;
}

/** Client side: runs the TLS handshake as the client on `socket`. */
export function connectTls(socket: Socket, options: ConnectTlsOptions): Promise<TLSSocket> {
  const { timeoutMs, ...tlsOptions } = options;
  const secure = tlsConnect({ ...tlsOptions, socket });
  return handshake(secure, "secureConnect", timeoutMs);
}

function handshake(secure: TLSSocket, readyEvent: "secure" | "secureConnect", timeoutMs: number): Promise<TLSSocket> {
  return new Promise<TLSSocket>((resolve, reject) => {
    const finish = (error?: Error) => {
      clearTimeout(timer);
      secure.off(readyEvent, onReady);
      secure.off("error", onError);
      secure.off("close", onClose);
      if (error) {
        secure.destroy();
        reject(error);
      } else resolve(secure);
    };
    const onReady = () => {
      // A client that does not verify still gets here; one that does and failed gets an error first.
      finish();
    };
    const onError = (cause: Error & { code?: string }) =>
      finish(new FtpTlsError(`TLS handshake failed: ${cause.code ? `${cause.code}: ` : ""}${cause.message}`, { cause }));
    const onClose = () => finish(new FtpTlsError("Connection closed during the TLS handshake"));
    const timer = setTimeout(
      () => finish(new FtpTimeoutError(`TLS handshake did not finish within ${timeoutMs} ms`)),
      timeoutMs,
    );
    secure.once(readyEvent, onReady);
    secure.once("error", onError);
    secure.once("close", onClose);
  });
}

/**
 * Keeps the newest TLS session of a client's control connection, so data
 * connections can resume it (servers such as vsftpd with require_ssl_reuse
 * refuse data connections that do not). TLS 1.3 delivers tickets after the
 * handshake, hence the event rather than one getSession() call.
 */
export class TlsSessionStore {
  private session: Buffer | undefined;
  private received = 0;

  constructor(control: TLSSocket) {
    this.session = control.getSession();
    control.on("session", (session: Buffer) => {
      this.session = session;
      this.received++;
    });
  }

  /** How many sessions (TLS 1.3 tickets) arrived after the handshake. */
  get tickets(): number {
    return this.received;
  }

  get latest(): Buffer | undefined {
    return this.session;
  }
}

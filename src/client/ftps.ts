/**
 * FTPS for the client (RFC 4217): TLS on the control connection (explicit
 * AUTH TLS, or implicit from the first byte), PBSZ/PROT after login, and TLS
 * on every data connection under PROT P.
 *
 * Data connections resume the control connection's TLS session (TLS 1.2
 * session IDs/tickets, TLS 1.3 tickets — `TlsSessionStore` keeps the newest),
 * because vsftpd (require_ssl_reuse) and proftpd refuse data connections
 * that do not: it proves the data connection comes from the same client.
 * Their certificate is checked against the same name as the control's.
 */
import { isIP, type Socket } from "node:net";
import { checkServerIdentity as defaultCheckServerIdentity, type PeerCertificate, type TLSSocket } from "node:tls";
import { FtpError, FtpTlsError } from "../errors.js";
import type { ClientControlSocket, ReplyChannel } from "../control/client-channel.js";
import { connectTls, TlsSessionStore, type ConnectTlsOptions } from "../tls/secure-socket.js";
import { isFailure, isUnknownCommand } from "../protocol/reply-codes.js";
import type { ResolvedClientOptions } from "./options.js";
import { debug, type Session } from "./session.js";

/** What `client.tlsInfo()` reports. */
export interface TlsInfo {
  /** Negotiated protocol of the control connection, e.g. "TLSv1.3". */
  readonly protocol: string;
  /** Cipher suite of the control connection, e.g. "TLS_AES_256_GCM_SHA384". */
  readonly cipher: string;
  readonly mode: "explicit" | "implicit";
  /** "private" (PROT P: data connections are TLS) or "clear" (PROT C). */
  readonly dataProtection: "private" | "clear";
  /** TLS data connections made so far. */
  readonly dataConnections: number;
  /** How many of those resumed the control connection's session. */
  readonly resumedDataConnections: number;
}

/** A session's TLS state, kept on the Session. */
export class ClientTlsState {
  readonly control: TLSSocket;
  readonly sessions: TlsSessionStore;
  readonly mode: "explicit" | "implicit";
  dataProtection: "private" | "clear";
  dataConnections = 0;
  resumedDataConnections = 0;

  constructor(control: TLSSocket, mode: "explicit" | "implicit", dataProtection: "private" | "clear") {
    this.control = control;
    this.sessions = new TlsSessionStore(control);
    this.mode = mode;
    this.dataProtection = dataProtection;
  }

  info(): TlsInfo {
    return {
      protocol: this.control.getProtocol() ?? "unknown",
      cipher: this.control.getCipher()?.standardName ?? "unknown",
      mode: this.mode,
      dataProtection: this.dataProtection,
      dataConnections: this.dataConnections,
      resumedDataConnections: this.resumedDataConnections,
    };
  }
}

/** The handshake needs a bound: 0 ("no timeout") still means "not forever" for a handshake nobody answers. */
function handshakeTimeout(ms: number): number {
  return ms > 0 ? ms : 2 ** 31 - 1;
}

/**
 * tls.connect() options for one connection. SNI carries `tls.servername` or
 * the host name (never an IP address: RFC 6066); the certificate is checked
 * against that same name on the control and on every data connection, since
 * a data socket only knows the address it connected to.
 */
export function tlsOptionsFor(options: ResolvedClientOptions, timeoutMs: number, session?: Buffer): ConnectTlsOptions {
  const { checkServerIdentity: userCheck, servername, ...rest } = options.tls ?? {};
  const identity = servername || options.host;
  const sni = servername || (isIP(options.host) ? undefined : options.host);
  const check = userCheck ?? defaultCheckServerIdentity;
  return {
    ...rest,
    ...(sni ? { servername: sni } : {}),
    ...(session ? { session } : {}),
    checkServerIdentity: (_hostname: string, cert: PeerCertificate) => check(identity, cert),
    timeoutMs: handshakeTimeout(timeoutMs),
  };
}

const REASONS: Readonly<Record<string, string>> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: "the certificate is self-signed and not trusted (pass it, or its CA, in tls.ca)",
  SELF_SIGNED_CERT_IN_CHAIN: "the certificate chain ends in an untrusted self-signed CA (pass that CA in tls.ca)",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "the certificate's issuer is not trusted (wrong or missing tls.ca?)",
  UNABLE_TO_GET_ISSUER_CERT: "the certificate's issuer is not trusted (wrong or missing tls.ca?)",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "the certificate's issuer is not trusted (wrong or missing tls.ca?)",
  CERT_SIGNATURE_FAILURE: "the certificate was not signed by a trusted CA (wrong tls.ca?)",
  ERR_TLS_CERT_ALTNAME_INVALID: "the certificate does not match the host name",
  CERT_HAS_EXPIRED: "the certificate has expired",
  CERT_NOT_YET_VALID: "the certificate is not yet valid",
  CERT_REVOKED: "the certificate was revoked",
};

/** Rewords a handshake failure so its message says why, naming the connection; keeps the original as `cause`. */
export function explainTlsFailure(error: unknown, where: string): FtpError {
  if (!(error instanceof FtpError) || error.code !== "ERR_FTP_TLS") {
    return error instanceof FtpError ? error : new FtpTlsError(`TLS on ${where} failed`, { cause: error });
  }
  const cause = error.cause as (Error & { code?: string; reason?: string }) | undefined;
  const code = cause?.code;
  const reason = code ? REASONS[code] : undefined;
  if (!reason) return new FtpTlsError(`TLS on ${where} failed: ${error.message}`, { cause: error.cause ?? error });
  const detail = cause?.reason ?? cause?.message ?? "";
  return new FtpTlsError(`TLS on ${where} failed: ${reason} (${code}${detail ? `: ${detail}` : ""})`, { cause });
}

/** Implicit FTPS: the handshake comes before the greeting. */
export async function secureImplicit(channel: ReplyChannel, options: ResolvedClientOptions): Promise<ClientTlsState> {
  return secureControl(channel, options, "implicit");
}

/**
 * Explicit FTPS: AUTH TLS, then the handshake on the same socket. The reply
 * parser restarts on the TLS socket; whatever arrived in clear after the 234
 * is thrown away unread (`ReplyChannel.upgrade`).
 */
export async function authTls(channel: ReplyChannel, options: ResolvedClientOptions): Promise<ClientTlsState> {
  const reply = await channel.request("AUTH", "TLS");
  // 334 is what some older servers answer; curl accepts it as well.
  if (reply.code !== 234 && reply.code !== 334) {
    throw new FtpTlsError(`The server refused AUTH TLS: ${reply.code} ${reply.message}`, { reply, command: "AUTH TLS" });
  }
  return secureControl(channel, options, "explicit");
}

async function secureControl(channel: ReplyChannel, options: ResolvedClientOptions, mode: "explicit" | "implicit"): Promise<ClientTlsState> {
  let secured: TLSSocket | undefined;
  const where = `the control connection to ${options.host} port ${options.port}`;
  await channel.upgrade(async (socket: ClientControlSocket) => {
    try {
      secured = await connectTls(socket as Socket, tlsOptionsFor(options, options.timeouts.connect));
    } catch (error) {
      throw explainTlsFailure(error, where);
    }
    return secured;
  });
  const state = new ClientTlsState(secured!, mode, options.dataProtection);
  debug("control connection secured (%s, %s)", mode, secured!.getProtocol());
  return state;
}

/**
 * PBSZ 0 then PROT P or PROT C, after login (curl's and FileZilla's order;
 * every server accepts it there). A refusal is ERR_FTP_TLS: going on would
 * leave the data in a state the caller did not ask for.
 */
export async function negotiateProtection(session: Session, state: ClientTlsState): Promise<void> {
  const implicit = state.mode === "implicit";
  const pbsz = await session.request("PBSZ", "0");
  // "No such command" from an implicit-only server: it assumes PBSZ 0 + PROT P.
  if (isFailure(pbsz.code) && !(implicit && isUnknownCommand(pbsz.code))) {
    throw new FtpTlsError(`The server refused PBSZ 0: ${pbsz.code} ${pbsz.message}`, { reply: pbsz, command: "PBSZ 0" });
  }
  const level = state.dataProtection === "private" ? "P" : "C";
  const prot = await session.request("PROT", level);
  if (isFailure(prot.code)) {
    if (implicit && isUnknownCommand(prot.code)) {
      // [MS-FTPS]: implicit sessions start in PROT P.
      state.dataProtection = "private";
      return;
    }
    throw new FtpTlsError(`The server refused PROT ${level}: ${prot.code} ${prot.message}`, { reply: prot, command: `PROT ${level}` });
  }
}

/**
 * TLS on one data connection, as the TLS client whoever connected (RFC 4217
 * §9), resuming the control connection's session. Called once the server
 * has answered the transfer command, because pyftpdlib resets a data
 * handshake that arrives before it has read the command.
 */
export async function secureDataConnection(session: Session, state: ClientTlsState, socket: Socket): Promise<TLSSocket> {
  const resume = state.sessions.latest;
  let secured: TLSSocket;
  try {
    secured = await connectTls(socket, tlsOptionsFor(session.options, session.options.timeouts.data, resume));
  } catch (error) {
    socket.destroy();
    throw explainTlsFailure(error, "the data connection");
  }
  state.dataConnections++;
  if (secured.isSessionReused()) state.resumedDataConnections++;
  debug("data connection secured (%s, %s)", secured.getProtocol(), secured.isSessionReused() ? "session resumed" : "full handshake");
  return secured;
}

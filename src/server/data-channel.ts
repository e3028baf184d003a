/**
 * The server half of the data-channel manager: one per session. It holds at
 * most one pending data connection setup — a passive listener (PASV/EPSV)
 * or an active target (PORT/EPRT) — and turns it into a socket when a
 * transfer starts. The passive port is kept between transfers (re-armed by
 * the next PASV/EPSV, refusing every connection meanwhile) and given back
 * after 10 s without use or when the session ends. Every data socket passes through `secureDataSocket()`,
 * the single seam where FTPS (PROT P) wraps it in TLS.
 *
 * A passive connection is accepted (and, under PROT P, its TLS handshake
 * started) as soon as the client connects, not when the transfer command
 * arrives: curl and ftplib handshake after the 150 reply, other clients
 * right after the TCP connect, and both orders must work. The transfer
 * waits for `secure`.
 */
import type { Server, Socket } from "node:net";
import type { Duplex } from "node:stream";
import { TLSSocket, type SecureContext } from "node:tls";
import createDebug from "debug";
import { FtpAbortError, FtpDataConnectionError, FtpTlsError } from "../errors.js";
import { connectData } from "../data/data-connect.js";
import { DataListener } from "../data/data-listener.js";
import { unmapIPv4 } from "../protocol/host-port.js";
import { abortable } from "../io/abortable.js";
import { endSocket } from "../io/socket-end.js";
import { acceptTls } from "../tls/secure-socket.js";
import { readProxyHeader } from "./proxy-handshake.js";

const debug = createDebug("ftpwire:data");

/** A data socket as transfers see it: plain TCP, or TLS under PROT P. */
export type DataSocket = Socket | Duplex;

/** How a data connection must be protected (PROT P), decided when it is established. */
export interface DataTlsPolicy {
  /** The server's one context, so the client can resume its control connection's session. */
  readonly secureContext: SecureContext;
  readonly timeoutMs: number;
  /** Refuse a data connection that does not resume a TLS session (vsftpd's require_ssl_reuse). */
  readonly requireSessionReuse: boolean;
  /** The FTP session's TLS session-ID cache, so TLS 1.2 clients resuming by ID (curl) can resume. */
  readonly sessionServer?: Server;
}

export interface DataChannelContext {
  /** Local address of the control connection (unmapped). */
  readonly localAddress: string;
  /** Remote address of the control connection (unmapped): the only peer allowed on the data port. */
  readonly remoteAddress: string;
  /**
   * The load balancer the client came through (PROXY protocol): passive data
   * connections from it are accepted when vouched for (its PROXY header names
   * the session's client, or `passive: "balancer"` opts out of the check).
   */
  readonly balancer?: { readonly passive: "header" | "balancer"; readonly isTrusted: (address: string) => boolean; readonly timeoutMs: number } | undefined;
  readonly portRange: readonly [number, number] | undefined;
  readonly timeoutMs: number;
  /** The TLS policy for a data connection established now (undefined: clear, PROT C). */
  readonly tls?: () => DataTlsPolicy | undefined;
}

/** A TLS data connection that did not resume a session while reuse is required (the session answers 522). */
export class DataTlsReuseError extends FtpTlsError {
  constructor() {
    super("The TLS data connection did not resume the control connection's session");
  }
}

/**
 * The seam for data-connection security: under PROT P the server side of
 * the TLS handshake runs on the socket (the FTP client is always the TLS
 * client, as RFC 4217 asks, whoever opened the TCP connection).
 */
export async function secureDataSocket(socket: Socket, context: DataChannelContext): Promise<DataSocket> {
  const policy = context.tls?.();
  if (!policy) return socket;
  const secure = await acceptTls(socket, {
    secureContext: policy.secureContext,
    timeoutMs: policy.timeoutMs,
    sessionServer: policy.sessionServer,
  });
  if (policy.requireSessionReuse && !secure.isSessionReused()) {
    debug("refusing a TLS data connection without session reuse");
    secure.destroy();
    throw new DataTlsReuseError();
  }
  debug("TLS data connection: %s, resumed: %s", secure.getProtocol(), secure.isSessionReused());
  return secure;
}

interface PendingPassive {
  readonly listener: DataListener;
  /** The accepted TCP socket, once there is one (destroyed on abort, also mid-handshake). */
  readonly accepted: { raw?: Socket };
  readonly socket: Promise<DataSocket>;
}

/**
 * How long a session keeps its passive port after a transfer. Binding a new
 * port per transfer was the largest single cost of a small-file transfer on
 * the server (listen, address lookup, close); a session moving many files
 * reuses one port, and an idle one gives it back soon.
 */
const KEEP_PASSIVE_PORT_MS = 10_000;

export class ServerDataChannel {
  private pending: PendingPassive | undefined;
  private active: { host: string; port: number } | undefined;
  private readonly context: DataChannelContext;
  /** The session's passive port, kept between transfers (refusing every connection while not armed). */
  private kept: DataListener | undefined;
  private keptTimer: NodeJS.Timeout | undefined;

  constructor(context: DataChannelContext) {
    this.context = context;
  }

  /** True when PASV/EPSV/PORT/EPRT prepared a connection for the next transfer. */
  get prepared(): boolean {
    return this.pending !== undefined || this.active !== undefined;
  }

  /** Opens a passive listener on the control connection's local address (replacing any previous setup). */
  async listen(): Promise<DataListener> {
    this.close();
    let listener = this.kept;
    if (listener?.listening) {
      this.stopKeepTimer();
      listener.rearm();
    } else {
      listener = await DataListener.open({
        host: this.context.localAddress,
        portRange: this.context.portRange,
        acceptFrom: this.context.remoteAddress,
        vouch: this.context.balancer && ((socket, remote) => this.vouchForBalancer(socket, remote)),
        timeoutMs: this.context.timeoutMs,
        reusable: true,
      });
      listener.on("rejected", (address) => debug("refused data connection from foreign address %s", address));
      this.kept = listener;
    }
    const accepted: { raw?: Socket } = {};
    const socket = listener
      .accept()
      .then((raw) => {
        accepted.raw = raw;
        raw.setNoDelay(true);
        return secureDataSocket(raw, this.context);
      })
      .finally(() => this.startKeepTimer());
    // Nobody may be waiting yet; the failure is seen by open() (or dropped with the setup).
    socket.catch(() => undefined);
    this.pending = { listener, accepted, socket };
    return listener;
  }

  private async vouchForBalancer(socket: Socket, remote: string): Promise<boolean> {
    const balancer = this.context.balancer!;
    if (!balancer.isTrusted(remote)) return false;
    if (balancer.passive === "balancer") return true;
    const header = await readProxyHeader(socket, balancer.timeoutMs);
    return header.source !== undefined && unmapIPv4(header.source.address) === this.context.remoteAddress;
  }

  /** Remembers where to connect for the next transfer (replacing any previous setup). */
  connectTo(host: string, port: number): void {
    this.close();
    this.active = { host: unmapIPv4(host), port };
  }

  /** The data socket for one transfer; the setup is used up either way. */
  async open(signal: AbortSignal): Promise<DataSocket> {
    const pending = this.pending;
    const active = this.active;
    this.pending = undefined;
    this.active = undefined;
    if (pending) {
      return abortableSocket(pending.socket, signal, () => {
        pending.listener.disarm();
        pending.accepted.raw?.destroy();
      });
    }
    if (active) {
      const socket = await connectData({
        host: active.host,
        port: active.port,
        localAddress: this.context.localAddress,
        timeoutMs: this.context.timeoutMs,
        signal,
      });
      socket.setNoDelay(true);
      return abortableSocket(secureDataSocket(socket, this.context), signal, () => socket.destroy());
    }
    throw new FtpDataConnectionError("No data connection was prepared (PASV/EPSV/PORT/EPRT)");
  }

  /**
   * Drops any pending setup (stops waiting on the passive port, destroys an
   * unclaimed connection). The port itself stays for the next PASV/EPSV
   * until `dispose()` or a while without use.
   */
  close(): void {
    const pending = this.pending;
    this.pending = undefined;
    this.active = undefined;
    if (!pending) return;
    pending.listener.disarm();
    pending.accepted.raw?.destroy();
    pending.socket.then((socket) => socket.destroy(), () => undefined);
  }

  /** Closes everything, the kept passive port included (the session is over or starts afresh). */
  dispose(): void {
    this.close();
    this.stopKeepTimer();
    this.kept?.close();
    this.kept = undefined;
  }

  private startKeepTimer(): void {
    this.stopKeepTimer();
    this.keptTimer = setTimeout(() => {
      if (this.pending) return; // waiting again: the next transfer restarts the clock
      this.kept?.close();
      this.kept = undefined;
    }, KEEP_PASSIVE_PORT_MS);
    this.keptTimer.unref();
  }

  private stopKeepTimer(): void {
    if (this.keptTimer) clearTimeout(this.keptTimer);
    this.keptTimer = undefined;
  }
}

/** The data socket, or an FtpAbortError as soon as `signal` fires (then `cancel()` runs and a late socket is destroyed). */
function abortableSocket(socket: Promise<DataSocket>, signal: AbortSignal, cancel: () => void): Promise<DataSocket> {
  // Registered before abortable()'s own listener, so the setup is cancelled before the caller hears of the abort.
  if (signal.aborted) cancel();
  else signal.addEventListener("abort", cancel, { once: true });
  return abortable(socket, signal, {
    reason: () => new FtpAbortError("Waiting for the data connection was aborted"),
    discard: (late) => late.destroy(),
  }).finally(() => signal.removeEventListener("abort", cancel));
}

/**
 * Ends a data socket after its transfer. A TLS socket that finished well is
 * ended (close_notify, which ftplib's unwrap() waits for) rather than cut;
 * anything else is destroyed at once.
 */
export function closeDataSocket(socket: DataSocket, ok: boolean): void {
  if (!ok || !(socket instanceof TLSSocket) || socket.destroyed) {
    socket.destroy();
    return;
  }
  endSocket(socket);
}

export function bytesOf(socket: DataSocket, direction: "read" | "written"): number {
  const s = socket as { bytesRead?: number; bytesWritten?: number };
  return (direction === "read" ? s.bytesRead : s.bytesWritten) ?? 0;
}

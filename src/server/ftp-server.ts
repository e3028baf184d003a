/**
 * The server facade: accepts TCP connections, enforces connection limits,
 * hands each socket to a Session, and runs a graceful shutdown. Hooks (in
 * the options) decide; events inform. Never installs process signal
 * handlers: stopping is the application's call (`close()`).
 */
import { EventEmitter } from "node:events";
import { createServer as createNetServer, type AddressInfo, type Server, type Socket } from "node:net";
import type { Duplex } from "node:stream";
import { setTimeout as delay } from "node:timers/promises";
import createDebug from "debug";
import { unmapIPv4 } from "../protocol/host-port.js";
import { formatReply } from "../protocol/reply-formatter.js";
import { endSocket } from "../io/socket-end.js";
import { acceptTls } from "../tls/secure-socket.js";
import type { TypedEmitter } from "../typed-emitter.js";
import { createTlsSessionCache } from "./tls-session-cache.js";
import { readProxyHeader, refuseUntrustedProxyHeader } from "./proxy-handshake.js";
import type { ReleaseConnection } from "./shared-state.js";
import { passiveRangeWarning, READ_EPHEMERAL_RANGE, readEphemeralPortRange } from "./ephemeral-ports.js";
import { SERVER_DEFAULTS } from "./defaults.js";
import { resolveServerOptions, type FtpServerOptions, type ResolvedServerOptions } from "./options.js";
import { Session, type SessionHost, type SessionPeer } from "./session.js";
import type { FtpServerEvents, FtpSession } from "./types.js";

const debug = createDebug("ftpwire:server");

/** After the 421s, sessions still open this long are destroyed. */
const HARD_STOP_MS = 3000;

export interface ListenOptions {
  /** Default "0.0.0.0". */
  readonly host?: string;
  /** Default 21; 0 picks a free port. */
  readonly port?: number;
}

export class FtpServer extends (EventEmitter as new () => TypedEmitter<FtpServerEvents>) {
  readonly options: ResolvedServerOptions;
  private readonly server: Server;
  private readonly sessions = new Set<Session>();
  /** Frees each session's slot in the shared connection count. */
  private readonly releases = new Map<Session, ReleaseConnection>();
  /** Connections not yet sessions (PROXY header, shared count, implicit TLS): counted against maxConnections. */
  private readonly handshaking = new Set<Duplex>();
  private readonly host: SessionHost;
  private nextId = 1;
  /** Where listen() reads the kernel's ephemeral port range (internal: replaced in tests). */
  [READ_EPHEMERAL_RANGE]: () => readonly [number, number] | undefined = () => readEphemeralPortRange();
  private closing: Promise<void> | undefined;
  /** Set while close() waits for the last session to go. */
  private onLastSession: (() => void) | undefined;

  constructor(options: FtpServerOptions) {
    super();
    this.options = resolveServerOptions(options);
    this.server = createNetServer({ noDelay: true }, (socket) => this.handleConnection(socket));
    this.server.on("error", (error) => this.reportError(error));
    this.host = {
      options: this.options,
      emit: (event, ...args) => this.safeEmit(event, ...(viewed(args) as typeof args)),
      reportError: (error, session) => this.reportError(error, session),
      sessionClosed: (session) => this.onSessionClosed(session),
    };
  }

  /** Starts listening; resolves with the bound address. */
  listen(options: ListenOptions = {}): Promise<AddressInfo> {
    const host = options.host ?? SERVER_DEFAULTS.host;
    const port = options.port ?? SERVER_DEFAULTS.port;
    return new Promise((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      this.server.once("error", onError);
      this.server.listen({ host, port }, () => {
        this.server.off("error", onError);
        const address = this.server.address() as AddressInfo;
        debug("listening on %s port %d", address.address, address.port);
        const warning = passiveRangeWarning(this.options.portRange, this[READ_EPHEMERAL_RANGE]());
        if (warning) process.emitWarning(warning, { code: "FTPWIRE_PASSIVE_RANGE_EPHEMERAL" });
        this.safeEmit("listening", address);
        resolve(address);
      });
    });
  }

  /** The bound address, once listening. */
  address(): AddressInfo | undefined {
    const address = this.server.address();
    return typeof address === "object" && address !== null ? address : undefined;
  }

  /** Sessions currently connected (their read-only façades). */
  get connections(): readonly FtpSession[] {
    return [...this.sessions].map((session) => session.view);
  }

  /**
   * Stops accepting connections, lets running transfers finish for up to
   * `graceMs` (default `shutdownGraceMs`), then sends 421 to every session,
   * closes them and resolves once the last session is gone (every
   * 'disconnect' emitted). Calling it again returns the same promise.
   */
  close(options: { graceMs?: number } = {}): Promise<void> {
    this.closing ??= this.shutdown(options.graceMs ?? this.options.shutdownGraceMs);
    return this.closing;
  }

  /** `await using server = createServer(…)`: close() with its default grace period. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private async shutdown(graceMs: number): Promise<void> {
    const stopped = new Promise<void>((resolve) => {
      if (!this.server.listening) return resolve();
      this.server.close(() => resolve());
    });
    const deadline = Date.now() + graceMs;
    for (let round = 0; round < 1000; round++) {
      const running = [...this.sessions].flatMap((s) => (s.transfer ? [s.transfer.done] : []));
      const left = deadline - Date.now();
      if (running.length === 0 || left <= 0) break;
      const timer = new AbortController();
      await Promise.race([Promise.all(running), delay(left, undefined, { signal: timer.signal }).catch(() => undefined)]);
      timer.abort();
    }
    for (const socket of this.handshaking) socket.destroy();
    for (const session of this.sessions) session.shutdown();
    // A session whose storage call hangs must not hold the shutdown forever.
    const hardStop = new AbortController();
    const forced = delay(HARD_STOP_MS, undefined, { signal: hardStop.signal }).then(
      () => {
        for (const session of this.sessions) session.destroy();
      },
      () => undefined,
    );
    await stopped;
    // The listener's close callback can run before the sockets' 'close' events
    // (Node counts a connection gone when it is destroyed), and an injected
    // Duplex never counted: wait for the sessions themselves.
    await this.sessionsGone();
    hardStop.abort();
    await forced;
    this.safeEmit("close");
  }

  /** Resolves once no session is left (each one's 'disconnect' emitted). */
  private sessionsGone(): Promise<void> {
    if (this.sessions.size === 0) return Promise.resolve();
    return new Promise((resolve) => (this.onLastSession = resolve));
  }

  /**
   * Serves one connection that did not come through `listen()`: a socket
   * from your own listener, a tunnel, or any Duplex (a test's, an SSH
   * channel's). It counts against the connection limits, gets implicit TLS
   * when `secure` is "implicit", and its session is closed by `close()`.
   * Addresses are read from `remoteAddress`/`remotePort`/`localAddress` when
   * the stream has them ("" and 0 otherwise; PASV then needs
   * `passive.publicAddress`, and PORT/EPRT are refused unless `allowFxp`).
   */
  handleConnection(socket: Duplex): void {
    socket.on("error", (error) => debug("socket error before session: %s", error.message));
    if (this.closing) {
      socket.destroy();
      return;
    }
    // Counted as open from the first byte: the PROXY header, the shared
    // connection count and an implicit TLS handshake all take time.
    this.handshaking.add(socket);
    this.admit(socket).catch((error: unknown) => {
      this.handshaking.delete(socket);
      this.reportError(error);
      socket.destroy();
    });
  }

  /** PROXY header, connection limits, implicit TLS, then the session. */
  private async admit(socket: Duplex): Promise<void> {
    const real = unmapIPv4((socket as Partial<Socket>).remoteAddress ?? "");
    const peer = await this.identifyPeer(socket, real);
    if (!peer || this.closing) {
      this.handshaking.delete(socket);
      socket.destroy();
      return;
    }
    const limits = this.options.limits;
    const open = this.sessions.size + this.handshaking.size - 1;
    const release =
      open >= limits.maxConnections ? undefined : await this.options.sharedState.claimConnection(peer.remoteAddress, limits.maxConnectionsPerAddress);
    if (!release) {
      this.handshaking.delete(socket);
      const why = open >= limits.maxConnections ? "Too many connections" : "Too many connections from your address";
      debug("refusing %s: %s", peer.remoteAddress, why);
      (socket as Partial<Socket>).setNoDelay?.(true);
      endSocket(socket, formatReply(421, why));
      return;
    }
    if (this.closing) {
      this.handshaking.delete(socket);
      release();
      socket.destroy();
      return;
    }
    const secureContext = this.options.secureContext;
    if (this.options.secure !== "implicit" || !secureContext) {
      this.handshaking.delete(socket);
      return this.startSession(socket, peer, release);
    }
    // Implicit FTPS: TLS from the first byte (after any PROXY header), then
    // the greeting. A failed handshake costs only this connection.
    const sessionCache = createTlsSessionCache();
    try {
      const secure = await acceptTls(socket as Socket, { secureContext, timeoutMs: this.options.timeouts.tlsHandshake, sessionServer: sessionCache });
      this.handshaking.delete(socket);
      if (this.closing) {
        secure.destroy();
        release();
      } else this.startSession(secure, peer, release, sessionCache);
    } catch (error) {
      this.handshaking.delete(socket);
      debug("implicit TLS handshake from %s failed: %s", peer.remoteAddress, (error as Error).message);
      release();
    }
  }

  /**
   * Who the client is: the socket's peer, or (from a trusted balancer, with
   * `proxyProtocol`) the client its PROXY header names. Undefined: refused.
   */
  private async identifyPeer(socket: Duplex, real: string): Promise<SessionPeer | undefined> {
    const own: SessionPeer = { remoteAddress: real, remotePort: (socket as Partial<Socket>).remotePort ?? 0, viaBalancer: undefined };
    const proxy = this.options.proxyProtocol;
    if (!proxy) return own;
    if (!proxy.isTrusted(real)) {
      refuseUntrustedProxyHeader(socket, real);
      return own;
    }
    try {
      const header = await readProxyHeader(socket, proxy.timeoutMs);
      // LOCAL (the balancer's health check) and headers without a TCP client stand for the balancer itself.
      if (!header.source) return own;
      return { remoteAddress: unmapIPv4(header.source.address), remotePort: header.source.port, viaBalancer: real };
    } catch (error) {
      debug("PROXY header from %s refused: %s", real, (error as Error).message);
      return undefined;
    }
  }

  private startSession(socket: Duplex, peer: SessionPeer, release: ReleaseConnection, tlsSessionCache?: Server): void {
    const session = new Session(this.nextId++, socket, this.host, peer, tlsSessionCache);
    this.sessions.add(session);
    this.releases.set(session, release);
    this.safeEmit("connection", session.view);
    session.start();
  }

  private onSessionClosed(session: Session): void {
    if (!this.sessions.delete(session)) return;
    this.releases.get(session)?.();
    this.releases.delete(session);
    this.safeEmit("disconnect", { session: session.view });
    if (this.sessions.size === 0 && this.onLastSession) {
      const resolve = this.onLastSession;
      this.onLastSession = undefined;
      resolve();
    }
  }

  /** Emits without letting a throwing listener break the session that emitted. */
  private safeEmit<E extends keyof FtpServerEvents>(event: E, ...args: Parameters<FtpServerEvents[E]>): boolean {
    try {
      return (this.emit as (event: E, ...args: Parameters<FtpServerEvents[E]>) => boolean)(event, ...args);
    } catch (error) {
      if (event !== "error") this.reportError(error);
      return true;
    }
  }

  /** A failure inside a session: `error` event when someone listens, a debug line otherwise. */
  private reportError(error: unknown, session?: Session): void {
    const err = error instanceof Error ? error : new Error(String(error));
    debug("error%s: %s", session ? ` in session ${session.id}` : "", err.message);
    if (this.listenerCount("error") > 0) this.safeEmit("error", err, session?.view);
  }
}

/**
 * Event arguments as listeners get them: a Session, or an event object's
 * `session`, becomes its read-only façade (session-view.ts), whichever
 * handler emitted it.
 */
function viewed(args: readonly unknown[]): unknown[] {
  return args.map((arg) => {
    if (arg instanceof Session) return arg.view;
    const inner = typeof arg === "object" && arg !== null ? (arg as { session?: unknown }).session : undefined;
    return inner instanceof Session ? { ...(arg as object), session: inner.view } : arg;
  });
}

/** Creates a server; options are validated here (FtpInvalidOptionError). */
export function createServer(options: FtpServerOptions): FtpServer {
  return new FtpServer(options);
}

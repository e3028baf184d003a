/**
 * The client side of the control connection: owns one socket, turns the
 * bytes the server sends into `Reply` values (through `ReplyParser`) and
 * writes serialized commands. It knows nothing of login or files.
 *
 * Replies are matched to waiters in order (FTP is strictly one reply stream),
 * so a reply that arrives before anyone waits — the greeting — is kept until
 * it is asked for. One control timeout runs while somebody waits and can be
 * suspended while a transfer owns the clock (the data timeout then).
 *
 * The socket sits behind one field and its listeners are (re)attached through
 * `attach()`, so AUTH TLS swaps the plain socket for a TLSSocket (`upgrade()`).
 */
import { EventEmitter } from "node:events";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
type TypedEmitter<E extends import("typed-emitter").EventMap> = import("typed-emitter").default<E>;
import createDebug from "debug";
import { FtpConnectionClosedError, FtpError, FtpProtocolError, FtpTimeoutError } from "../errors.js";
import { ReplyParser, type ReplyParserOptions } from "../protocol/reply-parser.js";
import { TELNET_ABORT_PREFIX, redactCommand, serializeCommand } from "../protocol/command-serializer.js";
import type { Reply } from "../protocol/types.js";

const debug = createDebug("ftpwire:client");

function ignore(): void {}

/** Anything that carries the control connection: a net.Socket, a TLSSocket or a test Duplex. */
export type ControlSocket = Duplex & Partial<Pick<Socket, "setNoDelay" | "remoteAddress" | "localAddress" | "remoteFamily">>;

export interface ReplyChannelOptions extends ReplyParserOptions {
  /** Milliseconds without any byte from the server, while a reply is awaited, before the connection is given up. 0 = never. */
  readonly timeoutMs?: number;
}

export type ReplyChannelEvents = {
  /** A command line was written (PASS shown as `PASS ***`). */
  command: (line: string) => void;
  /** A complete reply was received (preliminary ones included). */
  reply: (reply: Reply) => void;
  /** The channel closed; `error` is why (undefined after a clean `close()`). */
  close: (error: FtpError | undefined) => void;
};

interface Waiter {
  resolve: (reply: Reply) => void;
  reject: (error: FtpError) => void;
}

export class ReplyChannel extends (EventEmitter as new () => TypedEmitter<ReplyChannelEvents>) {
  private socket: ControlSocket;
  private readonly parser: ReplyParser;
  private readonly received: Reply[] = [];
  private readonly waiters: Waiter[] = [];
  private readonly timeoutMs: number;
  private timer: NodeJS.Timeout | undefined;
  private timeoutSuspended = false;
  private closedWith: FtpError | undefined;
  private closed = false;
  private detach: (() => void) | undefined;

  constructor(socket: ControlSocket, options: ReplyChannelOptions = {}) {
    super();
    const { timeoutMs = 30_000, ...parserOptions } = options;
    this.timeoutMs = timeoutMs;
    this.parser = new ReplyParser(parserOptions);
    this.socket = socket;
    this.attach(socket);
  }

  /** Encoding used both to decode replies and to encode command arguments. */
  get encoding(): "utf8" | "latin1" {
    return this.parser.encoding;
  }

  set encoding(value: "utf8" | "latin1") {
    this.parser.encoding = value;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Why the channel closed (undefined while open or after a clean close). */
  get closeError(): FtpError | undefined {
    return this.closedWith;
  }

  get remoteAddress(): string | undefined {
    return this.socket.remoteAddress;
  }

  get localAddress(): string | undefined {
    return this.socket.localAddress;
  }

  get remoteFamily(): string | undefined {
    return this.socket.remoteFamily;
  }

  /** The socket in use, e.g. to wrap it in TLS. */
  get currentSocket(): ControlSocket {
    return this.socket;
  }

  /**
   * Replaces the socket (AUTH TLS: the TLSSocket wrapping the old one).
   * Listeners move to the new socket; buffered partial lines are dropped,
   * since no reply may straddle the upgrade.
   */
  replaceSocket(socket: ControlSocket): void {
    this.detach?.();
    this.dropBuffered();
    this.socket = socket;
    this.attach(socket);
  }

  /**
   * Upgrades the connection in place (AUTH TLS, implicit FTPS): detaches from
   * the current socket, forgets everything received on it that nobody has
   * read — a partial line or whole replies an attacker could have injected
   * in clear text after the 234 — and hands the socket to `wrap` (the TLS
   * handshake). The wrapped socket replaces it. If `wrap` fails, the channel
   * closes with that error, which is also rethrown. Must be called between
   * replies (nobody waiting).
   */
  async upgrade(wrap: (socket: ControlSocket) => Promise<ControlSocket>): Promise<void> {
    this.assertOpen();
    if (this.waiters.length > 0) throw new FtpProtocolError("Cannot upgrade the control connection while a reply is awaited");
    const plain = this.socket;
    this.detach?.();
    this.detach = undefined;
    this.dropBuffered();
    // The handshake reports its own failures; a late error on the plain socket must not go unhandled.
    plain.on("error", ignore);
    let secured: ControlSocket;
    try {
      secured = await wrap(plain);
    } catch (error) {
      const failure = error instanceof FtpError ? error : new FtpConnectionClosedError("Upgrading the control connection failed", { cause: error });
      // Closed meanwhile (deadline, abort): that reason was first and stays the one reported.
      this.close(failure);
      throw this.closedWith ?? failure;
    }
    if (this.closed) {
      secured.destroy();
      throw this.closedError();
    }
    this.socket = secured;
    this.attach(secured);
  }

  /** Writes one command. Throws FtpInvalidArgumentError (CR/LF/NUL) before anything is sent. */
  write(verb: string, arg?: string): void {
    const bytes = serializeCommand(verb, arg, this.parser.encoding);
    this.assertOpen();
    const shown = redactCommand(verb, arg);
    debug("> %s", shown);
    this.emit("command", shown);
    this.socket.write(bytes);
  }

  /**
   * Writes ABOR preceded by Telnet IP + Synch (RFC 959 §4.1.3). Node offers
   * no urgent (out-of-band) send, so the Synch travels in-band; servers that
   * scan for IAC handle it, the others just see ABOR.
   */
  writeAbort(): void {
    this.assertOpen();
    debug("> ABOR (urgent)");
    this.emit("command", "ABOR");
    this.socket.cork();
    this.socket.write(TELNET_ABORT_PREFIX);
    this.socket.write(serializeCommand("ABOR"));
    process.nextTick(() => this.socket.uncork());
  }

  /** The next reply of any kind (preliminary 1xx included). */
  nextReply(): Promise<Reply> {
    const ready = this.received.shift();
    if (ready) return Promise.resolve(ready);
    if (this.closed) return Promise.reject(this.closedError());
    return new Promise<Reply>((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.armTimer();
    });
  }

  /**
   * Sends a command and resolves with its final (non-1xx) reply. Preliminary
   * replies are handed to `onPreliminary` (or skipped). Failure codes resolve
   * too: deciding what is an error is the caller's business.
   */
  async request(verb: string, arg?: string, onPreliminary?: (reply: Reply) => void): Promise<Reply> {
    this.write(verb, arg);
    return this.finalReply(onPreliminary);
  }

  /** Waits past 1xx replies for the next final one. */
  async finalReply(onPreliminary?: (reply: Reply) => void): Promise<Reply> {
    for (;;) {
      const reply = await this.nextReply();
      if (reply.code >= 200) return reply;
      onPreliminary?.(reply);
    }
  }

  /**
   * While a transfer runs the data timeout owns the clock: a long download
   * legitimately keeps the control connection silent for hours.
   */
  suspendTimeout(): void {
    this.timeoutSuspended = true;
    this.clearTimer();
  }

  resumeTimeout(): void {
    this.timeoutSuspended = false;
    this.armTimer();
  }

  /** Closes the socket; pending waiters reject with `error` (or ERR_FTP_CLOSED). Idempotent. */
  close(error?: FtpError): void {
    if (this.closed) return;
    this.closed = true;
    this.closedWith = error;
    this.clearTimer();
    this.detach?.();
    this.detach = undefined;
    // Keep swallowing late socket errors: nobody listens any more.
    this.socket.on("error", () => {});
    this.socket.destroy();
    const failure = this.closedError();
    for (const waiter of this.waiters.splice(0)) waiter.reject(failure);
    debug("control connection closed%s", error ? `: ${error.message}` : "");
    this.emit("close", error);
  }

  private dropBuffered(): void {
    if (this.received.length > 0 || this.parser.inReply || this.parser.bufferedBytes > 0) {
      debug("discarding %d unread repl%s and partial input received before the socket changed", this.received.length, this.received.length === 1 ? "y" : "ies");
    }
    this.received.length = 0;
    this.parser.reset();
  }

  private closedError(): FtpError {
    return this.closedWith ?? new FtpConnectionClosedError("The control connection is closed");
  }

  private assertOpen(): void {
    if (this.closed) throw this.closedError();
  }

  private attach(socket: ControlSocket): void {
    socket.setNoDelay?.(true);
    const onData = (chunk: Buffer) => this.onData(chunk);
    const onError = (cause: Error) =>
      this.close(new FtpConnectionClosedError(`Control connection failed: ${cause.message}`, { cause }));
    const onEnd = () => this.close(new FtpConnectionClosedError("The server closed the control connection"));
    socket.on("data", onData);
    socket.on("error", onError);
    socket.on("end", onEnd);
    socket.on("close", onEnd);
    this.detach = () => {
      socket.off("data", onData);
      socket.off("error", onError);
      socket.off("end", onEnd);
      socket.off("close", onEnd);
    };
  }

  private onData(chunk: Buffer): void {
    let replies: Reply[];
    try {
      replies = this.parser.push(chunk);
    } catch (error) {
      this.close(error instanceof FtpError ? error : new FtpConnectionClosedError("Reply parsing failed", { cause: error }));
      return;
    }
    // Any byte from the server shows it is alive.
    if (this.timer) this.armTimer();
    for (const reply of replies) {
      if (this.closed) return;
      debug("< %d %s", reply.code, reply.message);
      this.emit("reply", reply);
      const waiter = this.waiters.shift();
      if (waiter) waiter.resolve(reply);
      else this.received.push(reply);
      if (reply.code === 421) {
        // 421 is the server shutting the session down (idle timeout, shutdown, too many
        // users), whoever it answers: the reply is delivered, then the channel closes.
        this.close(new FtpConnectionClosedError(`Server closed the session: 421 ${reply.message}`, { reply }));
        return;
      }
    }
    if (this.waiters.length === 0) this.clearTimer();
  }

  private armTimer(): void {
    if (this.closed || this.timeoutSuspended || this.timeoutMs <= 0 || this.waiters.length === 0) {
      this.clearTimer();
      return;
    }
    // One Timeout per wait, restarted by every chunk: refresh() costs far less
    // than clearTimeout + setTimeout for each reply of a busy session.
    if (this.timer) {
      this.timer.refresh();
      return;
    }
    this.timer = setTimeout(() => {
      this.close(new FtpTimeoutError(`No reply from the server within ${this.timeoutMs} ms`));
    }, this.timeoutMs);
    this.timer.unref?.();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/**
 * The client's side of the control connection (the server's is
 * server-channel.ts): owns one socket, turns the bytes the server sends
 * into `Reply` values (through `ReplyParser`) and writes serialized
 * commands. It knows nothing of login or files.
 *
 * Replies are matched to waiters in order (FTP is strictly one reply stream),
 * so a reply that arrives before anyone waits — the greeting — is kept until
 * it is asked for. One control timeout runs while somebody waits and can be
 * suspended while a transfer owns the clock (the data timeout then). A
 * second clock, the reply deadline, bounds each reply as a whole: the
 * silence timeout is reset by every byte, so a server trickling a reply
 * one byte at a time would otherwise hold the caller forever.
 *
 * The socket sits behind one field and its listeners are (re)attached through
 * `attach()`, so AUTH TLS swaps the plain socket for a TLSSocket (`upgrade()`).
 */
import { EventEmitter } from "node:events";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import createDebug from "debug";
import { FtpConnectionClosedError, FtpError, FtpProtocolError, FtpTimeoutError } from "../errors.js";
import { ReplyParser, type ReplyParserOptions } from "../protocol/reply-parser.js";
import { TELNET_ABORT_PREFIX, redactCommand, serializeCommand } from "../protocol/command-serializer.js";
import { isServiceClosing } from "../protocol/reply-codes.js";
import type { Reply } from "../protocol/types.js";
import type { TypedEmitter } from "../typed-emitter.js";

const debug = createDebug("ftpwire:client");

function ignore(): void {}

/** What carries a client's control connection: a net.Socket, a TLSSocket, or any Duplex (a proxy tunnel, a test). */
export type ClientControlSocket = Duplex & Partial<Pick<Socket, "setNoDelay" | "remoteAddress" | "localAddress" | "remoteFamily">>;

export interface ReplyChannelOptions extends ReplyParserOptions {
  /** Milliseconds without any byte from the server, while a reply is awaited, before the connection is given up. 0 = never. */
  readonly timeoutMs?: number;
  /**
   * Milliseconds one reply may take, from when it is awaited (or the
   * previous reply completed, for the next waiter) to its last line,
   * however its bytes trickle in. Suspended with the silence timeout. 0 = never.
   */
  readonly replyTimeoutMs?: number;
  /** The clock of both timeouts; tests inject one they advance by hand. Default: Node's timers. */
  readonly timers?: ChannelTimers;
}

/** A re-armable one-shot timer, as Node's Timeout is. */
export interface ChannelTimer {
  refresh(): unknown;
  unref?(): unknown;
}

/** Where the channel gets its timers (an injected clock for tests). */
export interface ChannelTimers {
  setTimeout(callback: () => void, ms: number): ChannelTimer;
  clearTimeout(timer: ChannelTimer): void;
}

const NODE_TIMERS: ChannelTimers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (timer) => clearTimeout(timer as NodeJS.Timeout),
};

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
  reject: (error: unknown) => void;
  /**
   * A final-reply waiter stays first in line past 1xx replies (handing them
   * to `onPreliminary`) instead of being re-queued for each: one promise per
   * command, however many preliminary replies come first.
   */
  final: boolean;
  onPreliminary: ((reply: Reply) => void) | undefined;
}

export class ReplyChannel extends (EventEmitter as new () => TypedEmitter<ReplyChannelEvents>) {
  private socket: ClientControlSocket;
  private readonly parser: ReplyParser;
  private readonly received: Reply[] = [];
  private readonly waiters: Waiter[] = [];
  private readonly timeoutMs: number;
  /** The one Timeout of this channel, re-armed with refresh() for every wait (created on the first). */
  private timer: ChannelTimer | undefined;
  /** True while the timer counts: somebody waits and the timeout is not suspended. */
  private timing = false;
  private readonly replyTimeoutMs: number;
  /** The reply deadline: one Timeout too, re-armed for each reply. */
  private replyTimer: ChannelTimer | undefined;
  private readonly timers: ChannelTimers;
  private replyTiming = false;
  private timeoutSuspended = false;
  private closedWith: FtpError | undefined;
  private closed = false;
  private detach: (() => void) | undefined;

  constructor(socket: ClientControlSocket, options: ReplyChannelOptions = {}) {
    super();
    const { timeoutMs = 30_000, replyTimeoutMs = 0, timers = NODE_TIMERS, ...parserOptions } = options;
    this.timers = timers;
    this.timeoutMs = timeoutMs;
    this.replyTimeoutMs = replyTimeoutMs;
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
  get currentSocket(): ClientControlSocket {
    return this.socket;
  }

  /**
   * Replaces the socket (AUTH TLS: the TLSSocket wrapping the old one).
   * Listeners move to the new socket; buffered partial lines are dropped,
   * since no reply may straddle the upgrade.
   */
  replaceSocket(socket: ClientControlSocket): void {
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
  async upgrade(wrap: (socket: ClientControlSocket) => Promise<ClientControlSocket>): Promise<void> {
    this.assertOpen();
    if (this.waiters.length > 0) throw new FtpProtocolError("Cannot upgrade the control connection while a reply is awaited");
    const plain = this.socket;
    this.detach?.();
    this.detach = undefined;
    this.dropBuffered();
    // The handshake reports its own failures; a late error on the plain socket must not go unhandled.
    plain.on("error", ignore);
    let secured: ClientControlSocket;
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
    // The redacted line is only built for someone who reads it.
    if (debug.enabled || this.listenerCount("command") > 0) {
      const shown = redactCommand(verb, arg);
      if (debug.enabled) debug("> %s", shown);
      this.emit("command", shown);
    }
    this.socket.write(bytes);
  }

  /**
   * Writes ABOR preceded by Telnet IP + Synch (RFC 959 §4.1.3). Node offers
   * no urgent (out-of-band) send, so the Synch travels in-band; servers that
   * scan for IAC handle it, the others just see ABOR.
   */
  writeAbort(): void {
    this.assertOpen();
    if (debug.enabled) debug("> ABOR (urgent)");
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
    return this.wait(false, undefined);
  }

  /**
   * Sends a command and resolves with its final (non-1xx) reply. Preliminary
   * replies are handed to `onPreliminary` (or skipped). Failure codes resolve
   * too: deciding what is an error is the caller's business. A command that
   * cannot be written rejects (never throws).
   */
  request(verb: string, arg?: string, onPreliminary?: (reply: Reply) => void): Promise<Reply> {
    try {
      this.write(verb, arg);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.finalReply(onPreliminary);
  }

  /** Waits past 1xx replies for the next final one. */
  finalReply(onPreliminary?: (reply: Reply) => void): Promise<Reply> {
    // Replies that arrived before anyone asked come first, in order.
    while (this.received.length > 0) {
      const reply = this.received.shift()!;
      if (reply.code >= 200) return Promise.resolve(reply);
      try {
        onPreliminary?.(reply);
      } catch (error) {
        return Promise.reject(error);
      }
    }
    return this.wait(true, onPreliminary);
  }

  private wait(final: boolean, onPreliminary: ((reply: Reply) => void) | undefined): Promise<Reply> {
    if (this.closed) return Promise.reject(this.closedError());
    return new Promise<Reply>((resolve, reject) => {
      this.waiters.push({ resolve, reject, final, onPreliminary });
      this.armTimer();
    });
  }

  /**
   * While a transfer runs the data timeout owns the clock: a long download
   * legitimately keeps the control connection silent for hours.
   */
  suspendTimeout(): void {
    this.timeoutSuspended = true;
    this.timing = false;
    this.replyTiming = false;
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
    this.socket.on("error", ignore);
    this.socket.destroy();
    if (this.waiters.length > 0) {
      const failure = this.closedError();
      for (const waiter of this.waiters.splice(0)) waiter.reject(failure);
    }
    if (debug.enabled) debug("control connection closed%s", error ? `: ${error.message}` : "");
    this.emit("close", error);
  }

  private dropBuffered(): void {
    if (debug.enabled && (this.received.length > 0 || this.parser.inReply || this.parser.bufferedBytes > 0)) {
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

  private attach(socket: ClientControlSocket): void {
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
    if (this.timing) this.timer!.refresh();
    for (let i = 0; i < replies.length; i++) {
      const reply = replies[i]!;
      if (this.closed) return;
      if (debug.enabled) debug("< %d %s", reply.code, reply.message);
      this.emit("reply", reply);
      const waiter = this.waiters[0];
      if (waiter === undefined) this.received.push(reply);
      else if (waiter.final && reply.code < 200) this.preliminary(waiter, reply);
      else {
        this.waiters.shift();
        waiter.resolve(reply);
      }
      if (isServiceClosing(reply.code)) {
        // 421 is the server shutting the session down (idle timeout, shutdown, too many
        // users), whoever it answers: the reply is delivered, then the channel closes.
        this.close(new FtpConnectionClosedError(`Server closed the session: 421 ${reply.message}`, { reply }));
        return;
      }
    }
    if (this.waiters.length === 0) {
      this.timing = false;
      this.replyTiming = false;
    } else if (replies.length > 0 && this.replyTiming) {
      // The next waiter's reply gets its own full deadline.
      this.replyTimer!.refresh();
    }
  }

  /** A 1xx for a final-reply waiter: handed over; the waiter keeps its place. */
  private preliminary(waiter: Waiter, reply: Reply): void {
    if (waiter.onPreliminary === undefined) return;
    try {
      waiter.onPreliminary(reply);
    } catch (error) {
      // As when the caller's own loop threw: its promise rejects, the channel goes on.
      const index = this.waiters.indexOf(waiter);
      if (index !== -1) this.waiters.splice(index, 1);
      waiter.reject(error);
    }
  }

  /**
   * Starts (or restarts) the wait timeout. One Timeout serves the channel's
   * whole life: refresh() re-arms it far more cheaply than clearTimeout +
   * setTimeout for every reply. When nobody waits it is not cleared, only
   * marked idle (`timing` false): if it fires then, it does nothing.
   */
  private armTimer(): void {
    if (this.closed || this.timeoutSuspended || this.waiters.length === 0) {
      this.timing = false;
      this.replyTiming = false;
      return;
    }
    this.armReplyDeadline();
    if (this.timeoutMs <= 0) {
      this.timing = false;
      return;
    }
    this.timing = true;
    if (this.timer) {
      this.timer.refresh();
      return;
    }
    this.timer = this.timers.setTimeout(() => this.onTimeout(), this.timeoutMs);
    this.timer.unref?.();
  }

  /** Starts the reply deadline unless it already runs for the reply being read. */
  private armReplyDeadline(): void {
    if (this.replyTimeoutMs <= 0 || this.replyTiming) return;
    this.replyTiming = true;
    if (this.replyTimer) {
      this.replyTimer.refresh();
      return;
    }
    this.replyTimer = this.timers.setTimeout(() => this.onReplyDeadline(), this.replyTimeoutMs);
    this.replyTimer.unref?.();
  }

  private onReplyDeadline(): void {
    if (!this.replyTiming || this.closed) return;
    this.close(new FtpTimeoutError(`The server's reply did not complete within ${this.replyTimeoutMs} ms`));
  }

  private onTimeout(): void {
    if (!this.timing || this.closed) return;
    this.close(new FtpTimeoutError(`No reply from the server within ${this.timeoutMs} ms`));
  }

  private clearTimer(): void {
    this.timing = false;
    this.replyTiming = false;
    if (this.timer) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    if (this.replyTimer) this.timers.clearTimeout(this.replyTimer);
    this.replyTimer = undefined;
  }
}

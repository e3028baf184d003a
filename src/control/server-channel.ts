/**
 * The server's side of the control connection (the client's is
 * client-channel.ts): bytes in → command lines out, replies in → bytes
 * out. It owns exactly one socket, kept behind one field and wired through
 * one method (`attach`), so AUTH TLS can later swap the plain socket for a
 * `tls.TLSSocket` with `replaceSocket()`. It knows nothing of login, files
 * or transfers.
 */
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import createDebug from "debug";
import { endSocket } from "../io/socket-end.js";
import { CommandParser } from "../protocol/command-parser.js";
import { formatReply } from "../protocol/reply-formatter.js";
import type { CommandLine } from "../protocol/types.js";

const debug = createDebug("ftpwire:server");

/** A control socket: a TCP socket, a TLS socket or any Duplex injected by a test or tunnel. */
export type ServerControlSocket = Socket | Duplex;

export interface CommandChannelOptions {
  /** Longest accepted command line in bytes (longer lines are reported as "too-long"). */
  readonly maxLineLength: number;
  /** Stop reading commands while this many reply bytes wait to be sent (a client that never reads). */
  readonly maxPendingReplyBytes?: number;
}

export interface CommandChannelHandlers {
  /** One parsed line (a command, or a line that was too long). */
  onLine(line: CommandLine): void;
  /** The socket closed (either side); called once. */
  onClose(): void;
}

/** Shared by every channel: it needs no state. */
function onSocketError(error: Error): void {
  debug("control socket error: %s", error.message);
}

export class CommandChannel {
  private socket: ServerControlSocket;
  private readonly parser: CommandParser;
  private readonly handlers: CommandChannelHandlers;
  private readonly maxPending: number;
  private corked = false;
  /** Lines parsed after a command that may switch the socket (AUTH), kept until we know whether it did. */
  private held: CommandLine[] | undefined;
  private ended = false;
  private closedOnce = false;
  /** The session's queue is full: stop reading until it drains (`throttle()`). */
  private throttled = false;
  /** Waiting for 'drain' of reply bytes a client did not read. */
  private writeBlocked = false;
  // Two listeners per session, bound once; the rare drain handler is made
  // when first needed (a server holds thousands of idle channels).
  private readonly onData = (chunk: Buffer) => this.receive(chunk);
  private readonly onSocketClose = () => this.handleClose();
  private onDrain: (() => void) | undefined;

  constructor(socket: ServerControlSocket, options: CommandChannelOptions, handlers: CommandChannelHandlers) {
    this.socket = socket;
    this.parser = new CommandParser({ maxLineLength: options.maxLineLength, encoding: "utf8" });
    this.handlers = handlers;
    this.maxPending = options.maxPendingReplyBytes ?? 1 << 20;
    if ("setNoDelay" in socket && typeof socket.setNoDelay === "function") socket.setNoDelay(true);
    this.attach(socket);
  }

  /** The current socket (plain or TLS). */
  get current(): ServerControlSocket {
    return this.socket;
  }

  get isOpen(): boolean {
    // writableEnded: someone else closed the socket's sending side (e.g. the
    // server refusing an untrusted PROXY header): the lines still buffered
    // in that chunk must not run.
    return !this.ended && !this.closedOnce && !this.socket.destroyed && !this.socket.writableEnded;
  }

  /**
   * Swaps the socket, e.g. for a TLSSocket wrapping the old one after AUTH
   * TLS. Listeners move to the new socket; bytes buffered in the parser are
   * dropped (RFC 4217: nothing may follow AUTH before the handshake).
   */
  replaceSocket(next: ServerControlSocket): void {
    this.detach(this.socket);
    this.parser.reset();
    // Plaintext that followed AUTH before the handshake is an injection
    // (CVE-2011-0411 style); it must never run as a protected command.
    if (this.held?.length) debug("discarding %d plaintext line(s) received after AUTH", this.held.length);
    this.held = undefined;
    this.writeBlocked = false; // its 'drain' listener left with the old socket
    this.socket = next;
    this.attach(next);
  }

  /**
   * Stops delivering lines (and reading) after the current one, e.g. after
   * AUTH: what follows must wait until we know whether the socket changes.
   * `replaceSocket()` drops what was held; `release()` delivers it.
   */
  hold(): void {
    if (this.held) return;
    this.held = [];
    this.socket.pause();
  }

  /** True while `hold()` is in force. */
  get holding(): boolean {
    return this.held !== undefined;
  }

  /** Ends a `hold()` without a socket change: the held lines are delivered and reading resumes. */
  release(): void {
    const lines = this.held;
    if (!lines) return;
    this.held = undefined;
    for (const [index, line] of lines.entries()) {
      if (!this.isOpen) return;
      // A held line may itself hold (a second AUTH): the rest waits again.
      if (this.held) {
        (this.held as CommandLine[]).push(...lines.slice(index));
        return;
      }
      this.handlers.onLine(line);
    }
    this.resumeIfFree();
  }

  /**
   * Stops reading commands (true) or starts again (false), for the session's
   * queue: lines already parsed from the last chunk are still delivered, no
   * more bytes are read until the queue has room. A hold (AUTH) and reply
   * backpressure keep the socket paused whatever this says.
   */
  throttle(on: boolean): void {
    if (this.throttled === on) return;
    this.throttled = on;
    if (on) this.socket.pause();
    else this.resumeIfFree();
  }

  private resumeIfFree(): void {
    if (!this.held && !this.throttled && !this.writeBlocked) this.socket.resume();
  }

  /** Resolves once everything sent so far was handed to the operating system (before a TLS upgrade). */
  flush(): Promise<void> {
    const socket = this.socket;
    return new Promise((resolve) => {
      if (socket.destroyed || socket.writableEnded) return resolve();
      socket.write(Buffer.alloc(0), () => resolve());
    });
  }

  /** Sends one reply. Replies written in the same tick leave in one packet. */
  send(code: number, text?: string | readonly string[]): void {
    if (!this.isOpen) return;
    debug("> %d %s", code, typeof text === "string" ? text : (text?.[0] ?? ""));
    this.writeCorked(formatReply(code, text));
  }

  /** Sends a final reply (if any) and closes the connection once it is flushed. */
  end(code?: number, text?: string | readonly string[]): void {
    if (!this.isOpen) return;
    if (code !== undefined) this.send(code, text);
    this.ended = true;
    // A peer that never reads must not keep the socket forever.
    endSocket(this.socket);
  }

  destroy(): void {
    this.ended = true;
    this.socket.destroy();
  }

  private writeCorked(bytes: Buffer): void {
    const socket = this.socket;
    if (!this.corked) {
      this.corked = true;
      socket.cork();
      process.nextTick(() => {
        this.corked = false;
        socket.uncork();
      });
    }
    socket.write(bytes);
    if (socket.writableLength > this.maxPending && !this.writeBlocked) {
      this.writeBlocked = true;
      socket.pause();
      this.onDrain ??= () => {
        // Backpressure ends, but a hold (AUTH) or a full queue keeps the socket paused.
        this.writeBlocked = false;
        this.resumeIfFree();
      };
      socket.once("drain", this.onDrain);
    }
  }

  private receive(chunk: Buffer): void {
    let lines: CommandLine[];
    try {
      lines = this.parser.push(chunk);
    } catch (error) {
      debug("command parser failed: %s", (error as Error).message);
      this.destroy();
      return;
    }
    for (const line of lines) {
      if (!this.isOpen) return;
      if (this.held) this.held.push(line);
      else this.handlers.onLine(line);
    }
  }

  private handleClose(): void {
    if (this.closedOnce) return;
    this.closedOnce = true;
    this.handlers.onClose();
  }

  private attach(socket: ServerControlSocket): void {
    socket.on("data", this.onData);
    socket.on("error", onSocketError);
    socket.on("close", this.onSocketClose);
  }

  private detach(socket: ServerControlSocket): void {
    socket.off("data", this.onData);
    socket.off("error", onSocketError);
    socket.off("close", this.onSocketClose);
    if (this.onDrain) socket.off("drain", this.onDrain);
  }
}

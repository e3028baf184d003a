/**
 * One FTP session: the state machine behind one control connection.
 *
 * Dispatch rules (documented in docs/server.md):
 * - Commands run one at a time, in order, replies in the same order. A
 *   command that arrives while another is still running (a slow storage
 *   call, a delayed login failure, a pipelined batch) waits in a queue; a
 *   full queue stops reading the socket until it drains (backpressure).
 * - A transfer (RETR, STOR, LIST, …) runs in the background and the control
 *   socket keeps being read. ABOR, STAT and QUIT are handled at once while
 *   it runs; every other command is queued and runs after the transfer's
 *   final reply (past `limits.maxQueuedCommands`, 503).
 * - Closing the control connection aborts the running transfer.
 */
import type { Server } from "node:net";
import type { Readable, Transform, Writable } from "node:stream";
import { TLSSocket } from "node:tls";
import createDebug from "debug";
import { CommandChannel, type ServerControlSocket as ControlSocket } from "../control/server-channel.js";
import { unmapIPv4 } from "../protocol/host-port.js";
import { resolveVirtualPath } from "../protocol/paths.js";
import type { Command, CommandLine } from "../protocol/types.js";
import { FileSystemError, type FileSystem } from "../storage/file-system.js";
import { isKnownStorageError, storageErrorReply, transferStorageErrorReply } from "../storage/error-replies.js";
import { COMMAND_TABLE, type CommandSpec } from "./commands/table.js";
import { ServerDataChannel } from "./data-channel.js";
import { forgetUserState, initialProtocolState, reinitializeState, type ProtocolState } from "./protocol-state.js";
import { createSessionView } from "./session-view.js";
import { emitTransfer, pump, startTransfer, type ActiveTransfer, type LazyTarget, type PumpResult } from "./transfer.js";
import { IdleTimer } from "./idle-timer.js";
import { SessionTlsState } from "./tls-state.js";
import { resetCodecs } from "./transfer-codecs.js";
import type { ResolvedServerOptions } from "./options.js";
import type { FtpServerEvents, FtpSession } from "./types.js";

const debug = createDebug("ftpwire:server");

/** Commands answered at once while a transfer runs (RFC 959 §4.1.3: they are the point of urgent handling). */
const DURING_TRANSFER = new Set(["ABOR", "STAT", "QUIT"]);

/** Commands that leave a pending REST offset in place (they may sit between REST and the transfer). */
const KEEPS_REST = new Set(["REST", "PASV", "EPSV", "PORT", "EPRT", "TYPE", "MODE", "STRU", "NOOP", "RETR", "STOR", "APPE", "STOU"]);

/** What the session needs from the server that owns it. */
export interface SessionHost {
  readonly options: ResolvedServerOptions;
  emit<E extends keyof FtpServerEvents>(event: E, ...args: Parameters<FtpServerEvents[E]>): boolean;
  /** A failure inside the session; reported without taking the server down. */
  reportError(error: unknown, session: Session): void;
  sessionClosed(session: Session): void;
}

type SocketAddresses = { remoteAddress?: string; remotePort?: number; localAddress?: string };

/** Who the client is (its own address, or the one a trusted balancer's PROXY header named). */
export interface SessionPeer {
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** The balancer's own address when the client came through one (PROXY protocol). */
  readonly viaBalancer: string | undefined;
}

export type { ActiveTransfer, PumpResult } from "./transfer.js";

export class Session implements FtpSession {
  readonly id: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly data: Record<string, unknown> = {};
  /** What hooks and event listeners see of this session (session-view.ts). */
  readonly view: FtpSession = createSessionView(this);
  readonly host: SessionHost;
  readonly options: ResolvedServerOptions;
  readonly channel: CommandChannel;
  /** FTPS state: AUTH TLS / implicit, PBSZ, PROT (tls-state.ts). */
  readonly tls: SessionTlsState;
  get secure(): boolean {
    return this.tls.isSecure;
  }

  username: string | undefined;
  loggedIn = false;
  readOnly = false;
  fileSystem: FileSystem | undefined;
  failedLogins = 0;
  /** cwd, TYPE, REST offset, RNFR, EPSV ALL, MLST facts: one record (protocol-state.ts). */
  readonly state: ProtocolState = initialProtocolState();
  transfer: ActiveTransfer | undefined;
  /** QUIT was received during a transfer: nothing else runs. */
  quitting = false;

  // The protocol state under the names the handlers use.
  get cwd(): string {
    return this.state.cwd;
  }
  set cwd(value: string) {
    this.state.cwd = value;
  }
  get type(): "A" | "I" {
    return this.state.type;
  }
  set type(value: "A" | "I") {
    this.state.type = value;
  }
  get restOffset(): number {
    return this.state.restOffset;
  }
  set restOffset(value: number) {
    this.state.restOffset = value;
  }
  get renameFrom(): string | undefined {
    return this.state.renameFrom;
  }
  set renameFrom(value: string | undefined) {
    this.state.renameFrom = value;
  }
  get epsvAll(): boolean {
    return this.state.epsvAll;
  }
  set epsvAll(value: boolean) {
    this.state.epsvAll = value;
  }
  get mlstFacts(): readonly string[] {
    return this.state.mlstFacts;
  }
  set mlstFacts(value: readonly string[]) {
    this.state.mlstFacts = value;
  }

  private lazyDataChannel: ServerDataChannel | undefined;
  private queue: CommandLine[] | undefined;
  /** Lines queued since the running transfer started (bounded by `maxQueuedCommands`). */
  private queuedDuringTransfer = 0;
  private busy = false;
  private readonly idle: IdleTimer;
  /** Runs from the greeting (and from each REIN or USER) until a login succeeds; NOOPs do not reset it. */
  private loginTimer: NodeJS.Timeout | undefined;
  private closed = false;

  /** The balancer the client came through (PROXY protocol), if any. */
  private readonly viaBalancer: string | undefined;

  constructor(id: number, socket: ControlSocket & SocketAddresses, host: SessionHost, peer?: SessionPeer, tlsSessionCache?: Server) {
    this.id = id;
    this.host = host;
    this.options = host.options;
    this.remoteAddress = peer?.remoteAddress ?? unmapIPv4(socket.remoteAddress ?? "");
    this.remotePort = peer?.remotePort ?? socket.remotePort ?? 0;
    this.viaBalancer = peer?.viaBalancer;
    this.localAddress = unmapIPv4(socket.localAddress ?? "");
    this.idle = new IdleTimer(this.options.timeouts.idle, () => {
      debug("session %d idle, closing", this.id);
      this.channel.end(421, "Idle timeout: closing control connection");
    });
    this.tls = new SessionTlsState(this.options, socket instanceof TLSSocket ? socket : undefined, tlsSessionCache);
    this.channel = new CommandChannel(
      socket,
      { maxLineLength: this.options.limits.maxLineLength },
      { onLine: (line) => this.onLine(line), onClose: () => this.onClose() },
    );
  }

  /** The data-connection manager, made by the first command that needs it (most idle sessions never do). */
  get dataChannel(): ServerDataChannel {
    this.lazyDataChannel ??= new ServerDataChannel({
      localAddress: this.localAddress,
      remoteAddress: this.remoteAddress,
      balancer: this.viaBalancer === undefined ? undefined : this.options.proxyProtocol,
      portRange: this.options.portRange,
      timeoutMs: this.options.timeouts.data,
      tls: () => this.tls.dataPolicy(),
    });
    return this.lazyDataChannel;
  }

  /** Sends the greeting and starts the idle timer. */
  start(): void {
    this.reply(220, this.options.greeting);
    this.idle.start();
    this.armLoginTimer();
  }

  reply(code: number, text?: string | readonly string[]): void {
    this.channel.send(code, text);
  }

  /**
   * The storage reply for a failed storage call (never the error's text);
   * `afterPreliminary` once a transfer's 150 went out. An unknown failure
   * (451) is also reported as an `error` event.
   */
  replyStorageError(error: unknown, afterPreliminary = false): void {
    const { code, text } = afterPreliminary ? transferStorageErrorReply(error) : storageErrorReply(error);
    if (code === 451 && !isKnownStorageError(error)) this.host.reportError(error, this);
    this.reply(code, text);
  }

  /** Resolves a command argument against the current directory. */
  resolve(arg: string): string {
    // A name with CR, LF or NUL could be created but never listed or named again (553, issue 11).
    if (/[\r\n\0]/.test(arg)) throw new FileSystemError("EINVAL", "control character in a path");
    return resolveVirtualPath(this.cwd, arg);
  }

  /** The logged-in user's storage (handlers that need login only run after it). */
  get fs(): FileSystem {
    if (!this.fileSystem) throw new Error("no file system before login");
    return this.fileSystem;
  }

  /** Takes the pending REST offset (it applies to one transfer only). */
  takeRestOffset(): number {
    const offset = this.restOffset;
    this.restOffset = 0;
    return offset;
  }

  close(code = 421, text = "Closing control connection"): void {
    this.channel.end(code, text);
  }

  /** Forgets the login (USER while logged in, REIN). */
  resetLogin(): void {
    this.loggedIn = false;
    this.username = undefined;
    this.fileSystem = undefined;
    this.readOnly = false;
    forgetUserState(this.state);
    if (!this.closed) this.armLoginTimer();
  }

  /** REIN: back to the state right after the greeting (RFC 959 §4.1.1). */
  reinitialize(): void {
    this.resetLogin();
    reinitializeState(this.state);
    resetCodecs(this);
    this.lazyDataChannel?.dispose();
  }

  /** Ends the session for a server shutdown: aborts any transfer, 421, close. */
  shutdown(): void {
    const transfer = this.transfer;
    const goodbye = () => this.channel.end(421, "Service closing control connection");
    if (!transfer) return goodbye();
    // The transfer's 426 first, then the 421.
    this.quitting = true;
    transfer.aborted ??= "shutdown";
    transfer.after.push(goodbye);
    transfer.controller.abort();
  }

  /** Last resort of a shutdown: drops the connection without a reply. */
  destroy(): void {
    this.transfer?.controller.abort();
    this.channel.destroy();
  }

  // ---- transfers (transfer.ts) ----------------------------------------

  /**
   * Runs `body` as the session's transfer: in the background, with ABOR,
   * STAT and QUIT handled meanwhile and other commands queued until it ends.
   */
  startTransfer(verb: string, path: string, body: (transfer: ActiveTransfer) => Promise<void>): void {
    this.queuedDuringTransfer = 0;
    // Reading may be paused by a full queue; ABOR, STAT and QUIT must get through now.
    this.channel.throttle(false);
    this.idle.stop();
    this.transfer = startTransfer(this, verb, path, body, {
      cleared: () => (this.transfer = undefined),
      resume: () => {
        if (this.closed) return;
        this.idle.start();
        this.drain();
      },
    });
  }

  /** Sends `source` over a data connection (RETR, LIST, …) and gives the final reply. */
  sendData(transfer: ActiveTransfer, source: Readable, opening: string, transform?: Transform): Promise<PumpResult> {
    return pump(this, transfer, "send", source, opening, transform);
  }

  /** Receives a data connection into `target` (STOR, APPE, STOU; a function is called once the connection exists). */
  receiveData(transfer: ActiveTransfer, target: Writable | LazyTarget, opening: string, transform?: Transform): Promise<PumpResult> {
    return pump(this, transfer, "receive", target, opening, transform);
  }

  /** Emits upload/download with the outcome. */
  emitTransfer(kind: "upload" | "download", transfer: ActiveTransfer, result: PumpResult, path = transfer.path): void {
    emitTransfer(this, kind, transfer, result, path);
  }

  /** The data connection's inactivity timeout (transfer.ts). */
  get dataTimeoutMs(): number {
    return this.options.timeouts.data;
  }

  /** Emits a server event (listeners see `view`, never this object: ftp-server.ts). */
  emit<E extends keyof FtpServerEvents>(event: E, ...args: Parameters<FtpServerEvents[E]>): boolean {
    return this.host.emit(event, ...args);
  }

  // ---- dispatch --------------------------------------------------------

  private onLine(line: CommandLine): void {
    if (this.ending) return;
    this.idle.touch();
    // Nothing after AUTH may be read as a command until we know whether TLS took over (security.ts).
    if (line.kind === "command" && line.command.verb === "AUTH") this.channel.hold();
    if (line.kind === "command" && this.transfer && DURING_TRANSFER.has(line.command.verb)) {
      void this.run(line, true);
      return;
    }
    if (this.transfer) {
      if (this.quitting) return;
      // The socket is read during a transfer (ABOR must get through), so the
      // queue is bounded by a count: past it, 503 (docs/server.md).
      if (this.queuedDuringTransfer >= this.options.limits.maxQueuedCommands) {
        this.reply(503, "Busy: too many commands queued during a transfer");
        return;
      }
      this.queuedDuringTransfer += 1;
      this.enqueue(line);
      return;
    }
    if (this.busy || this.queue?.length) {
      // Pipelined commands: all run, in order. A full queue stops reading
      // (backpressure on the socket) instead of refusing (issue 11).
      this.enqueue(line);
      if (this.queue!.length >= this.queueRoom) this.channel.throttle(true);
      return;
    }
    void this.run(line, false);
  }

  private enqueue(line: CommandLine): void {
    this.queue ??= [];
    this.queue.push(line);
  }

  /** Queue length at which reading pauses outside a transfer. */
  private get queueRoom(): number {
    return Math.max(1, this.options.limits.maxQueuedCommands);
  }

  /**
   * The connection is over or ending (a 421 or 221 was sent): nothing more
   * is read or run, not even commands that were already queued (issue 11:
   * a login queued behind the failed-login limit's 421 still ran).
   */
  private get ending(): boolean {
    return this.closed || !this.channel.isOpen;
  }

  private drain(): void {
    if (this.ending) this.queue = undefined;
    while (!this.busy && !this.transfer && !this.ending && !this.quitting && this.queue?.length) {
      const next = this.queue.shift();
      if (next) void this.run(next, false);
    }
    if (this.queue?.length === 0) this.queue = undefined;
    // A transfer must read the socket (ABOR); otherwise read again once there is room.
    if (this.transfer || (this.queue?.length ?? 0) < this.queueRoom) this.channel.throttle(false);
  }

  private async run(line: CommandLine, duringTransfer: boolean): Promise<void> {
    if (line.kind === "too-long") {
      this.reply(500, `Command line too long (limit ${line.limit} bytes)`);
      return;
    }
    if (!duringTransfer) this.busy = true;
    try {
      await this.execute(line.command);
    } catch (error) {
      this.replyStorageError(error);
    } finally {
      if (!duringTransfer) this.busy = false;
      // An AUTH that did not switch to TLS (refused, denied by beforeCommand) lets the held lines through.
      if (line.command.verb === "AUTH") this.channel.release();
    }
    if (!duringTransfer) this.drain();
  }

  private async execute(command: Command): Promise<void> {
    let verb = command.verb;
    let arg = command.arg;
    this.host.emit("command", { session: this.view, verb, arg: verb === "PASS" ? "***" : arg });
    debug("session %d < %s", this.id, verb === "PASS" ? "PASS ***" : `${verb} ${arg}`);
    let spec = COMMAND_TABLE.get(verb);
    if (verb !== "PASS" && this.options.beforeCommand) {
      const decision = await this.options.beforeCommand({ session: this.view, verb, arg });
      if (decision && decision.action === "deny") {
        this.reply(decision.code ?? 550, decision.text ?? "Command refused");
        return;
      }
      if (decision && decision.action === "rewrite") {
        verb = decision.verb.toUpperCase();
        arg = decision.arg ?? "";
        spec = COMMAND_TABLE.get(verb);
      }
    }
    if (!spec) {
      this.reply(500, `Command not understood: ${truncate(verb, 32)}`);
      return;
    }
    if (spec.needsLogin && !this.loggedIn) {
      this.reply(530, "Please login with USER and PASS");
      return;
    }
    const problem = checkArgument(spec, arg);
    if (problem) {
      this.reply(501, problem);
      return;
    }
    if (spec.writes && this.readOnly) {
      this.reply(550, "Permission denied (read-only session)");
      return;
    }
    if (spec.verb !== "RNTO" && spec.verb !== "RNFR") this.renameFrom = undefined;
    if (!KEEPS_REST.has(spec.verb)) this.restOffset = 0;
    await spec.handler(this, arg, command);
  }

  // ---- timers and close ------------------------------------------------

  /**
   * A connection must log in within `timeouts.login` (proftpd's
   * TimeoutLogin): the idle timer alone let a client that never logs in
   * hold a connection slot forever by sending NOOP now and then.
   */
  private armLoginTimer(): void {
    if (this.loginTimer) clearTimeout(this.loginTimer);
    this.loginTimer = setTimeout(() => {
      this.loginTimer = undefined;
      if (this.loggedIn || this.closed) return;
      debug("session %d did not log in in time, closing", this.id);
      this.channel.end(421, "Login timeout: closing control connection");
    }, this.options.timeouts.login);
    this.loginTimer.unref?.();
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.idle.stop();
    if (this.loginTimer) clearTimeout(this.loginTimer);
    this.queue = undefined;
    if (this.transfer) {
      this.transfer.aborted ??= "closed";
      this.transfer.controller.abort();
    }
    this.lazyDataChannel?.dispose();
    this.host.sessionClosed(this);
  }

  /** The session's command table (FEAT and HELP read it). */
  get commands(): ReadonlyMap<string, CommandSpec> {
    return COMMAND_TABLE;
  }
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function checkArgument(spec: CommandSpec, arg: string): string | undefined {
  if (spec.arg === "required" && arg.trim() === "") return `${spec.verb} needs an argument`;
  if (spec.arg === "none" && arg.trim() !== "") return `${spec.verb} takes no argument`;
  return undefined;
}

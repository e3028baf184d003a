/**
 * The public FTP client: promise methods over one control connection, the
 * same activity as typed events. A thin facade — every call takes a turn in
 * the OperationQueue and runs one of the operation modules on the Session.
 *
 * One close path (`shutdown`): the first error that ends the connection is
 * kept, the running call rejects with it, waiting and later calls reject
 * with ERR_FTP_CLOSED whose `cause` is that error, and `error` is emitted
 * only when no call was running to carry it (and somebody listens).
 */
import { EventEmitter } from "node:events";
import type { Readable, Writable } from "node:stream";
import { FtpAbortError, FtpConnectionClosedError, FtpError, FtpInvalidArgumentError } from "../errors.js";
import type { ReplyChannel } from "../control/client-channel.js";
import type { FileInfo, Reply } from "../protocol/types.js";
import { abortable } from "../io/abortable.js";
import { SmallCalls } from "../io/small-calls.js";
import { openSession } from "./connect.js";
import { mkdir, rmdir, type DirOptions } from "./dir-ops.js";
import { downloadDir, uploadDir, type DirTransferOptions, type DirTransferResult } from "./dir-transfers.js";
import { exists, lastModified, pwd, setLastModified, size, stat } from "./file-info.js";
import {
  download, openReadStream, openWriteStream, upload,
  type DownloadDestination, type DownloadOptions, type DownloadResult, type ReadStreamOptions,
  type UploadOptions, type UploadResult, type UploadSource, type WriteStreamOptions,
} from "./file-transfers.js";
import { hash, type HashOptions, type HashResult } from "./hash.js";
import { runForeignTransfer, type ForeignTransferOptions } from "./foreign-transfer.js";
import type { TlsInfo } from "./ftps.js";
import { list, listIter, type ListOptions } from "./listing.js";
import { OperationQueue } from "./operation-queue.js";
import { resolveClientConfig, type ClientCredentials, type ClientOptions, type ResolvedClientOptions } from "./options.js";
import { abortError, debug, type ProgressInfo, type Session, type TransferEvent } from "./session.js";
import type { TypedEmitter } from "../typed-emitter.js";

export type ClientEvents = {
  /** A command was sent (PASS shown as `PASS ***`). */
  command: (line: string) => void;
  /** A reply arrived (preliminary 1xx included). */
  reply: (reply: Reply) => void;
  /** Bytes moved, per chunk but at most every `progressInterval` ms, plus once at the end. */
  progress: (info: ProgressInfo) => void;
  /** A transfer started or ended (`error` set when it failed). */
  transfer: (event: TransferEvent) => void;
  /** The connection closed; `error` says why, undefined after `close()`. */
  close: (error: FtpError | undefined) => void;
  /** The connection failed while no call was running to report it. Emitted at most once, only when listened to. */
  error: (error: FtpError) => void;
};

export interface OperationOptions {
  signal?: AbortSignal;
}

export interface SendOptions extends OperationOptions {
  /** Resolve with 4xx/5xx replies too instead of rejecting with FtpReplyError. */
  allowFailure?: boolean;
}

/** "VERB" or "VERB arg": a verb starts with a letter (digits follow in XSHA256 and the like). */
const COMMAND_LINE = /^([A-Za-z][A-Za-z0-9]*)(?: (.*))?$/s;

function notACommandLine(rawCommand: string): FtpInvalidArgumentError {
  return new FtpInvalidArgumentError(`Not a command line: ${JSON.stringify(rawCommand.slice(0, 40))}`);
}

const EventEmitterBase = EventEmitter as new () => TypedEmitter<ClientEvents>;

/** Commands `send()` refuses: AUTH, PROT and CCC would leave the client wrong about TLS on the connection. */
const SESSION_SECURITY_VERBS: ReadonlySet<string> = new Set(["AUTH", "PROT", "CCC"]);

export class Client extends EventEmitterBase {
  /** The validated options. Neither they nor `util.inspect(client)` show the password or the account. */
  readonly options: ResolvedClientOptions;
  /** The secrets of the login, for this client's connect and for the extra connections of uploadDir/downloadDir. */
  readonly #credentials: ClientCredentials;
  /** This client's small local-file calls (see SmallCalls): a slow disk under one client moves only its own calls. */
  readonly #localFiles = new SmallCalls();
  private session: Session | undefined;
  private readonly queue = new OperationQueue();
  private connecting: Promise<void> | undefined;
  private closed = false;
  private closeReason: FtpError | undefined;
  /** True while a caller holds the turn (lease taken, not yet released). */
  private turnHeld = false;
  /** `abort()` callers waiting for the running turn to end. */
  private turnEndWaiters: Array<() => void> = [];
  /** True while a keepalive NOOP (which no caller awaits) holds the turn. */
  private internalRunning = false;
  private keepAliveTimer: NodeJS.Timeout | undefined;
  private lastActivity = Date.now();

  /** Connects and logs in; resolves with a ready client. */
  static async connect(input: string | ClientOptions, overrides?: Partial<ClientOptions> & OperationOptions): Promise<Client> {
    const { signal, ...rest } = overrides ?? {};
    const client = new Client(input, rest);
    await client.connect({ signal });
    return client;
  }

  constructor(input: string | ClientOptions, overrides: Partial<ClientOptions> = {}) {
    super();
    const { options, credentials } = resolveClientConfig(input, overrides);
    this.options = options;
    this.#credentials = credentials;
  }

  /** True between a successful connect() and the close. */
  get connected(): boolean {
    return this.session !== undefined && !this.closed;
  }

  /** Opens the connection and logs in. Calls made meanwhile wait for it. Idempotent. */
  connect(options: OperationOptions = {}): Promise<void> {
    if (this.closed) return Promise.reject(this.closedError());
    this.connecting ??= (async () => {
      const release = await this.queue.acquire();
      try {
        this.session = await openSession(this.options, this.#credentials, {
          progress: (info) => this.emit("progress", info),
          transfer: (event) => this.emit("transfer", event),
          wantsTotals: () => this.listenerCount("progress") > 0,
          localFiles: this.#localFiles,
        }, { signal: options.signal, onChannel: (channel) => this.watch(channel) });
        this.armKeepAlive();
      } catch (error) {
        this.shutdown(error instanceof FtpError ? error : new FtpConnectionClosedError("Connect failed", { cause: error }), true);
        throw error;
      } finally {
        release();
      }
    })();
    return this.connecting;
  }

  /** FTPS details of this connection (protocol, cipher, PROT level, resumed data sessions); undefined in clear text. */
  tlsInfo(): TlsInfo | undefined {
    return this.session?.tls?.info();
  }

  /** Features from FEAT: upper-case name → parameters ("" when none). */
  features(): ReadonlyMap<string, string> {
    return new Map(this.session?.features ?? []);
  }

  pwd(options?: OperationOptions): Promise<string> {
    return this.run(options, (s) => pwd(s));
  }

  async cd(path: string, options?: OperationOptions): Promise<void> {
    await this.run(options, (s) => s.command("CWD", path));
  }

  async cdup(options?: OperationOptions): Promise<void> {
    await this.run(options, (s) => s.command("CDUP"));
  }

  /** Entries of a directory (the working directory by default), "." and ".." left out. */
  list(path?: string, options?: ListOptions): Promise<FileInfo[]> {
    return this.run(options, (s) => list(s, path, options));
  }

  /** Entries as they arrive; `break` aborts the listing. Holds the connection until done. */
  async *listIter(path?: string, options: ListOptions = {}): AsyncGenerator<FileInfo, void, undefined> {
    const { session, release } = await this.lease(options.signal);
    try {
      yield* listIter(session, path, options);
    } finally {
      release();
    }
  }

  stat(path: string, options?: OperationOptions): Promise<FileInfo> {
    return this.run(options, (s) => stat(s, path));
  }

  size(path: string, options?: OperationOptions): Promise<number> {
    return this.run(options, (s) => size(s, path));
  }

  lastModified(path: string, options?: OperationOptions): Promise<Date> {
    return this.run(options, (s) => lastModified(s, path));
  }

  setLastModified(path: string, date: Date, options?: OperationOptions): Promise<void> {
    return this.run(options, (s) => setLastModified(s, path, date));
  }

  /** The server's digest of a file (HASH, else XSHA256/XSHA1/XMD5/XCRC); ERR_FTP_UNSUPPORTED when the server offers neither. */
  hash(path: string, options: HashOptions = {}): Promise<HashResult> {
    return this.run(options, (s) => hash(s, path, options));
  }

  exists(path: string, options?: OperationOptions): Promise<boolean> {
    return this.run(options, (s) => exists(s, path));
  }

  mkdir(path: string, options: DirOptions = {}): Promise<void> {
    return this.run(options, (s) => mkdir(s, path, options));
  }

  rmdir(path: string, options: DirOptions = {}): Promise<void> {
    return this.run(options, (s) => rmdir(s, path, options));
  }

  async remove(path: string, options?: OperationOptions): Promise<void> {
    await this.run(options, (s) => s.command("DELE", path));
  }

  async rename(from: string, to: string, options?: OperationOptions): Promise<void> {
    await this.run(options, async (s) => {
      await s.command("RNFR", from);
      await s.command("RNTO", to);
    });
  }

  /** Uploads a local file, a Buffer or a Readable. Resolves after the server confirmed it. */
  async upload(source: UploadSource, remotePath: string, options: UploadOptions = {}): Promise<UploadResult> {
    return this.run(options, (s) => upload(s, source, remotePath, options));
  }

  /** Downloads into a local file or a Writable (which is ended). Resolves after the server confirmed it. */
  async download(remotePath: string, destination: DownloadDestination, options: DownloadOptions = {}): Promise<DownloadResult> {
    return this.run(options, (s) => download(s, remotePath, destination, options));
  }

  /**
   * A Readable of a remote file, for storage adapters. It ends only after
   * the server confirmed the transfer; destroy it to abort. The connection
   * is busy until the stream is over.
   */
  createReadStream(path: string, options: ReadStreamOptions = {}): Promise<Readable> {
    return this.openStream(options.signal, (s) => openReadStream(s, path, options));
  }

  /** A Writable into a remote file; "finish" comes after the server confirmed it; destroy it to abort. */
  createWriteStream(path: string, options: WriteStreamOptions = {}): Promise<Writable> {
    return this.openStream(options.signal, (s) => openWriteStream(s, path, options));
  }

  uploadDir(localDir: string, remoteDir: string, options: DirTransferOptions = {}): Promise<DirTransferResult> {
    return uploadDir(this, (signal) => this.#sibling(signal), localDir, remoteDir, options);
  }

  downloadDir(remoteDir: string, localDir: string, options: DirTransferOptions = {}): Promise<DirTransferResult> {
    return downloadDir(this, (signal) => this.#sibling(signal), remoteDir, localDir, options);
  }

  /**
   * Sends any command and resolves with its final reply; 4xx/5xx reject with
   * FtpReplyError unless `allowFailure`. Not for transfer commands (no data connection is made).
   */
  send(rawCommand: string, options: SendOptions = {}): Promise<Reply> {
    const match = COMMAND_LINE.exec(rawCommand);
    if (!match) return Promise.reject(notACommandLine(rawCommand));
    const verb = match[1]!;
    const arg = match[2];
    if (SESSION_SECURITY_VERBS.has(verb.toUpperCase())) {
      // The client must know the TLS state to wrap (or not) data connections: that goes through options.
      return Promise.reject(new FtpInvalidArgumentError(`${verb.toUpperCase()} changes the connection's security; use the secure/dataProtection options instead`));
    }
    return this.run(options, (s) => (options.allowFailure ? s.request(verb, arg) : s.command(verb, arg)));
  }

  /**
   * Sends a transfer command (RETR, STOR, APPE, …) whose data connection
   * was pointed elsewhere with `send("PASV")` / `send("PORT …")` — one side of
   * a server-to-server transfer (see `fxp()`). `onPreliminary` sees the 1xx;
   * resolves with the final reply (4xx/5xx reject with FtpReplyError). The
   * control timeout is off while the other server moves the bytes; `signal`
   * or `abort()` sends ABOR and resolves the session back into step.
   */
  sendTransferCommand(rawCommand: string, options: ForeignTransferOptions = {}): Promise<Reply> {
    const match = COMMAND_LINE.exec(rawCommand);
    if (!match) return Promise.reject(notACommandLine(rawCommand));
    return this.run(options, (s) => runForeignTransfer(s, match[1]!.toUpperCase(), match[2], options));
  }

  /** SITE subcommand, e.g. `site("CHMOD 644 a.txt")`. */
  site(command: string, options?: SendOptions): Promise<Reply> {
    return this.send(`SITE ${command}`, options);
  }

  /**
   * Aborts the running transfer (ABOR with Telnet IP+Synch), waits until the
   * session is back in step, and leaves it usable. The aborted call rejects
   * with ERR_FTP_ABORTED. Queued calls are not affected.
   */
  async abort(): Promise<void> {
    const transfer = this.session?.activeTransfer;
    if (!transfer) return;
    transfer.abort(new FtpAbortError("Transfer aborted by abort()"));
    // The turn ends only once the session is back in step.
    if (this.turnHeld) await new Promise<void>((resolve) => this.turnEndWaiters.push(resolve));
  }

  /** Sends QUIT when idle, then closes. Waiting and running calls reject with ERR_FTP_CLOSED. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    const session = this.session;
    if (session && this.queue.idle && !session.channel.isClosed) {
      try {
        session.channel.write("QUIT");
        await quitReply(session.channel);
      } catch {
        // Closing anyway.
      }
    }
    this.shutdown(undefined);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  // ---- internals ----

  /** A new connection with this client's options and login (uploadDir/downloadDir with concurrency). */
  #sibling(signal: AbortSignal | undefined): Promise<Client> {
    return Client.connect({ ...this.options, ...this.#credentials }, { signal });
  }

  /** Runs `work` in its turn; the caller's promise rejects at once on abort, the turn ends when `work` has. */
  private async run<T>(options: OperationOptions | undefined, work: (session: Session) => Promise<T>): Promise<T> {
    const signal = options?.signal;
    const { session, release } = await this.lease(signal);
    if (!signal) {
      try {
        return await work(session);
      } finally {
        release();
      }
    }
    const promise = (async () => {
      try {
        return await work(session);
      } finally {
        release();
      }
    })();
    promise.catch(() => {});
    return abortable(promise, signal, { reason: abortError });
  }

  private openStream<S>(signal: AbortSignal | undefined, open: (session: Session) => { stream: S; ready: Promise<void>; done: Promise<void> }): Promise<S> {
    return new Promise<S>((resolve, reject) => {
      this.lease(signal).then(({ session, release }) => {
        let transfer: { stream: S; ready: Promise<void>; done: Promise<void> };
        try {
          transfer = open(session);
        } catch (error) {
          release();
          reject(error);
          return;
        }
        transfer.ready.then(() => resolve(transfer.stream), reject);
        void transfer.done.finally(release);
      }, reject);
    });
  }

  /** Waits for this caller's turn; fails when the client is (or became) closed. */
  private async lease(signal: AbortSignal | undefined): Promise<{ session: Session; release: () => void }> {
    if (this.closed) throw this.closedError();
    if (!this.session && !this.connecting) throw new FtpConnectionClosedError("Not connected: call connect() first");
    const releaseTurn = await this.queue.acquire(signal);
    const session = this.session;
    if (this.closed || !session || session.channel.isClosed) {
      releaseTurn();
      throw this.closedError();
    }
    this.turnHeld = true;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.lastActivity = Date.now();
      this.turnHeld = false;
      // `abort()` waits for this: the turn ends only once the session is back in step.
      if (this.turnEndWaiters.length > 0) {
        const waiters = this.turnEndWaiters;
        this.turnEndWaiters = [];
        for (const resolve of waiters) resolve();
      }
      releaseTurn();
    };
    return { session, release };
  }

  private closedError(): FtpConnectionClosedError {
    return new FtpConnectionClosedError("The client is closed", this.closeReason ? { cause: this.closeReason } : {});
  }

  private watch(channel: ReplyChannel): void {
    // Activity for the keepalive is counted when a turn ends (see `lease`).
    channel.on("command", (line) => this.emit("command", line));
    channel.on("reply", (reply) => this.emit("reply", reply));
    channel.on("close", (error) => {
      if (!this.closed) this.shutdown(error ?? new FtpConnectionClosedError("The control connection closed"));
    });
  }

  /** The one close path. `reported`: the error already reaches a caller. */
  private shutdown(error: FtpError | undefined, reported = false): void {
    if (this.closed) return;
    this.closed = true;
    this.closeReason = error;
    if (this.keepAliveTimer) clearTimeout(this.keepAliveTimer);
    // A failure during a call reaches its caller; during a keepalive NOOP nobody awaits it.
    const busy = this.queue.running;
    const running = busy && !this.internalRunning;
    // Errors (and their stack traces) only for somebody who receives them.
    if (this.queue.waiting) this.queue.rejectWaiting(this.closedError());
    // A clean close of an idle client has no reply waiter to tell why.
    this.session?.channel.close(error ?? (busy ? new FtpConnectionClosedError("The client was closed") : undefined));
    if (debug.enabled) debug("client closed%s", error ? `: ${error.message}` : "");
    this.emit("close", error);
    if (error && !reported && !running && this.listenerCount("error") > 0) this.emit("error", error);
  }

  private armKeepAlive(): void {
    const interval = this.options.keepAlive;
    if (interval <= 0 || this.closed) return;
    const tick = () => {
      if (this.closed) return;
      const idleFor = Date.now() - this.lastActivity;
      if (idleFor >= interval && this.queue.idle) {
        this.run(undefined, async (s) => {
          this.internalRunning = true;
          try {
            await s.command("NOOP");
          } finally {
            this.internalRunning = false;
          }
        }).catch(() => {});
      }
      this.keepAliveTimer = setTimeout(tick, Math.max(50, interval - Math.min(idleFor, interval)));
      this.keepAliveTimer.unref();
    };
    this.keepAliveTimer = setTimeout(tick, interval);
    this.keepAliveTimer.unref();
  }
}

/** How long `close()` waits for the answer to QUIT before closing anyway. */
const QUIT_GRACE_MS = 1000;

/** Resolves with the reply to QUIT, or after QUIT_GRACE_MS; rejects when the channel closes first. */
function quitReply(channel: ReplyChannel): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, QUIT_GRACE_MS).unref();
    channel.nextReply().then(
      (reply) => {
        clearTimeout(timer);
        resolve(reply);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

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
import type { DirOptions } from "./dir-ops.js";
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
import { ReconnectState, reopenSession, type ReconnectEvent } from "./reconnect.js";
import { RetrySleeper, runWithRetry, type RetryEvent } from "./retry-loop.js";
import type { RetryContext } from "./retry-policy.js";
import { mkdirRetried, removeRetried, renameRetried, rmdirRetried } from "./retry-rules.js";
import { ConnectionPool } from "./connection-pool.js";
import { sync, type SyncOptions, type SyncReport } from "./sync.js";
import { segmentedDownload } from "./segmented-download.js";
import { DownloadResume, UploadResume } from "./resume.js";
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
  /** With `retry`: the control connection was lost; the next call (or the one in flight) re-opens it. */
  disconnect: (error: FtpError) => void;
  /** With `retry`: a failed call is about to be tried again after `delay` ms. */
  retry: (event: RetryEvent) => void;
  /** With `retry`: the lost control connection is being opened again (`attempt` counts since the loss). */
  reconnect: (event: ReconnectEvent) => void;
};

/** How a call takes part in retry: the context of its failures, or "never" (raw commands, streams). */
interface RetryRule {
  readonly operation: string;
  readonly context?: RetryContext;
}

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
  /** Lost connection, its remembered state, the tracked cwd (only used with retry.attempts > 0). */
  readonly #reconnect = new ReconnectState();
  readonly #sleeper = new RetrySleeper();
  /** Bytes of the last transfer that ended (a broken download resumes from them when it had an explicit `start`). */
  #lastTransferBytes = 0;

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

  /**
   * True between a successful connect() and the close. With `retry`, also
   * while a lost control connection waits for the next call to re-open it.
   */
  get connected(): boolean {
    return (this.session !== undefined || this.#reconnect.lost) && !this.closed;
  }

  /** Opens the connection and logs in. Calls made meanwhile wait for it. Idempotent. */
  connect(options: OperationOptions = {}): Promise<void> {
    if (this.closed) return Promise.reject(this.closedError());
    this.connecting ??= (async () => {
      const release = await this.queue.acquire();
      try {
        this.session = await openSession(this.options, this.#credentials, this.#observer(), {
          signal: options.signal, onChannel: (channel) => this.watch(channel),
        });
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
    return this.run(options, (s) => pwd(s), { operation: "pwd" });
  }

  async cd(path: string, options?: OperationOptions): Promise<void> {
    await this.run(options, async (s) => {
      await s.command("CWD", path);
      await this.#trackCwd(s);
    }, { operation: `cd ${path}` });
  }

  async cdup(options?: OperationOptions): Promise<void> {
    await this.run(options, async (s) => {
      await s.command("CDUP");
      await this.#trackCwd(s);
    }, { operation: "cdup" });
  }

  /** Entries of a directory (the working directory by default), "." and ".." left out. */
  list(path?: string, options?: ListOptions): Promise<FileInfo[]> {
    return this.run(options, (s) => list(s, path, options), { operation: `list ${path ?? "."}` });
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
    return this.run(options, (s) => stat(s, path), { operation: `stat ${path}` });
  }

  size(path: string, options?: OperationOptions): Promise<number> {
    return this.run(options, (s) => size(s, path), { operation: `size ${path}` });
  }

  lastModified(path: string, options?: OperationOptions): Promise<Date> {
    return this.run(options, (s) => lastModified(s, path), { operation: `lastModified ${path}` });
  }

  setLastModified(path: string, date: Date, options?: OperationOptions): Promise<void> {
    return this.run(options, (s) => setLastModified(s, path, date), { operation: `setLastModified ${path}` });
  }

  /** The server's digest of a file (HASH, else XSHA256/XSHA1/XMD5/XCRC); ERR_FTP_UNSUPPORTED when the server offers neither. */
  hash(path: string, options: HashOptions = {}): Promise<HashResult> {
    return this.run(options, (s) => hash(s, path, options), { operation: `hash ${path}` });
  }

  exists(path: string, options?: OperationOptions): Promise<boolean> {
    return this.run(options, (s) => exists(s, path), { operation: `exists ${path}` });
  }

  // Not idempotent: a retry after a lost reply may find the work done (see retry-rules.ts).

  mkdir(path: string, options: DirOptions = {}): Promise<void> {
    return this.run(options, (s, previous) => mkdirRetried(s, path, options, previous), { operation: `mkdir ${path}` });
  }

  rmdir(path: string, options: DirOptions = {}): Promise<void> {
    return this.run(options, (s, previous) => rmdirRetried(s, path, options, previous), { operation: `rmdir ${path}` });
  }

  async remove(path: string, options?: OperationOptions): Promise<void> {
    await this.run(options, (s, previous) => removeRetried(s, path, previous), { operation: `remove ${path}` });
  }

  async rename(from: string, to: string, options?: OperationOptions): Promise<void> {
    await this.run(options, (s, previous) => renameRetried(s, from, to, previous), { operation: `rename ${from}` });
  }

  /** Uploads a local file, a Buffer or a Readable. Resolves after the server confirmed it. */
  async upload(source: UploadSource, remotePath: string, options: UploadOptions = {}): Promise<UploadResult> {
    // With retry, a broken upload continues from what the server has (see resume.ts).
    const plan = new UploadResume(source, options);
    return this.run(options, (s, previous) => {
      const next = plan.next(previous);
      return upload(s, source, remotePath, next.options, next.attempt);
    }, { operation: `upload ${remotePath}`, context: "upload" });
  }

  /** Downloads into a local file or a Writable (which is ended). Resolves after the server confirmed it. */
  async download(remotePath: string, destination: DownloadDestination, options: DownloadOptions = {}): Promise<DownloadResult> {
    // With retry, a broken download continues with REST at what it wrote (see resume.ts).
    if (options.segments !== undefined && options.segments > 1) {
      if (typeof destination !== "string") throw new FtpInvalidArgumentError("segments need a local path destination");
      return segmentedDownload(this, (signal) => this.#sibling(signal), remotePath, destination, { ...options, segments: options.segments },
        (single) => this.download(remotePath, destination, single));
    }
    const plan = new DownloadResume(destination, options);
    return this.run(options, async (s, previous) => {
      const next = await plan.next(previous, this.#lastTransferBytes);
      return download(s, remotePath, destination, next.options, next.attempt);
    }, { operation: `download ${remotePath}` });
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

  /**
   * Makes the remote tree match the local one (`direction: "upload"`) or the
   * other way, transferring only what differs (see sync.ts and docs/client.md).
   * Files go over `concurrency` extra connections when above 1.
   */
  async sync(localDir: string, remoteDir: string, options: SyncOptions): Promise<SyncReport> {
    const concurrency = options.concurrency ?? 1;
    if (!Number.isInteger(concurrency) || concurrency <= 1) return sync(this, (task) => task(this), localDir, remoteDir, options);
    const pool = new ConnectionPool<Client>(concurrency, (signal) => this.#sibling(signal));
    try {
      return await sync(this, (task) => pool.run(task, options.signal), localDir, remoteDir, options);
    } finally {
      await pool.close();
    }
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
    return this.run(options, async (s) => {
      const reply = await (options.allowFailure ? s.request(verb, arg) : s.command(verb, arg));
      // A raw CWD moves the directory a reconnect must restore.
      if (/^(X?CWD|X?CUP|CDUP)$/i.test(verb) && reply.code < 400) await this.#trackCwd(s);
      return reply;
    });
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

  /**
   * Runs `work` in its turn; the caller's promise rejects at once on abort,
   * the turn ends when `work` has. With a `rule` and `retry.attempts` > 0 a
   * transient failure is tried again (each try in a turn of its own, the
   * backoff wait between turns); `work` gets the previous try's failure so
   * that a non-idempotent command can tell "done by the lost try".
   */
  private async run<T>(
    options: OperationOptions | undefined,
    work: (session: Session, previous: unknown) => Promise<T>,
    rule?: RetryRule,
  ): Promise<T> {
    const signal = options?.signal;
    const once = async (previous: unknown): Promise<T> => {
      const { session, release } = await this.lease(signal);
      try {
        return await work(session, previous);
      } finally {
        release();
      }
    };
    const retry = this.options.retry;
    const promise = rule && retry.attempts > 0
      ? runWithRetry({
        retry, signal, operation: rule.operation, context: rule.context,
        sleep: (ms, s) => this.#sleeper.sleep(ms, s),
        onRetry: (event) => {
          this.#reconnect.delayBefore = event.delay;
          this.emit("retry", event);
        },
        mayRetry: () => !this.closed,
      }, (_n, previous) => once(previous))
      : once(undefined);
    if (!signal) return promise;
    promise.catch(() => {});
    return abortable(promise, signal, { reason: abortError });
  }

  /** With retry, the absolute directory a reconnect returns to (one PWD after each directory change). */
  async #trackCwd(session: Session): Promise<void> {
    if (this.options.retry.attempts > 0) this.#reconnect.cwd = await pwd(session);
  }

  /**
   * Opens the lost connection again, inside the caller's turn. A failure
   * becomes the new cause and propagates to the caller (whose retry loop,
   * if any, decides whether to wait and try again).
   */
  async #reopen(signal: AbortSignal | undefined): Promise<Session> {
    const event = this.#reconnect.nextAttempt();
    this.emit("reconnect", event);
    try {
      const session = await reopenSession(this.options, this.#credentials, this.#observer(), {
        signal, onChannel: (channel) => this.watch(channel),
      }, this.#reconnect.memory!);
      if (this.closed) {
        session.channel.close();
        throw this.closedError();
      }
      this.session = session;
      this.#reconnect.succeeded();
      if (debug.enabled) debug("reconnected after: %s", event.cause.message);
      return session;
    } catch (error) {
      if (!this.closed) this.#reconnect.failed(error);
      throw error;
    }
  }

  /** With retry: the control connection is gone, but the client is not closed; the next call reconnects. */
  #loseSession(session: Session, error: FtpError): void {
    this.#reconnect.lose(session, error);
    this.session = undefined;
    if (debug.enabled) debug("control connection lost (will reconnect on the next call): %s", error.message);
    this.emit("disconnect", error);
  }

  #observer() {
    return {
      progress: (info: ProgressInfo) => this.emit("progress", info),
      transfer: (event: TransferEvent) => {
        if (event.phase === "end") this.#lastTransferBytes = event.bytes;
        this.emit("transfer", event);
      },
      wantsTotals: () => this.listenerCount("progress") > 0,
      localFiles: this.#localFiles,
    };
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
    let session = this.session;
    if (!session && this.#reconnect.lost && !this.closed) {
      try {
        session = await this.#reopen(signal);
      } catch (error) {
        releaseTurn();
        throw error;
      }
    }
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
      if (this.closed) return;
      const reason = error ?? new FtpConnectionClosedError("The control connection closed");
      if (this.options.retry.attempts === 0) return this.shutdown(reason);
      // With retry a lost connection is not the end: the next call reconnects. A
      // channel that was never the session (a failed reconnect) reports through its caller.
      if (this.session?.channel === channel) this.#loseSession(this.session, reason);
    });
  }

  /** The one close path. `reported`: the error already reaches a caller. */
  private shutdown(error: FtpError | undefined, reported = false): void {
    if (this.closed) return;
    this.closed = true;
    this.closeReason = error;
    if (this.keepAliveTimer) clearTimeout(this.keepAliveTimer);
    this.#sleeper.wakeAll();
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
      // A lost connection is re-opened by the next real call, not by a keepalive.
      if (idleFor >= interval && this.queue.idle && this.session) {
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

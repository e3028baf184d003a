/**
 * Typed errors. Programs branch on `code` (a stable string) and, for
 * failures the peer reported, on `replyCode` (the FTP reply number). Every
 * code is listed in `FtpErrorCode` and documented in docs/errors.md.
 */

/** A parsed FTP reply, as carried by errors. Mirrors protocol's `Reply`. */
export interface ErrorReply {
  readonly code: number;
  readonly lines: readonly string[];
  readonly message: string;
}

export type FtpErrorCode =
  /** The server answered with a 4xx/5xx (or otherwise unexpected) reply. */
  | "ERR_FTP_REPLY"
  /** A timeout expired (connect, control reply, data connection, idle). */
  | "ERR_FTP_TIMEOUT"
  /** The connection closed before the operation finished. */
  | "ERR_FTP_CLOSED"
  /** The control connection could not be made: refused, unreachable, a name that does not resolve, or `createSocket` failed. `cause` is the system error. */
  | "ERR_FTP_CONNECT"
  /** The local side failed: a local file that cannot be read or written, a source or destination stream that errored. `cause` is that error. */
  | "ERR_FTP_LOCAL"
  /** The peer broke the protocol (malformed reply, bad PASV/EPSV text, …). */
  | "ERR_FTP_PROTOCOL"
  /** The operation was cancelled through an AbortSignal or `abort()`. */
  | "ERR_FTP_ABORTED"
  /** A line or reply exceeded its size limit. */
  | "ERR_FTP_LINE_TOO_LONG"
  /** A command argument contained CR, LF or NUL and was never sent. */
  | "ERR_FTP_INVALID_ARGUMENT"
  /** TLS failed: handshake, certificate verification, or a refused upgrade. */
  | "ERR_FTP_TLS"
  /** A data connection could not be opened or was refused. */
  | "ERR_FTP_DATA_CONNECTION"
  /** A local option or argument was invalid (caught before any I/O). */
  | "ERR_FTP_INVALID_OPTION"
  /** The operation needs a feature neither the server nor ftpwire offers here (`feature` names it). */
  | "ERR_FTP_UNSUPPORTED"
  /** A transfer finished but its result does not match (size or hash differs). */
  | "ERR_FTP_VERIFY"
  /** `list()` met more entries than its cap; `listIter()` streams any number. */
  | "ERR_FTP_LISTING_TOO_LARGE"
  /** With `retry`: an interrupted transfer whose source or destination (a caller's stream, an append) cannot continue where it stopped. */
  | "ERR_FTP_NOT_RESUMABLE";

export interface FtpErrorOptions {
  readonly reply?: ErrorReply | undefined;
  /** The command that provoked the error, with secrets redacted. */
  readonly command?: string | undefined;
  readonly cause?: unknown;
}

/**
 * Which error classes an error belongs to, by global symbol rather than by
 * prototype: a program that loads both builds (an ESM app, a CommonJS
 * dependency) has two copies of every class, and `instanceof` must still
 * hold across them (undici brands its errors the same way). Each class
 * registers `Symbol.for("ftpwire.error.<Name>")`; an instance carries the
 * symbols of its class and every parent as hidden `true` properties.
 */
const BRANDS = new WeakMap<object, symbol>();

function brand(cls: abstract new (...args: never[]) => FtpError, name: string): void {
  BRANDS.set(cls, Symbol.for(`ftpwire.error.${name}`));
}

export class FtpError extends Error {
  /** True for an error of this class made by any copy of ftpwire (ESM or CJS build); a prototype check for subclasses of your own. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    const mark = BRANDS.get(this);
    if (mark === undefined) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[mark] === true;
  }

  override name = "FtpError";
  readonly code: FtpErrorCode;
  /** The FTP reply number, when the error comes from a reply. */
  readonly replyCode: number | undefined;
  readonly reply: ErrorReply | undefined;
  /** The command that provoked the error (PASS shown as `PASS ***`). */
  readonly command: string | undefined;

  constructor(code: FtpErrorCode, message: string, options: FtpErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.reply = options.reply;
    this.replyCode = options.reply?.code;
    this.command = options.command;
    for (let cls: unknown = new.target; typeof cls === "function" && cls !== Error; cls = Object.getPrototypeOf(cls)) {
      const mark = BRANDS.get(cls);
      if (mark !== undefined) Object.defineProperty(this, mark, { value: true });
    }
  }
}
brand(FtpError, "FtpError");

/** The server answered with a reply that means failure. */
export class FtpReplyError extends FtpError {
  override name = "FtpReplyError";
  declare readonly reply: ErrorReply;
  declare readonly replyCode: number;
  constructor(reply: ErrorReply, options: Omit<FtpErrorOptions, "reply"> = {}) {
    const what = options.command ? ` to ${options.command}` : "";
    super("ERR_FTP_REPLY", `Server replied ${reply.code}${what}: ${reply.message}`, { ...options, reply });
  }
}
brand(FtpReplyError, "FtpReplyError");

export class FtpTimeoutError extends FtpError {
  override name = "FtpTimeoutError";
  constructor(message: string, options: FtpErrorOptions = {}) {
    super("ERR_FTP_TIMEOUT", message, options);
  }
}
brand(FtpTimeoutError, "FtpTimeoutError");

export class FtpConnectionClosedError extends FtpError {
  override name = "FtpConnectionClosedError";
  constructor(message = "Connection closed", options: FtpErrorOptions = {}) {
    super("ERR_FTP_CLOSED", message, options);
  }
}
brand(FtpConnectionClosedError, "FtpConnectionClosedError");

/**
 * The control connection could not be made (ECONNREFUSED, ENOTFOUND,
 * EHOSTUNREACH, …, or `createSocket` threw). The system error is the
 * `cause`; `host` and `port` say where the client tried to go. A timeout
 * while connecting is `FtpTimeoutError`; a server that answers and refuses
 * (421) is `FtpReplyError`.
 */
export class FtpConnectError extends FtpError {
  override name = "FtpConnectError";
  readonly host: string;
  readonly port: number;
  constructor(host: string, port: number, message: string, options: FtpErrorOptions = {}) {
    super("ERR_FTP_CONNECT", message, options);
    this.host = host;
    this.port = port;
  }
}
brand(FtpConnectError, "FtpConnectError");

/**
 * The local side of an operation failed, not FTP: a local file that cannot
 * be read, created or written (ENOENT, EACCES, ENOSPC, …), a local folder
 * of `uploadDir`/`downloadDir`, or a source or destination stream of the
 * caller's that errored. The original error is the `cause`; `localCode` is
 * its Node error code when it has one, `path` the local path when known.
 */
export class FtpLocalError extends FtpError {
  override name = "FtpLocalError";
  /** The cause's `code` (ENOENT, ENOSPC, …), when it has a string one. */
  readonly localCode: string | undefined;
  /** The local path involved, when there is one (not for a caller's stream). */
  readonly path: string | undefined;
  constructor(message: string, options: FtpErrorOptions & { readonly path?: string | undefined } = {}) {
    super("ERR_FTP_LOCAL", message, options);
    const code = (options.cause as { code?: unknown } | null | undefined)?.code;
    this.localCode = typeof code === "string" ? code : undefined;
    this.path = options.path;
  }
}
brand(FtpLocalError, "FtpLocalError");

export class FtpProtocolError extends FtpError {
  override name = "FtpProtocolError";
  constructor(message: string, options: FtpErrorOptions = {}) {
    super("ERR_FTP_PROTOCOL", message, options);
  }
}
brand(FtpProtocolError, "FtpProtocolError");

export class FtpAbortError extends FtpError {
  override name = "FtpAbortError";
  constructor(message = "Operation aborted", options: FtpErrorOptions = {}) {
    super("ERR_FTP_ABORTED", message, options);
  }
}
brand(FtpAbortError, "FtpAbortError");

/** A line (or a multi-line reply) grew past its limit. */
export class FtpLineTooLongError extends FtpError {
  override name = "FtpLineTooLongError";
  readonly limit: number;
  constructor(limit: number, what = "line") {
    super("ERR_FTP_LINE_TOO_LONG", `${what} exceeds the limit of ${limit} bytes`);
    this.limit = limit;
  }
}
brand(FtpLineTooLongError, "FtpLineTooLongError");

export class FtpInvalidArgumentError extends FtpError {
  override name = "FtpInvalidArgumentError";
  constructor(message: string, options: FtpErrorOptions = {}) {
    super("ERR_FTP_INVALID_ARGUMENT", message, options);
  }
}
brand(FtpInvalidArgumentError, "FtpInvalidArgumentError");

export class FtpTlsError extends FtpError {
  override name = "FtpTlsError";
  constructor(message: string, options: FtpErrorOptions = {}) {
    super("ERR_FTP_TLS", message, options);
  }
}
brand(FtpTlsError, "FtpTlsError");

export class FtpDataConnectionError extends FtpError {
  override name = "FtpDataConnectionError";
  constructor(message: string, options: FtpErrorOptions = {}) {
    super("ERR_FTP_DATA_CONNECTION", message, options);
  }
}
brand(FtpDataConnectionError, "FtpDataConnectionError");

export class FtpInvalidOptionError extends FtpError {
  override name = "FtpInvalidOptionError";
  constructor(message: string) {
    super("ERR_FTP_INVALID_OPTION", message);
  }
}
brand(FtpInvalidOptionError, "FtpInvalidOptionError");

/**
 * `list()` collects every entry in memory, so it stops at a cap (a hostile
 * server's million-line listing would cost hundreds of MB): use
 * `listIter()` to stream a directory of any size, or raise the cap
 * (`maxEntries`, `limits.maxListEntries`).
 */
export class FtpListingTooLargeError extends FtpError {
  override name = "FtpListingTooLargeError";
  /** The cap that was reached. */
  readonly limit: number;
  constructor(limit: number, options: FtpErrorOptions = {}) {
    super("ERR_FTP_LISTING_TOO_LARGE", `The listing has more than ${limit} entries: use listIter() to stream it, or raise maxEntries`, options);
    this.limit = limit;
  }
}
brand(FtpListingTooLargeError, "FtpListingTooLargeError");

/** The operation needs something missing: a server feature (FEAT) or one ftpwire does not implement. */
export class FtpUnsupportedError extends FtpError {
  override name = "FtpUnsupportedError";
  /** What is missing, e.g. "SSCN or CPSV", "HASH". */
  readonly feature: string;
  constructor(feature: string, message: string, options: FtpErrorOptions = {}) {
    super("ERR_FTP_UNSUPPORTED", message, options);
    this.feature = feature;
  }
}
brand(FtpUnsupportedError, "FtpUnsupportedError");

/** A finished transfer whose result does not match what was expected. */
export class FtpVerifyError extends FtpError {
  override name = "FtpVerifyError";
  constructor(message: string, options: FtpErrorOptions = {}) {
    super("ERR_FTP_VERIFY", message, options);
  }
}
brand(FtpVerifyError, "FtpVerifyError");

/**
 * A transfer broke with a failure that would have been retried, but its
 * source or destination cannot pick up where it stopped: a caller's
 * Writable that already received bytes (or was ended), a caller's Readable
 * already read from, an append. `cause` is the interruption.
 */
export class FtpNotResumableError extends FtpError {
  override name = "FtpNotResumableError";
  constructor(message: string, options: FtpErrorOptions = {}) {
    super("ERR_FTP_NOT_RESUMABLE", message, options);
  }
}
brand(FtpNotResumableError, "FtpNotResumableError");

/**
 * One side of a server-to-server transfer failed. `side` says which server;
 * `code`, `replyCode`, `reply` and `command` are that side's failure, which
 * is also the `cause`.
 */
export class FtpFxpError extends FtpError {
  override name = "FtpFxpError";
  readonly side: "source" | "target";
  constructor(side: "source" | "target", cause: unknown) {
    const inner = cause instanceof FtpError ? cause : undefined;
    const text = cause instanceof Error ? cause.message : String(cause);
    super(inner?.code ?? "ERR_FTP_DATA_CONNECTION", `FXP ${side} failed: ${text}`, { reply: inner?.reply, command: inner?.command, cause });
    this.side = side;
  }
}
brand(FtpFxpError, "FtpFxpError");

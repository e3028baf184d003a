/**
 * Client options: the public shape, URL parsing and validation. Bad input
 * fails here, at construction, with FtpInvalidOptionError — before any I/O.
 */
import type { Duplex } from "node:stream";
import type { ConnectionOptions } from "node:tls";
import { FtpInvalidOptionError } from "../errors.js";
import { RETRY_DEFAULTS, resolveRetryOptions, type ResolvedRetryOptions, type RetryOptions } from "./retry-policy.js";

/**
 * Every default of the client in one place (documented in docs/client.md),
 * frozen: a program cannot change them for every client created after.
 */
export const CLIENT_DEFAULTS = Object.freeze({
  /** Control port; 990 with `secure: "implicit"`. */
  port: 21,
  implicitTlsPort: 990,
  user: "anonymous",
  password: "anonymous@",
  timeouts: Object.freeze({
    /** TCP connect plus the whole login. */
    connect: 10_000,
    /** Silence on the control connection while a reply is awaited. */
    control: 30_000,
    /** Opening a data connection, and silence on it during a transfer. */
    data: 30_000,
    /** One reply from its first awaited moment to its last line, however the bytes trickle in. */
    reply: 60_000,
  }),
  mode: "passive",
  family: 0,
  encoding: "utf8",
  usePassiveReplyAddress: false,
  keepAlive: 0,
  progressInterval: 100,
  dataProtection: "private",
  limits: Object.freeze({
    /** Bytes in one reply line, line ending excluded. */
    maxReplyLineLength: 8192,
    /** Lines in one multi-line reply. */
    maxReplyLines: 10_000,
    /** Bytes in one reply, line endings included. */
    maxReplyBytes: 1024 * 1024,
    /** Entries `list()` collects before it gives up (`listIter()` has no cap). */
    maxListEntries: 200_000,
  }),
  /** No retry unless asked for (see RetryOptions): `attempts: 0` is the client without reconnect. */
  retry: RETRY_DEFAULTS,
} as const);

export type ClientDefaults = typeof CLIENT_DEFAULTS;

export interface ClientTimeouts {
  /** TCP connect + greeting, ms. Default 10 000. */
  connect?: number;
  /** Silence on the control connection while a reply is awaited, ms. 0 = none. Default 30 000. */
  control?: number;
  /** Opening a data connection and silence on it during a transfer, ms. Default 30 000. */
  data?: number;
  /**
   * One reply, from when it is awaited until its last line, ms; ends a reply
   * a server trickles out byte by byte (which the silence timeout never
   * sees) with FtpTimeoutError. Paused while a transfer runs. 0 = none.
   * Default 60 000.
   */
  reply?: number;
}

/** Size limits on what the server sends (a hostile server must not make the client buffer without end). */
export interface ClientLimits {
  /** Bytes in one reply line. Default 8192. */
  maxReplyLineLength?: number;
  /** Lines in one multi-line reply. Default 10 000. */
  maxReplyLines?: number;
  /** Bytes in one reply. Default 1 MiB. */
  maxReplyBytes?: number;
  /** Entries `list()` collects before rejecting with FtpListingTooLargeError; `Infinity` for none. Default 200 000. */
  maxListEntries?: number;
}

/** Where the control connection should go, as handed to `createSocket`. */
export interface SocketTarget {
  readonly host: string;
  readonly port: number;
  readonly family: 0 | 4 | 6;
  /** Fires when the connect timeout expires or the caller aborts: give up then. */
  readonly signal: AbortSignal;
}

/**
 * Opens the control connection instead of a TCP connect: any connected
 * Duplex (a SOCKS or HTTP CONNECT tunnel, an in-memory pair in a test).
 * Called once per connection (a pool calls it for each of its own).
 */
export type CreateControlSocket = (target: SocketTarget) => Duplex | Promise<Duplex>;

export interface ActiveModeOptions {
  /** Local address to listen on; default: the control connection's local address. */
  address?: string;
  /** Inclusive port range to listen in; default: any free port. */
  portRange?: readonly [number, number];
}

export interface ClientOptions {
  host: string;
  /** Default 21, or 990 with `secure: "implicit"`. */
  port?: number;
  /** Default "anonymous". */
  user?: string;
  /** Default "anonymous@". */
  password?: string;
  /** Sent with ACCT when the server asks for an account (332). */
  account?: string;
  /** Directory to change into after login (the path of an ftp:// URL). */
  path?: string;
  timeouts?: ClientTimeouts;
  /** Data connection mode. Default "passive" (EPSV, then PASV). */
  mode?: "passive" | "active";
  active?: ActiveModeOptions;
  /** Address family for resolving `host`: 4, 6, or 0 for either. Default 0. */
  family?: 0 | 4 | 6;
  /** Encoding of paths and replies. "utf8" also sends OPTS UTF8 ON when the server offers it. Default "utf8". */
  encoding?: "utf8" | "latin1";
  /**
   * Connect data connections to the address a PASV reply names even when
   * it differs from the control peer. Default false: the control peer's
   * address is used (NAT mistakes, RFC 2577 bounce protection).
   */
  usePassiveReplyAddress?: boolean;
  /** Send NOOP after this many ms of idleness to keep NATs and servers from dropping the session. 0 = off (default). */
  keepAlive?: number;
  /** RFC 7151 virtual host name, sent with HOST before USER. */
  virtualHost?: string;
  /** Minimum ms between two progress events of one transfer (the last one is always sent). Default 100. */
  progressInterval?: number;
  /**
   * FTPS. `true` or "explicit": AUTH TLS after the greeting (RFC 4217).
   * "implicit": TLS from the first byte (port 990, what `ftps://` URLs mean).
   * Default false (clear text).
   */
  secure?: boolean | "explicit" | "implicit";
  /** TLS options for the control and data connections (`ca`, `rejectUnauthorized`, `servername`, `minVersion`, …). Needs `secure`. */
  tls?: ClientTlsOptions;
  /**
   * With `secure`: "private" (PROT P, default) makes every data connection
   * TLS as well; "clear" (PROT C) keeps data in clear text while the control
   * connection stays protected.
   */
  dataProtection?: "private" | "clear";
  limits?: ClientLimits;
  /**
   * Supplies the control connection (see CreateControlSocket). Data
   * connections are still made directly: use it for tunnels that reach the
   * server's own address space, or with active mode.
   */
  createSocket?: CreateControlSocket;
  /**
   * Retry transient failures and reconnect a lost control connection (see
   * docs/client.md, "Jobs that survive the network"). Default
   * `{ attempts: 0, minDelayMs: 250, maxDelayMs: 10_000 }`: no retry.
   */
  retry?: RetryOptions;
}

/**
 * Node's `tls.connect()` options, minus what the client decides itself: the
 * socket, address and session (data connections resume the control
 * connection's session on their own).
 */
export type ClientTlsOptions = Omit<ConnectionOptions, "socket" | "host" | "port" | "path" | "session" | "timeout" | "lookup">;

/**
 * The validated options, as `client.options` shows them. The password and
 * the account are not among them: the client keeps those where neither
 * `client.options` nor `util.inspect(client)` reaches.
 */
export interface ResolvedClientOptions {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly path: string | undefined;
  readonly timeouts: Readonly<Required<ClientTimeouts>>;
  readonly mode: "passive" | "active";
  readonly active: { readonly address: string | undefined; readonly portRange: readonly [number, number] | undefined };
  readonly family: 0 | 4 | 6;
  readonly encoding: "utf8" | "latin1";
  readonly usePassiveReplyAddress: boolean;
  readonly keepAlive: number;
  readonly virtualHost: string | undefined;
  readonly progressInterval: number;
  /** false, or how TLS starts. */
  readonly secure: false | "explicit" | "implicit";
  /** TLS options (undefined when not secure). */
  readonly tls: Readonly<ClientTlsOptions> | undefined;
  readonly dataProtection: "private" | "clear";
  readonly limits: Readonly<Required<ClientLimits>>;
  readonly createSocket: CreateControlSocket | undefined;
  readonly retry: ResolvedRetryOptions;
}

/** The secrets of a login, kept apart from the options. */
export interface ClientCredentials {
  readonly password: string;
  readonly account: string | undefined;
}

/** Parses `ftp://user:pass@host:port/path` (percent-decoded) into options. */
export function parseFtpUrl(url: string): ClientOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new FtpInvalidOptionError(`Invalid FTP URL: ${JSON.stringify(redactUrl(url))}`);
  }
  if (parsed.protocol !== "ftp:" && parsed.protocol !== "ftps:" && parsed.protocol !== "ftpes:") {
    throw new FtpInvalidOptionError(`Unsupported URL scheme ${JSON.stringify(parsed.protocol)} (expected ftp:, ftps: or ftpes:)`);
  }
  const options: ClientOptions = { host: parsed.hostname.replace(/^\[(.*)\]$/, "$1") };
  if (parsed.port) options.port = Number(parsed.port);
  else if (parsed.protocol === "ftps:") options.port = 990;
  if (parsed.username) options.user = decode(parsed.username, "user name");
  if (parsed.password) options.password = decode(parsed.password, "password");
  const path = decode(parsed.pathname, "path");
  if (path && path !== "/") options.path = path;
  // ftps:// is implicit FTPS (RFC 4217 §7 calls port 990 that); ftpes:// is FileZilla's name for explicit.
  if (parsed.protocol === "ftps:") options.secure = "implicit";
  if (parsed.protocol === "ftpes:") options.secure = "explicit";
  return options;
}

function decode(text: string, what: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new FtpInvalidOptionError(`Invalid percent-encoding in the URL's ${what}`);
  }
}

function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, "//$1:***@");
}

/** Accepts a URL string or options (a URL's fields are overridden by `overrides`). */
export function resolveClientOptions(input: string | ClientOptions, overrides: Partial<ClientOptions> = {}): ResolvedClientOptions {
  return resolveClientConfig(input, overrides).options;
}

/** The options and, apart from them, the credentials. */
export function resolveClientConfig(
  input: string | ClientOptions,
  overrides: Partial<ClientOptions> = {},
): { options: ResolvedClientOptions; credentials: ClientCredentials } {
  if (input === null || (typeof input !== "string" && typeof input !== "object")) {
    throw new FtpInvalidOptionError("Client options must be an object or an ftp:// URL");
  }
  // A renamed option that silently did nothing would change where data connections go.
  if ((typeof input === "object" && "allowSeparateTransferHost" in input) || "allowSeparateTransferHost" in overrides) {
    throw new FtpInvalidOptionError("allowSeparateTransferHost is now called usePassiveReplyAddress");
  }
  const raw: ClientOptions = { ...(typeof input === "string" ? parseFtpUrl(input) : input), ...overrides };
  if (typeof raw.host !== "string" || raw.host.length === 0) throw new FtpInvalidOptionError("host is required");
  const secure = resolveSecure(raw.secure);
  if (raw.tls !== undefined && (raw.tls === null || typeof raw.tls !== "object" || Array.isArray(raw.tls))) {
    throw new FtpInvalidOptionError("tls must be an object of TLS options");
  }
  if (!secure && raw.tls !== undefined && Object.keys(raw.tls).length > 0) {
    // Someone who sets a CA expects TLS; going on in clear text would send the password unprotected.
    throw new FtpInvalidOptionError('tls options need secure: true, "explicit" or "implicit" (or an ftps:// URL)');
  }
  const dataProtection = raw.dataProtection ?? CLIENT_DEFAULTS.dataProtection;
  if (dataProtection !== "private" && dataProtection !== "clear") {
    throw new FtpInvalidOptionError('dataProtection must be "private" or "clear"');
  }
  const port = raw.port ?? (secure === "implicit" ? CLIENT_DEFAULTS.implicitTlsPort : CLIENT_DEFAULTS.port);
  checkPort("port", port);
  const t = CLIENT_DEFAULTS.timeouts;
  const timeouts = {
    connect: nonNegative("timeouts.connect", raw.timeouts?.connect, t.connect),
    control: nonNegative("timeouts.control", raw.timeouts?.control, t.control),
    data: nonNegative("timeouts.data", raw.timeouts?.data, t.data),
    reply: nonNegative("timeouts.reply", raw.timeouts?.reply, t.reply),
  };
  const l = CLIENT_DEFAULTS.limits;
  const limits = {
    maxReplyLineLength: positiveCount("limits.maxReplyLineLength", raw.limits?.maxReplyLineLength, l.maxReplyLineLength, false),
    maxReplyLines: positiveCount("limits.maxReplyLines", raw.limits?.maxReplyLines, l.maxReplyLines, false),
    maxReplyBytes: positiveCount("limits.maxReplyBytes", raw.limits?.maxReplyBytes, l.maxReplyBytes, false),
    maxListEntries: positiveCount("limits.maxListEntries", raw.limits?.maxListEntries, l.maxListEntries, true),
  };
  if (raw.createSocket !== undefined && typeof raw.createSocket !== "function") {
    throw new FtpInvalidOptionError("createSocket must be a function that returns a connected Duplex");
  }
  const mode = raw.mode ?? CLIENT_DEFAULTS.mode;
  if (mode !== "passive" && mode !== "active") throw new FtpInvalidOptionError(`mode must be "passive" or "active", got ${String(mode)}`);
  const portRange = raw.active?.portRange;
  if (portRange !== undefined) {
    if (!Array.isArray(portRange) || portRange.length !== 2) throw new FtpInvalidOptionError("active.portRange must be [min, max]");
    checkPort("active.portRange[0]", portRange[0]);
    checkPort("active.portRange[1]", portRange[1]);
    if (portRange[0] > portRange[1]) throw new FtpInvalidOptionError("active.portRange: min is above max");
  }
  const family = raw.family ?? CLIENT_DEFAULTS.family;
  if (family !== 0 && family !== 4 && family !== 6) throw new FtpInvalidOptionError("family must be 0, 4 or 6");
  const encoding = raw.encoding ?? CLIENT_DEFAULTS.encoding;
  if (encoding !== "utf8" && encoding !== "latin1") throw new FtpInvalidOptionError('encoding must be "utf8" or "latin1"');
  for (const [name, value] of [["user", raw.user], ["password", raw.password], ["account", raw.account], ["virtualHost", raw.virtualHost], ["path", raw.path]] as const) {
    if (value !== undefined && typeof value !== "string") throw new FtpInvalidOptionError(`${name} must be a string`);
    if (value !== undefined && /[\r\n\0]/.test(value)) throw new FtpInvalidOptionError(`${name} must not contain CR, LF or NUL`);
  }
  const options: ResolvedClientOptions = {
    host: raw.host,
    port,
    user: raw.user ?? CLIENT_DEFAULTS.user,
    path: raw.path,
    timeouts,
    mode,
    active: { address: raw.active?.address, portRange: portRange ? [portRange[0], portRange[1]] : undefined },
    family,
    encoding,
    usePassiveReplyAddress: raw.usePassiveReplyAddress ?? CLIENT_DEFAULTS.usePassiveReplyAddress,
    keepAlive: nonNegative("keepAlive", raw.keepAlive, CLIENT_DEFAULTS.keepAlive),
    virtualHost: raw.virtualHost,
    progressInterval: nonNegative("progressInterval", raw.progressInterval, CLIENT_DEFAULTS.progressInterval),
    secure,
    tls: secure ? { ...raw.tls } : undefined,
    dataProtection,
    limits,
    createSocket: raw.createSocket,
    retry: resolveRetryOptions(raw.retry),
  };
  return { options, credentials: { password: raw.password ?? CLIENT_DEFAULTS.password, account: raw.account } };
}

function resolveSecure(value: unknown): false | "explicit" | "implicit" {
  if (value === undefined || value === false) return false;
  if (value === true || value === "explicit") return "explicit";
  if (value === "implicit") return "implicit";
  throw new FtpInvalidOptionError(`secure must be true, false, "explicit" or "implicit", got ${String(value)}`);
}

function checkPort(name: string, port: unknown): void {
  if (typeof port !== "number" || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new FtpInvalidOptionError(`${name} must be an integer from 1 to 65535, got ${String(port)}`);
  }
}

function nonNegative(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new FtpInvalidOptionError(`${name} must be a non-negative number of milliseconds, got ${String(value)}`);
  }
  return value;
}

/** A whole number of at least 1 (`Infinity` too when `unbounded` is allowed). */
function positiveCount(name: string, value: number | undefined, fallback: number, unbounded: boolean): number {
  if (value === undefined) return fallback;
  if (unbounded && value === Infinity) return value;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1) {
    throw new FtpInvalidOptionError(`${name} must be a whole number of at least 1${unbounded ? " (or Infinity)" : ""}, got ${String(value)}`);
  }
  return value;
}

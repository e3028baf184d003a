/**
 * Client options: the public shape, URL parsing and validation. Bad input
 * fails here, at construction, with FtpInvalidOptionError — before any I/O.
 */
import type { ConnectionOptions } from "node:tls";
import { FtpInvalidOptionError } from "../errors.js";

export interface ClientTimeouts {
  /** TCP connect + greeting, ms. Default 10 000. */
  connect?: number;
  /** Silence on the control connection while a reply is awaited, ms. 0 = none. Default 30 000. */
  control?: number;
  /** Opening a data connection and silence on it during a transfer, ms. Default 30 000. */
  data?: number;
}

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
  /** Trust the address in a PASV reply even when it differs from the control peer. Default false. */
  allowSeparateTransferHost?: boolean;
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
}

/**
 * Node's `tls.connect()` options, minus what the client decides itself: the
 * socket, address and session (data connections resume the control
 * connection's session on their own).
 */
export type ClientTlsOptions = Omit<ConnectionOptions, "socket" | "host" | "port" | "path" | "session" | "timeout" | "lookup">;

export interface ResolvedClientOptions {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly account: string | undefined;
  readonly path: string | undefined;
  readonly timeouts: { readonly connect: number; readonly control: number; readonly data: number };
  readonly mode: "passive" | "active";
  readonly active: { readonly address: string | undefined; readonly portRange: readonly [number, number] | undefined };
  readonly family: 0 | 4 | 6;
  readonly encoding: "utf8" | "latin1";
  readonly allowSeparateTransferHost: boolean;
  readonly keepAlive: number;
  readonly virtualHost: string | undefined;
  readonly progressInterval: number;
  /** false, or how TLS starts. */
  readonly secure: false | "explicit" | "implicit";
  /** TLS options (undefined when not secure). */
  readonly tls: Readonly<ClientTlsOptions> | undefined;
  readonly dataProtection: "private" | "clear";
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
  const raw: ClientOptions = { ...(typeof input === "string" ? parseFtpUrl(input) : input), ...overrides };
  if (raw === null || typeof raw !== "object") throw new FtpInvalidOptionError("Client options must be an object or an ftp:// URL");
  if (typeof raw.host !== "string" || raw.host.length === 0) throw new FtpInvalidOptionError("host is required");
  const secure = resolveSecure(raw.secure);
  if (raw.tls !== undefined && (raw.tls === null || typeof raw.tls !== "object" || Array.isArray(raw.tls))) {
    throw new FtpInvalidOptionError("tls must be an object of TLS options");
  }
  if (!secure && raw.tls !== undefined && Object.keys(raw.tls).length > 0) {
    // Someone who sets a CA expects TLS; going on in clear text would send the password unprotected.
    throw new FtpInvalidOptionError('tls options need secure: true, "explicit" or "implicit" (or an ftps:// URL)');
  }
  const dataProtection = raw.dataProtection ?? "private";
  if (dataProtection !== "private" && dataProtection !== "clear") {
    throw new FtpInvalidOptionError('dataProtection must be "private" or "clear"');
  }
  const port = raw.port ?? (secure === "implicit" ? 990 : 21);
  checkPort("port", port);
  const timeouts = {
    connect: nonNegative("timeouts.connect", raw.timeouts?.connect, 10_000),
    control: nonNegative("timeouts.control", raw.timeouts?.control, 30_000),
    data: nonNegative("timeouts.data", raw.timeouts?.data, 30_000),
  };
  const mode = raw.mode ?? "passive";
  if (mode !== "passive" && mode !== "active") throw new FtpInvalidOptionError(`mode must be "passive" or "active", got ${String(mode)}`);
  const portRange = raw.active?.portRange;
  if (portRange !== undefined) {
    if (!Array.isArray(portRange) || portRange.length !== 2) throw new FtpInvalidOptionError("active.portRange must be [min, max]");
    checkPort("active.portRange[0]", portRange[0]);
    checkPort("active.portRange[1]", portRange[1]);
    if (portRange[0] > portRange[1]) throw new FtpInvalidOptionError("active.portRange: min is above max");
  }
  const family = raw.family ?? 0;
  if (family !== 0 && family !== 4 && family !== 6) throw new FtpInvalidOptionError("family must be 0, 4 or 6");
  const encoding = raw.encoding ?? "utf8";
  if (encoding !== "utf8" && encoding !== "latin1") throw new FtpInvalidOptionError('encoding must be "utf8" or "latin1"');
  for (const [name, value] of [["user", raw.user], ["password", raw.password], ["account", raw.account], ["virtualHost", raw.virtualHost], ["path", raw.path]] as const) {
    if (value !== undefined && typeof value !== "string") throw new FtpInvalidOptionError(`${name} must be a string`);
    if (value !== undefined && /[\r\n\0]/.test(value)) throw new FtpInvalidOptionError(`${name} must not contain CR, LF or NUL`);
  }
  return {
    host: raw.host,
    port,
    user: raw.user ?? "anonymous",
    password: raw.password ?? "anonymous@",
    account: raw.account,
    path: raw.path,
    timeouts,
    mode,
    active: { address: raw.active?.address, portRange: portRange ? [portRange[0], portRange[1]] : undefined },
    family,
    encoding,
    allowSeparateTransferHost: raw.allowSeparateTransferHost ?? false,
    keepAlive: nonNegative("keepAlive", raw.keepAlive, 0),
    virtualHost: raw.virtualHost,
    progressInterval: nonNegative("progressInterval", raw.progressInterval, 100),
    secure,
    tls: secure ? { ...raw.tls } : undefined,
    dataProtection,
  };
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

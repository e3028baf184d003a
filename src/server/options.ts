/**
 * Server options: the public shape, validation (bad options throw
 * FtpInvalidOptionError at createServer(), before any socket exists) and
 * the resolved form the session reads.
 */
import { isIP } from "node:net";
import { createSecureContext, type SecureContext, type SecureContextOptions } from "node:tls";
import { FtpInvalidOptionError } from "../errors.js";
import { SERVER_DEFAULTS } from "./defaults.js";
import { resolveProxyProtocol, type ProxyProtocolOptions, type ResolvedProxyProtocol } from "./proxy-handshake.js";
import { MemorySharedState, type SharedState } from "./shared-state.js";
import type {
  AuthenticateContext,
  AuthenticateResult,
  BeforeCommandContext,
  BeforeCommandResult,
  FtpSession,
  SiteHandler,
} from "./types.js";

export interface FtpServerLimits {
  /** Stored bytes SIZE and REST may read in TYPE A to count the CRLF expansion. */
  maxAsciiScanBytes: number;
  maxConnections: number;
  maxConnectionsPerAddress: number;
  maxLoginAttempts: number;
  failedLoginDelayMs: number;
  /** Cap of the per-address spacing between login attempts, which doubles with each failure. */
  maxFailedLoginDelayMs: number;
  /** Failed logins from one address (all its connections) before it is banned for `loginBanMs`. */
  maxFailedLoginsPerAddress: number;
  /** How long a ban lasts, and how long an address's failures are remembered. */
  loginBanMs: number;
  maxLineLength: number;
  /** Commands queued during a transfer (more get 503); outside one, reading pauses at this count. */
  maxQueuedCommands: number;
}

/** Every timeout of the server, in milliseconds (defaults in `SERVER_DEFAULTS.timeouts`). */
export interface FtpServerTimeouts {
  /** A control connection with no command for this long gets 421 and is closed (paused during transfers). */
  idle: number;
  /** Waiting for a data connection, and inactivity during a transfer (426). */
  data: number;
  /** A control-connection TLS handshake (AUTH TLS, implicit FTPS). */
  tlsHandshake: number;
  /** A connection not logged in this long after the greeting (or REIN) gets 421 and is closed; NOOPs do not extend it. */
  login: number;
}

/** FTPS mode: `true`/"explicit" offers AUTH TLS, "implicit" is TLS from the first byte (both need `tls`); `false` is plain FTP. */
export type ServerSecureMode = boolean | "explicit" | "implicit";

/**
 * FTPS policy (RFC 4217): "control" refuses USER/PASS before AUTH TLS,
 * "data" refuses transfers unless PROT P, "all" both. `true` means "all".
 */
export type RequireTlsPolicy = "none" | "control" | "data" | "all";

export interface PassiveOptions {
  /** Inclusive range of ports for PASV/EPSV listeners. Default: any free port. */
  readonly portRange?: readonly [number, number];
  /**
   * IPv4 address announced in 227 replies (for servers behind NAT), or a
   * function of the session. Default: the local address of the control connection.
   */
  readonly publicAddress?: string | ((session: FtpSession) => string);
}

export interface FtpServerOptions {
  /** Decides who may log in and which storage they see. `null` → 530. */
  readonly authenticate: (
    context: AuthenticateContext,
  ) => AuthenticateResult | null | undefined | Promise<AuthenticateResult | null | undefined>;
  /** Runs before every command except PASS; may allow, deny or rewrite it. */
  readonly beforeCommand?: (context: BeforeCommandContext) => BeforeCommandResult | Promise<BeforeCommandResult>;
  /** Custom SITE subcommands, keyed by name (case-insensitive). */
  readonly site?: Readonly<Record<string, SiteHandler>>;
  readonly greeting?: string | readonly string[];
  readonly passive?: PassiveOptions;
  /**
   * Allow PORT/EPRT to other addresses than the control peer's, and to ports
   * below 1024: server-to-server transfers ("FXP"). Default false: RFC 2577
   * (bounce attack).
   */
  readonly allowFxp?: boolean;
  readonly asciiConversion?: boolean;
  readonly shutdownGraceMs?: number;
  readonly systemType?: string;
  readonly limits?: Partial<FtpServerLimits>;
  /** Timeouts in ms; each one left out keeps its default. */
  readonly timeouts?: Partial<FtpServerTimeouts>;
  /**
   * Enables FTPS: Node's SecureContextOptions (`key`, `cert`, `ca`,
   * `minVersion`, …). One SecureContext is built per server and shared by the
   * control and data connections, so data connections can resume the
   * control connection's TLS session.
   */
  readonly tls?: SecureContextOptions;
  /**
   * FTPS mode. Default with `tls`: "explicit" (AUTH TLS, RFC 4217);
   * "implicit": TLS from the first byte, then the 220 greeting. `true` means
   * "explicit". Anything but `false` needs `tls`; `false` with `tls` is an error.
   */
  readonly secure?: ServerSecureMode;
  /** Which channels must be TLS-protected (needs `tls` unless "none"). Default "none". */
  readonly requireTls?: RequireTlsPolicy | boolean;
  /**
   * Refuse (522) TLS data connections that do not resume the control
   * connection's TLS session (vsftpd's require_ssl_reuse). Default false:
   * Python's ftplib never resumes sessions.
   */
  readonly requireTlsSessionReuse?: boolean;
  /**
   * Connections from a TCP load balancer that announces the client with a
   * PROXY protocol header (v1 or v2). See docs/scaling.md.
   */
  readonly proxyProtocol?: ProxyProtocolOptions;
  /**
   * Where connections per address, failed logins and bans are counted.
   * Default: this process's memory. A fleet shares one (`RedisSharedState`).
   */
  readonly sharedState?: SharedState;
}

/** The options after validation and defaults, as `server.options` holds them. */
export interface ResolvedServerOptions {
  readonly authenticate: FtpServerOptions["authenticate"];
  readonly beforeCommand: FtpServerOptions["beforeCommand"];
  readonly site: ReadonlyMap<string, SiteHandler>;
  readonly greeting: string | readonly string[];
  readonly portRange: readonly [number, number] | undefined;
  readonly publicAddress: PassiveOptions["publicAddress"];
  readonly allowFxp: boolean;
  readonly asciiConversion: boolean;
  readonly shutdownGraceMs: number;
  readonly systemType: string;
  readonly limits: Readonly<FtpServerLimits>;
  readonly timeouts: Readonly<FtpServerTimeouts>;
  /** The server's one TLS context, when `tls` was given. */
  readonly secureContext: SecureContext | undefined;
  /** false: plain FTP (no `tls`). */
  readonly secure: false | "explicit" | "implicit";
  readonly requireTls: RequireTlsPolicy;
  readonly requireTlsSessionReuse: boolean;
  readonly proxyProtocol: ResolvedProxyProtocol | undefined;
  readonly sharedState: SharedState;
}

function fail(message: string): never {
  throw new FtpInvalidOptionError(message);
}

function checkInteger(name: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    fail(`${name} must be an integer between ${min} and ${max}, got ${String(value)}`);
  }
  return value;
}

export function resolveServerOptions(options: FtpServerOptions): ResolvedServerOptions {
  if (typeof options !== "object" || options === null) fail("createServer() needs an options object");
  if (typeof options.authenticate !== "function") fail("options.authenticate must be a function");
  if (options.beforeCommand !== undefined && typeof options.beforeCommand !== "function") {
    fail("options.beforeCommand must be a function");
  }
  const site = new Map<string, SiteHandler>();
  for (const [name, handler] of Object.entries(options.site ?? {})) {
    if (!/^[A-Za-z][A-Za-z0-9_-]*$/.test(name)) fail(`SITE command name "${name}" is not a single word`);
    if (typeof handler !== "function") fail(`options.site.${name} must be a function`);
    if (["CHMOD", "HELP"].includes(name.toUpperCase())) fail(`SITE ${name.toUpperCase()} is built in`);
    site.set(name.toUpperCase(), handler);
  }
  const greeting = options.greeting ?? SERVER_DEFAULTS.greeting;
  if (typeof greeting !== "string" && !(Array.isArray(greeting) && greeting.every((l) => typeof l === "string"))) {
    fail("options.greeting must be a string or an array of strings");
  }
  const range = options.passive?.portRange;
  if (range !== undefined) {
    if (!Array.isArray(range) || range.length !== 2) fail("passive.portRange must be [low, high]");
    const low = checkInteger("passive.portRange[0]", range[0], 1024, 65535);
    const high = checkInteger("passive.portRange[1]", range[1], 1024, 65535);
    if (low > high) fail("passive.portRange: low must not exceed high");
  }
  const publicAddress = options.passive?.publicAddress;
  if (typeof publicAddress === "string") {
    if (isIP(publicAddress) !== 4 || publicAddress === "0.0.0.0") {
      fail("passive.publicAddress must be a specific IPv4 address (227 replies carry IPv4 only)");
    }
  } else if (publicAddress !== undefined && typeof publicAddress !== "function") {
    fail("passive.publicAddress must be a string or a function");
  }
  const given = options.limits ?? {};
  const d = SERVER_DEFAULTS.limits;
  const limits: FtpServerLimits = {
    maxConnections: checkInteger("limits.maxConnections", given.maxConnections ?? d.maxConnections, 1),
    maxConnectionsPerAddress: checkInteger(
      "limits.maxConnectionsPerAddress",
      given.maxConnectionsPerAddress ?? d.maxConnectionsPerAddress,
      1,
    ),
    maxLoginAttempts: checkInteger("limits.maxLoginAttempts", given.maxLoginAttempts ?? d.maxLoginAttempts, 1),
    failedLoginDelayMs: checkInteger("limits.failedLoginDelayMs", given.failedLoginDelayMs ?? d.failedLoginDelayMs, 0, 60_000),
    maxFailedLoginDelayMs: checkInteger(
      "limits.maxFailedLoginDelayMs",
      given.maxFailedLoginDelayMs ?? d.maxFailedLoginDelayMs,
      0,
      3_600_000,
    ),
    maxFailedLoginsPerAddress: checkInteger(
      "limits.maxFailedLoginsPerAddress",
      given.maxFailedLoginsPerAddress ?? d.maxFailedLoginsPerAddress,
      1,
    ),
    loginBanMs: checkInteger("limits.loginBanMs", given.loginBanMs ?? d.loginBanMs, 0, 2 ** 31 - 1),
    maxLineLength: checkInteger("limits.maxLineLength", given.maxLineLength ?? d.maxLineLength, 512, 1 << 20),
    maxQueuedCommands: checkInteger("limits.maxQueuedCommands", given.maxQueuedCommands ?? d.maxQueuedCommands, 0, 10_000),
    maxAsciiScanBytes: checkInteger("limits.maxAsciiScanBytes", given.maxAsciiScanBytes ?? d.maxAsciiScanBytes, 0, Number.MAX_SAFE_INTEGER),
  };
  for (const name of Object.keys(given)) {
    // A renamed limit (0.x: `limits.idleTimeoutMs` → `timeouts.idle`) must not be ignored silently.
    if (!(name in d)) fail(`limits.${name} is not a limit${RENAMED_TIMEOUTS[name] ? ` (now timeouts.${RENAMED_TIMEOUTS[name]})` : ""}`);
  }
  const timeouts = resolveTimeouts(options.timeouts);
  const bool = (name: string, value: unknown, fallback: boolean): boolean => {
    if (value === undefined) return fallback;
    if (typeof value !== "boolean") fail(`${name} must be a boolean`);
    return value;
  };
  const systemType = options.systemType ?? SERVER_DEFAULTS.systemType;
  if (typeof systemType !== "string") fail("options.systemType must be a string");
  return {
    authenticate: options.authenticate,
    beforeCommand: options.beforeCommand,
    site,
    greeting,
    portRange: range === undefined ? undefined : [range[0], range[1]],
    publicAddress,
    allowFxp: bool("allowFxp", options.allowFxp, SERVER_DEFAULTS.allowFxp),
    asciiConversion: bool("asciiConversion", options.asciiConversion, SERVER_DEFAULTS.asciiConversion),
    shutdownGraceMs: checkInteger("shutdownGraceMs", options.shutdownGraceMs ?? SERVER_DEFAULTS.shutdownGraceMs, 0, 2 ** 31 - 1),
    systemType,
    limits,
    timeouts,
    ...resolveTlsOptions(options, bool),
    proxyProtocol: resolveProxyProtocol(options.proxyProtocol),
    sharedState: resolveSharedState(options.sharedState),
  };
}

/** The old names of the timeouts, for a clear error instead of a silently ignored option. */
const RENAMED_TIMEOUTS: Readonly<Record<string, keyof FtpServerTimeouts>> = {
  idleTimeoutMs: "idle",
  dataTimeoutMs: "data",
  tlsHandshakeTimeoutMs: "tlsHandshake",
  loginTimeoutMs: "login",
};

function resolveTimeouts(given: Partial<FtpServerTimeouts> | undefined): FtpServerTimeouts {
  if (given !== undefined && (typeof given !== "object" || given === null)) fail("options.timeouts must be an object");
  const d = SERVER_DEFAULTS.timeouts;
  for (const name of Object.keys(given ?? {})) {
    if (!(name in d)) fail(`timeouts.${name} is not a timeout (idle, data, tlsHandshake, login)`);
  }
  const ms = (name: keyof FtpServerTimeouts) => checkInteger(`timeouts.${name}`, given?.[name] ?? d[name], 1, 2 ** 31 - 1);
  return { idle: ms("idle"), data: ms("data"), tlsHandshake: ms("tlsHandshake"), login: ms("login") };
}

const POLICIES: readonly RequireTlsPolicy[] = ["none", "control", "data", "all"];

function resolveTlsOptions(
  options: FtpServerOptions,
  bool: (name: string, value: unknown, fallback: boolean) => boolean,
): Pick<ResolvedServerOptions, "secureContext" | "secure" | "requireTls" | "requireTlsSessionReuse"> {
  let secureContext: SecureContext | undefined;
  if (options.tls !== undefined) {
    if (typeof options.tls !== "object" || options.tls === null) fail("options.tls must be an object (SecureContextOptions)");
    if (options.tls.cert === undefined && options.tls.pfx === undefined) fail("options.tls needs a cert (or pfx)");
    try {
      secureContext = createSecureContext(options.tls);
    } catch (error) {
      // The message names the problem (bad PEM, key mismatch); it never contains key material.
      fail(`options.tls: ${(error as Error).message}`);
    }
  }
  const renamed = options as { implicitTls?: unknown; requireTLS?: unknown; allowForeignDataAddress?: unknown };
  if (renamed.implicitTls !== undefined) fail('options.implicitTls is now secure: "implicit"');
  if (renamed.requireTLS !== undefined) fail("options.requireTLS is now requireTls");
  if (renamed.allowForeignDataAddress !== undefined) fail("options.allowForeignDataAddress is now allowFxp");
  const given = options.requireTls;
  const requireTls: RequireTlsPolicy = given === true ? "all" : given === false || given === undefined ? SERVER_DEFAULTS.requireTls : given;
  if (!POLICIES.includes(requireTls)) fail(`options.requireTls must be one of ${POLICIES.join(", ")} (or a boolean)`);
  const secure = resolveSecure(options.secure, secureContext !== undefined);
  const requireTlsSessionReuse = bool("requireTlsSessionReuse", options.requireTlsSessionReuse, SERVER_DEFAULTS.requireTlsSessionReuse);
  if (!secureContext && (secure || requireTls !== "none" || requireTlsSessionReuse)) {
    fail("secure, requireTls and requireTlsSessionReuse need options.tls (key and certificate)");
  }
  return { secureContext, secure, requireTls, requireTlsSessionReuse };
}

function resolveSecure(value: unknown, hasTls: boolean): false | "explicit" | "implicit" {
  if (value === undefined) return hasTls ? SERVER_DEFAULTS.secure : false;
  if (value === false) {
    // Dropping a given certificate silently would leave a server plain that its operator meant to protect.
    if (hasTls) fail("options.secure is false but options.tls is given: remove one of them");
    return false;
  }
  if (value === true || value === "explicit") return "explicit";
  if (value === "implicit") return "implicit";
  fail(`options.secure must be true, false, "explicit" or "implicit", got ${String(value)}`);
}

function resolveSharedState(given: SharedState | undefined): SharedState {
  if (given === undefined) return new MemorySharedState();
  for (const method of ["claimConnection", "admitLogin", "loginFailed", "isBanned"] as const) {
    if (typeof (given as unknown as Record<string, unknown>)[method] !== "function") fail(`options.sharedState.${method} must be a function`);
  }
  return given;
}

/**
 * Server options: the public shape, validation (bad options throw
 * FtpInvalidOptionError at createServer(), before any socket exists) and
 * the resolved form the session reads.
 */
import { isIP } from "node:net";
import { createSecureContext, type SecureContext, type SecureContextOptions } from "node:tls";
import { FtpInvalidOptionError } from "../errors.js";
import { SERVER_DEFAULTS } from "./defaults.js";
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
  idleTimeoutMs: number;
  /** A connection not logged in this long after the greeting (or REIN) gets 421 and is closed; NOOPs do not extend it. */
  loginTimeoutMs: number;
  dataTimeoutMs: number;
  maxLineLength: number;
  maxQueuedCommands: number;
  tlsHandshakeTimeoutMs: number;
}

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
  readonly allowForeignDataAddress?: boolean;
  readonly asciiConversion?: boolean;
  readonly shutdownGraceMs?: number;
  readonly systemType?: string;
  readonly limits?: Partial<FtpServerLimits>;
  /**
   * Enables FTPS: Node's SecureContextOptions (`key`, `cert`, `ca`,
   * `minVersion`, …). One SecureContext is built per server and shared by the
   * control and data connections, so data connections can resume the
   * control connection's TLS session.
   */
  readonly tls?: SecureContextOptions;
  /** Implicit FTPS: TLS from the first byte, then the 220 greeting (needs `tls`). Default false. */
  readonly implicitTls?: boolean;
  /** Which channels must be TLS-protected (needs `tls` unless "none"). Default "none". */
  readonly requireTLS?: RequireTlsPolicy | boolean;
  /**
   * Refuse (522) TLS data connections that do not resume the control
   * connection's TLS session (vsftpd's require_ssl_reuse). Default false:
   * Python's ftplib never resumes sessions.
   */
  readonly requireTlsSessionReuse?: boolean;
}

export interface ResolvedServerOptions {
  readonly authenticate: FtpServerOptions["authenticate"];
  readonly beforeCommand: FtpServerOptions["beforeCommand"];
  readonly site: ReadonlyMap<string, SiteHandler>;
  readonly greeting: string | readonly string[];
  readonly portRange: readonly [number, number] | undefined;
  readonly publicAddress: PassiveOptions["publicAddress"];
  readonly allowForeignDataAddress: boolean;
  readonly asciiConversion: boolean;
  readonly shutdownGraceMs: number;
  readonly systemType: string;
  readonly limits: Readonly<FtpServerLimits>;
  /** The server's one TLS context, when `tls` was given. */
  readonly secureContext: SecureContext | undefined;
  readonly implicitTls: boolean;
  readonly requireTLS: RequireTlsPolicy;
  readonly requireTlsSessionReuse: boolean;
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
    idleTimeoutMs: checkInteger("limits.idleTimeoutMs", given.idleTimeoutMs ?? d.idleTimeoutMs, 1, 2 ** 31 - 1),
    loginTimeoutMs: checkInteger("limits.loginTimeoutMs", given.loginTimeoutMs ?? d.loginTimeoutMs, 1, 2 ** 31 - 1),
    dataTimeoutMs: checkInteger("limits.dataTimeoutMs", given.dataTimeoutMs ?? d.dataTimeoutMs, 1, 2 ** 31 - 1),
    maxLineLength: checkInteger("limits.maxLineLength", given.maxLineLength ?? d.maxLineLength, 512, 1 << 20),
    maxQueuedCommands: checkInteger("limits.maxQueuedCommands", given.maxQueuedCommands ?? d.maxQueuedCommands, 0, 10_000),
    maxAsciiScanBytes: checkInteger("limits.maxAsciiScanBytes", given.maxAsciiScanBytes ?? d.maxAsciiScanBytes, 0, Number.MAX_SAFE_INTEGER),
    tlsHandshakeTimeoutMs: checkInteger(
      "limits.tlsHandshakeTimeoutMs",
      given.tlsHandshakeTimeoutMs ?? d.tlsHandshakeTimeoutMs,
      1,
      2 ** 31 - 1,
    ),
  };
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
    allowForeignDataAddress: bool("allowForeignDataAddress", options.allowForeignDataAddress, SERVER_DEFAULTS.allowForeignDataAddress),
    asciiConversion: bool("asciiConversion", options.asciiConversion, SERVER_DEFAULTS.asciiConversion),
    shutdownGraceMs: checkInteger("shutdownGraceMs", options.shutdownGraceMs ?? SERVER_DEFAULTS.shutdownGraceMs, 0, 2 ** 31 - 1),
    systemType,
    limits,
    ...resolveTlsOptions(options, bool),
  };
}

const POLICIES: readonly RequireTlsPolicy[] = ["none", "control", "data", "all"];

function resolveTlsOptions(
  options: FtpServerOptions,
  bool: (name: string, value: unknown, fallback: boolean) => boolean,
): Pick<ResolvedServerOptions, "secureContext" | "implicitTls" | "requireTLS" | "requireTlsSessionReuse"> {
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
  const given = options.requireTLS;
  const requireTLS: RequireTlsPolicy = given === true ? "all" : given === false || given === undefined ? SERVER_DEFAULTS.requireTLS : given;
  if (!POLICIES.includes(requireTLS)) fail(`options.requireTLS must be one of ${POLICIES.join(", ")} (or a boolean)`);
  const implicitTls = bool("implicitTls", options.implicitTls, SERVER_DEFAULTS.implicitTls);
  const requireTlsSessionReuse = bool("requireTlsSessionReuse", options.requireTlsSessionReuse, SERVER_DEFAULTS.requireTlsSessionReuse);
  if (!secureContext && (implicitTls || requireTLS !== "none" || requireTlsSessionReuse)) {
    fail("implicitTls, requireTLS and requireTlsSessionReuse need options.tls (key and certificate)");
  }
  return { secureContext, implicitTls, requireTLS, requireTlsSessionReuse };
}

/**
 * Every default of the server in one place (documented in docs/server.md),
 * frozen to the last level: a program cannot change them for every server
 * created after. Handlers never carry their own numbers: they read the
 * resolved options.
 */
export const SERVER_DEFAULTS = Object.freeze({
  /** First line(s) sent to a new connection (220). */
  greeting: "ftpwire FTP server ready",
  /** Bind address of `listen()` when none is given. */
  host: "0.0.0.0",
  /** Port of `listen()` when none is given. */
  port: 21,
  /** Allow PORT/EPRT to other addresses than the control peer's and to ports below 1024 (server-to-server "FXP"; RFC 2577 says refuse). */
  allowFxp: false,
  /** Convert line endings for TYPE A transfers (CRLF on the wire, LF in storage). */
  asciiConversion: true,
  /** How long `close()` lets running transfers finish before it ends every session. */
  shutdownGraceMs: 10_000,
  /** SYST reply text (215). */
  systemType: "UNIX Type: L8",
  /** FTPS policy: which channels must be protected by TLS ("none" | "control" | "data" | "all"). */
  requireTls: "none",
  /** Refuse TLS data connections that do not resume the control connection's TLS session (vsftpd's require_ssl_reuse). */
  requireTlsSessionReuse: false,
  /** With `tls`: explicit FTPS (AUTH TLS); "implicit" is TLS from the first byte. Without `tls` the server is plain FTP. */
  secure: "explicit",
  /** Every timeout, in milliseconds. */
  timeouts: Object.freeze({
    /** A control connection with no command for this long gets 421 and is closed (paused during transfers). */
    idle: 300_000,
    /** Waiting for a data connection, and inactivity during a transfer. */
    data: 30_000,
    /** A TLS handshake on the control connection (AUTH TLS, implicit FTPS) must finish within this time. */
    tlsHandshake: 10_000,
    /** Time from the greeting (or REIN) to a successful login; then 421 and close. NOOPs do not extend it. */
    login: 60_000,
  }),
  limits: Object.freeze({
    /** Connections open at once; one more gets 421 and is closed. */
    maxConnections: 512,
    /** Connections open at once from one remote address. */
    maxConnectionsPerAddress: 32,
    /** Failed PASS attempts per connection before it is closed with 421. */
    maxLoginAttempts: 3,
    /**
     * Delay before each failed-login reply on its connection, and the first
     * spacing between login attempts from an address after a failure there
     * (login-throttle.ts); the spacing doubles with each further failure.
     */
    failedLoginDelayMs: 1000,
    /** Cap of that per-address spacing. */
    maxFailedLoginDelayMs: 16_000,
    /** Failed logins from one address, over all its connections, before it is banned. */
    maxFailedLoginsPerAddress: 10,
    /** Ban length (PASS → 421 without checking the password); failures are forgotten this long after the last. */
    loginBanMs: 600_000,
    /** Longest command line in bytes; longer lines get 500. */
    maxLineLength: 4096,
    /** Commands received during a transfer are queued up to this count; more get 503. Outside a transfer, reading pauses at this count. */
    maxQueuedCommands: 32,
    /** Stored bytes SIZE and REST may read in TYPE A to count the CRLF expansion (RFC 3659 §4, §5); larger → refused. */
    maxAsciiScanBytes: 64 * 1024 * 1024,
  }),
} as const);

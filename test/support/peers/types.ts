// Shapes shared by the real-peer launchers (vsftpd, pure-ftpd, proftpd,
// pyftpdlib). Each launcher is `start<Peer>(options) → Promise<RunningPeer>`.

export type PeerName = "vsftpd" | "pure-ftpd" | "proftpd" | "pyftpdlib";

export const PEER_NAMES: readonly PeerName[] = ["vsftpd", "pure-ftpd", "proftpd", "pyftpdlib"];

export interface PeerTlsOptions {
  /** PEM files; default: `makeTestCertificate()` (self-signed, 127.0.0.1/localhost). */
  certFile?: string;
  keyFile?: string;
  /**
   * Refuse plain-text logins and data (vsftpd force_local_*_ssl, pure-ftpd
   * -Y 3, proftpd TLSRequired on, pyftpdlib tls_*_required). Default true.
   */
  required?: boolean;
  /**
   * Refuse TLS data connections that do not resume the control connection's
   * session. vsftpd (require_ssl_reuse) and proftpd only; default true, like
   * their defaults. pure-ftpd and pyftpdlib never require it.
   */
  requireSessionReuse?: boolean;
}

export interface PeerOptions {
  /** Login name. vsftpd: a system user, created if missing. Default "ftpwire". */
  user?: string;
  /** Default "ftpwire-pass". vsftpd sets it on the system user with chpasswd. */
  password?: string;
  /** Explicit TLS (AUTH TLS). `true` = self-signed test certificate. */
  tls?: boolean | PeerTlsOptions;
  /** Inclusive passive port range; default a random 40-port range in 20000–32000. */
  passivePorts?: readonly [number, number];
  /** Connection limits (total and per IP); default 200. */
  maxConnections?: number;
  /** Bound on the wait for the 220 greeting; default 10 s. */
  startTimeoutMs?: number;
  /** Files written into the root (owned by the login's uid) before the start. */
  files?: Readonly<Record<string, string | Uint8Array>>;
}

export interface RunningPeer {
  name: PeerName;
  host: "127.0.0.1";
  port: number;
  user: string;
  password: string;
  /** Temp dir on disk that the server shows as the user's home ("/"). */
  root: string;
  pid: number;
  passivePorts: readonly [number, number];
  /** Whether AUTH TLS is offered, and whether it is required. */
  tls: boolean;
  tlsRequired: boolean;
  /** The PEM certificate file the peer serves (self-signed: also the CA file), when tls. */
  certFile?: string;
  /** The 220 greeting text seen at start. */
  greeting: string;
  /**
   * Writes a file under `root` (parents created) owned by the login's uid, so
   * the peer can overwrite or delete it. Returns the path on disk.
   */
  writeFile(relativePath: string, data: string | Uint8Array): Promise<string>;
  /** Captured stdout/stderr and log files of the peer so far (for failure messages). */
  output(): Promise<string>;
  /** SIGTERM to the peer's process group, SIGKILL after a short grace; removes the temp dirs. Idempotent. */
  stop(): Promise<void>;
}

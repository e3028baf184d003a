/**
 * Public types of the server role: what hooks receive and return, and what
 * events carry. Hooks decide; events inform.
 */
import type { FileSystem } from "../storage/file-system.js";

/** What hooks and event listeners see of a session. */
export interface FtpSession {
  /** Unique per server, increasing. */
  readonly id: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  /** The user name once logged in (or the name given to USER before PASS). */
  readonly username: string | undefined;
  readonly loggedIn: boolean;
  /** Current virtual directory. */
  readonly cwd: string;
  readonly readOnly: boolean;
  /** The control connection is protected by TLS (after AUTH TLS, or implicit FTPS). */
  readonly secure: boolean;
  /** Free space for the application's own per-session state. */
  readonly data: Record<string, unknown>;
  /** Sends 421 (or the given reply) and closes the control connection. */
  close(code?: number, text?: string): void;
}

export interface AuthenticateContext {
  readonly username: string;
  readonly password: string;
  readonly remoteAddress: string;
  readonly session: FtpSession;
}

export interface AuthenticateResult {
  /** The storage this user sees. */
  readonly fileSystem: FileSystem;
  /** Initial directory (virtual). Default "/". */
  readonly cwd?: string;
  /** Refuse every command that changes storage (550). Default false. */
  readonly readOnly?: boolean;
}

export interface BeforeCommandContext {
  readonly session: FtpSession;
  /** Upper-cased verb. */
  readonly verb: string;
  /** The argument as received ("" when none). */
  readonly arg: string;
}

/**
 * What `beforeCommand` returns: nothing (or `{ action: "allow" }`) lets the
 * command run; `deny` answers with the given reply (default 550) instead;
 * `rewrite` runs another verb/argument in its place.
 */
export type BeforeCommandResult =
  | void
  | undefined
  | { readonly action: "allow" }
  | { readonly action: "deny"; readonly code?: number; readonly text?: string }
  | { readonly action: "rewrite"; readonly verb: string; readonly arg?: string };

export interface SiteContext {
  readonly session: FtpSession;
  /** Upper-cased SITE subcommand name. */
  readonly name: string;
  /** Everything after the subcommand name. */
  readonly arg: string;
}

/** A reply a SITE handler wants to send; nothing means `200 OK`. */
export type SiteResult = void | undefined | { readonly code: number; readonly text?: string | readonly string[] };

export type SiteHandler = (context: SiteContext) => SiteResult | Promise<SiteResult>;

export interface ServerTransferEvent {
  readonly session: FtpSession;
  /** Virtual path of the file. */
  readonly path: string;
  /** Bytes that crossed the data connection. */
  readonly bytes: number;
  readonly durationMs: number;
  /** True when the transfer failed or was aborted (the client got 4xx/5xx, not 226). */
  readonly aborted: boolean;
}

export type FtpServerEvents = {
  listening: (address: { address: string; family: string; port: number }) => void;
  connection: (session: FtpSession) => void;
  login: (event: { session: FtpSession; username: string }) => void;
  loginFailed: (event: { session: FtpSession; username: string; attempts: number }) => void;
  /** Every command received; PASS is shown as `***`. */
  command: (event: { session: FtpSession; verb: string; arg: string }) => void;
  upload: (event: ServerTransferEvent) => void;
  download: (event: ServerTransferEvent) => void;
  mkdir: (event: { session: FtpSession; path: string }) => void;
  delete: (event: { session: FtpSession; path: string; directory: boolean }) => void;
  rename: (event: { session: FtpSession; from: string; to: string }) => void;
  disconnect: (event: { session: FtpSession }) => void;
  /** A failure inside one session (hook threw, storage bug, socket error); the server keeps running. */
  error: (error: Error, session?: FtpSession) => void;
  close: () => void;
};

/**
 * The exit codes of the `ftpwire` command (issue 17) and the one-line
 * messages a person sees for a failure. Scripts branch on the code; the
 * message is for the human reading stderr.
 */
import { FtpError } from "../index.js";

export const EXIT = Object.freeze({
  ok: 0,
  usage: 1,
  connection: 2,
  login: 3,
  remote: 4,
  local: 5,
  interrupted: 130,
});

/** Bad command line: exit 1 with the message and a pointer to --help. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** A local file problem the CLI found itself (not a directory, not readable). */
export class LocalFileError extends Error {
  override readonly name = "LocalFileError";
}

/** A failure the CLI words itself, with the exit code it means. */
export class CliError extends Error {
  override readonly name = "CliError";
  constructor(message: string, readonly exitCode: number, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Node's errors on local files carry a syscall and a path. */
function isLocalFsError(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === "string" && typeof (error as NodeJS.ErrnoException).path === "string";
}

const CONNECTION_CODES: ReadonlySet<string> = new Set(["ECONNREFUSED", "ECONNRESET", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "EPIPE"]);

/** Follows `cause` to the first error that carries a Node system error code. */
function systemCode(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === "string" && !code.startsWith("ERR_FTP")) return code;
  }
  return undefined;
}

export function exitCodeFor(error: unknown): number {
  if (error instanceof UsageError) return EXIT.usage;
  if (error instanceof CliError) return error.exitCode;
  if (error instanceof LocalFileError || isLocalFsError(error)) return EXIT.local;
  if (error instanceof FtpError) {
    switch (error.code) {
      case "ERR_FTP_ABORTED":
        return EXIT.interrupted;
      case "ERR_FTP_LOCAL":
        return EXIT.local;
      case "ERR_FTP_INVALID_OPTION":
      case "ERR_FTP_INVALID_ARGUMENT":
        return EXIT.usage;
      case "ERR_FTP_REPLY":
        if (error.replyCode === 530 || error.replyCode === 332) return EXIT.login;
        if (error.replyCode !== undefined && error.replyCode >= 500 && error.replyCode < 600) return EXIT.remote;
        if (error.replyCode !== undefined && error.replyCode >= 450 && error.replyCode < 460) return EXIT.remote;
        return EXIT.connection;
      default:
        return EXIT.connection;
    }
  }
  const code = systemCode(error);
  if (code !== undefined && CONNECTION_CODES.has(code)) return EXIT.connection;
  return EXIT.local;
}

/** One line for stderr: what failed, without a stack. */
export function describeError(error: unknown): string {
  if (error instanceof FtpError) {
    const code = systemCode(error);
    const tail = code && !error.message.includes(code) ? ` (${code})` : "";
    if (error.code === "ERR_FTP_TLS") return `TLS: ${error.message}${tail}`;
    return `${error.message}${tail}`;
  }
  if (error instanceof Error) return error.message;
  return String(error);
}

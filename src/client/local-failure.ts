/**
 * Failures of the local side (a local file, a local folder, a caller's own
 * source or destination stream) leave the client as `FtpLocalError`, with
 * the original error as `cause`: every error a client call rejects with is
 * an FtpError (docs/errors.md), and `code` tells a full disk from a server
 * refusal without inspecting Node's errno names.
 */
import { FtpError, FtpLocalError } from "../errors.js";

/**
 * `error` as an FtpError: an FtpError passes unchanged (say an abort that
 * destroyed the stream), anything else is wrapped. `what` says which local
 * thing failed ("Cannot read ./a.txt"); the cause's message follows it.
 */
export function localFailure(error: unknown, what: string, path?: string): FtpError {
  if (error instanceof FtpError) return error;
  const text = error instanceof Error ? error.message : String(error);
  return new FtpLocalError(`${what}: ${text}`, { cause: error, path });
}

/** Runs a local call (stat, readdir, mkdir, open), wrapping its failure. */
export async function locally<T>(call: () => Promise<T>, what: string, path?: string): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw localFailure(error, what, path);
  }
}

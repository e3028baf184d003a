/**
 * The process around a command, passed in rather than reached for, so that
 * tests can run commands in-process with their own streams, environment and
 * home directory.
 */
import type { Readable, Writable } from "node:stream";

export interface CliIo {
  readonly stdin: Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  readonly stdout: Writable & { isTTY?: boolean; columns?: number };
  readonly stderr: Writable;
  readonly env: NodeJS.ProcessEnv;
  /** Where relative local paths start (`lcd` changes it for the shell). */
  readonly cwd: string;
}

export function processIo(): CliIo {
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
}

// Bounded child processes for tests: client tools (curl, lftp, tnftp,
// Python's ftplib) and the helper commands the peer launchers need.
import { spawn } from "node:child_process";

export interface RunCommandOptions {
  /** Written to the child's stdin, which is then closed. */
  input?: string | Buffer;
  /** The child (and its process group) is killed after this long. */
  timeoutMs: number;
  cwd?: string;
  /** Added to (and overriding) process.env. */
  env?: NodeJS.ProcessEnv;
  /** Cap on each of stdout/stderr kept in memory; default 64 MiB. */
  maxOutputBytes?: number;
}

export interface CommandResult {
  /** Exit code, or null when a signal ended the child. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** stdout as raw bytes (for binary downloads through `-o -`). */
  stdoutBytes: Buffer;
}

/** Thrown by runCommand when the child outlives `timeoutMs` (after killing it). */
export class CommandTimeoutError extends Error {
  constructor(
    readonly command: string,
    readonly timeoutMs: number,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(
      `${command} did not finish within ${timeoutMs} ms (killed)\n` +
        `--- stdout ---\n${tail(stdout)}\n--- stderr ---\n${tail(stderr)}`,
    );
    this.name = "CommandTimeoutError";
  }
}

function tail(text: string, max = 4000): string {
  return text.length > max ? `…${text.slice(-max)}` : text;
}

/**
 * Runs a command without a shell. Resolves with its exit status and output
 * whatever the status (callers assert on it); rejects only when it cannot be
 * started or when it times out. The child gets its own process group so a
 * timeout also kills anything it forked.
 */
export function runCommand(
  cmd: string,
  args: readonly string[],
  options: RunCommandOptions,
): Promise<CommandResult> {
  const maxBytes = options.maxOutputBytes ?? 64 * 1024 * 1024;
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: options.cwd,
      env: options.env ? { ...process.env, ...options.env } : process.env,
      stdio: ["pipe", "pipe", "pipe"],
      detached: true,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    let errBytes = 0;
    let timedOut = false;
    child.stdout.on("data", (chunk: Buffer) => {
      if (outBytes + chunk.length <= maxBytes) out.push(chunk);
      outBytes += chunk.length;
    });
    child.stderr.on("data", (chunk: Buffer) => {
      if (errBytes + chunk.length <= maxBytes) err.push(chunk);
      errBytes += chunk.length;
    });
    const killGroup = (): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, options.timeoutMs);
    // A child that exits before reading stdin makes the write fail with EPIPE;
    // the exit status is what matters then.
    child.stdin.on("error", () => {});
    child.stdin.end(options.input ?? "");
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${cmd}: ${e.message}`, { cause: e }));
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const stdoutBytes = Buffer.concat(out);
      const stdout = stdoutBytes.toString("utf8");
      const stderr = Buffer.concat(err).toString("utf8");
      if (timedOut) {
        reject(new CommandTimeoutError([cmd, ...args].join(" "), options.timeoutMs, stdout, stderr));
        return;
      }
      resolve({ code, signal, stdout, stderr, stdoutBytes });
    });
  });
}

/** Debian's Python, which has pyftpdlib and PyOpenSSL (not a pyenv python3 on PATH). */
export const SYSTEM_PYTHON = "/usr/bin/python3";

/**
 * Runs a Python program with Debian's python3, e.g. an ftplib client script.
 * `args` become `sys.argv[1:]`.
 */
export function runFtplib(
  pythonSource: string,
  args: readonly string[] = [],
  options: Partial<RunCommandOptions> = {},
): Promise<CommandResult> {
  return runCommand(SYSTEM_PYTHON, ["-c", pythonSource, ...args], {
    ...options,
    timeoutMs: options.timeoutMs ?? 30_000,
  });
}

/** True when `cmd` is an executable file or found on PATH. */
export async function commandExists(cmd: string): Promise<boolean> {
  try {
    const r = await runCommand("/bin/sh", ["-c", 'command -v "$1" >/dev/null 2>&1', "sh", cmd], {
      timeoutMs: 5_000,
    });
    return r.code === 0;
  } catch {
    return false;
  }
}

/** Runs a command and throws (with its output) unless it exits 0. */
export async function runChecked(
  cmd: string,
  args: readonly string[],
  options: RunCommandOptions,
): Promise<CommandResult> {
  const r = await runCommand(cmd, args, options);
  if (r.code !== 0) {
    throw new Error(
      `${cmd} ${args.join(" ")} exited with ${r.code ?? r.signal}\n--- stdout ---\n${tail(r.stdout)}\n--- stderr ---\n${tail(r.stderr)}`,
    );
  }
  return r;
}

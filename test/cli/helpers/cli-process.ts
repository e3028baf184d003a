// The `ftpwire` command as a child process, the way a person runs it:
// src/cli/main.ts through tsx, with its own cwd, env and HOME. Output is
// collected as it comes, and `waitFor` polls it with a bound (no sleeps).
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { once } from "node:events";
import { resolve } from "node:path";

export const CLI_MAIN = resolve(import.meta.dirname, "..", "..", "..", "src", "cli", "main.ts");
/** tsx's loader by URL, so the child finds it from any working directory. */
export const TSX_LOADER = import.meta.resolve("tsx");

export interface CliChild {
  readonly child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first match of `pattern` in stdout; rejects after `timeoutMs` or if the child exits first. */
  waitFor(pattern: RegExp, timeoutMs?: number, stream?: "stdout" | "stderr"): Promise<RegExpMatchArray>;
  /** Resolves with the exit code (null after a signal); kills the child after `timeoutMs`. */
  exited(timeoutMs?: number): Promise<number | null>;
}

export interface StartOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  input?: string;
}

export function startCli(args: readonly string[], options: StartOptions = {}): CliChild {
  const child = spawn(process.execPath, ["--import", TSX_LOADER, CLI_MAIN, ...args], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  let exitCode: number | null | undefined;
  const watchers = new Set<() => void>();
  const poke = () => watchers.forEach((w) => w());
  child.stdout.on("data", (c: Buffer) => ((out += c.toString("utf8")), poke()));
  child.stderr.on("data", (c: Buffer) => ((err += c.toString("utf8")), poke()));
  const exit = once(child, "exit").then(([code]) => {
    exitCode = code as number | null;
    poke();
    return exitCode;
  });
  child.stdin.on("error", () => {});
  if (options.input !== undefined) child.stdin.end(options.input);
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    waitFor(pattern, timeoutMs = 20_000, stream = "stdout") {
      return new Promise((resolveMatch, reject) => {
        const check = () => {
          const m = (stream === "stdout" ? out : err).match(pattern);
          if (m) return done(() => resolveMatch(m));
          if (exitCode !== undefined) return done(() => reject(new Error(`ftpwire exited (${exitCode}) before printing ${pattern}\nstdout: ${out}\nstderr: ${err}`)));
        };
        const timer = setTimeout(() => done(() => reject(new Error(`no ${pattern} within ${timeoutMs} ms\nstdout: ${out}\nstderr: ${err}`))), timeoutMs);
        const done = (settle: () => void) => {
          clearTimeout(timer);
          watchers.delete(check);
          settle();
        };
        watchers.add(check);
        check();
      });
    },
    async exited(timeoutMs = 20_000) {
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      try {
        return await exit;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** Runs the command to its end with `input` on stdin. */
export async function runCli(args: readonly string[], options: StartOptions & { timeoutMs?: number } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const c = startCli(args, { ...options, input: options.input ?? "" });
  const code = await c.exited(options.timeoutMs ?? 30_000);
  return { code, stdout: c.stdout(), stderr: c.stderr() };
}

/**
 * The ftp(1) command loop: read a line, run its command, print what ftp(1)
 * would. With a terminal it prompts `ftp> ` and completes names; with a
 * script on stdin it runs the lines in order and, with --exit-on-error,
 * stops at the first failure with that failure's exit code. Ctrl-C aborts
 * a running transfer (ABOR) and keeps the session; Ctrl-D or EOF quits.
 */
import { spawn } from "node:child_process";
import { FtpError, FtpReplyError } from "../../index.js";
import { EXIT, describeError, exitCodeFor } from "../exit-codes.js";
import { commandNames, findCommand } from "./commands.js";
import { disconnect } from "./connection-commands.js";
import { ShellError, type ShellState } from "./state.js";
import { tokenize } from "./tokenize.js";

export interface ShellOptions {
  readonly exitOnError: boolean;
}

/** Prints a failure the ftp(1) way and returns its exit code. */
function report(state: ShellState, error: unknown): number {
  if (error instanceof ShellError) {
    if (error.message) state.out(error.message);
    return error.exitCode;
  }
  if (error instanceof FtpReplyError) {
    state.printFailureReply(error.reply);
    return exitCodeFor(error);
  }
  if (error instanceof FtpError) {
    state.out(`ftp: ${describeError(error)}`);
    return exitCodeFor(error);
  }
  const e = error as NodeJS.ErrnoException;
  if (typeof e?.path === "string") {
    state.out(`local: ${e.path}: ${e.code ?? ""} ${e.message}`.trim());
    return EXIT.local;
  }
  state.out(`ftp: ${describeError(error)}`);
  return exitCodeFor(error);
}

/** `!command`: runs it with /bin/sh in the local directory, output to the shell's own streams. */
function runLocal(state: ShellState, command: string): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn("/bin/sh", command ? ["-c", command] : ["-i"], { cwd: state.localCwd, stdio: ["ignore", "pipe", "pipe"], env: state.io.env });
    child.stdout.on("data", (c: Buffer) => state.io.stdout.write(c));
    child.stderr.on("data", (c: Buffer) => state.io.stderr.write(c));
    child.on("error", (e) => {
      state.err(`ftp: ${e.message}`);
      resolve(EXIT.local);
    });
    child.on("close", (code) => resolve(code === 0 ? EXIT.ok : EXIT.local));
  });
}

/** Runs one line; resolves "exit" for bye, else the line's exit code (0 = success). */
export async function runLine(state: ShellState, line: string): Promise<number | "exit"> {
  const trimmed = line.trim();
  if (trimmed === "") return EXIT.ok;
  if (trimmed.startsWith("!")) return runLocal(state, trimmed.slice(1).trim());
  const [name, ...args] = tokenize(trimmed);
  try {
    const command = findCommand(name!);
    if (!command) {
      state.out("?Invalid command.");
      return EXIT.usage;
    }
    return (await command.run(state, args)) === "exit" ? "exit" : EXIT.ok;
  } catch (error) {
    return report(state, error);
  }
}

export async function runShell(state: ShellState, options: ShellOptions): Promise<number> {
  let interrupted = false;
  const onInterrupt = (): boolean => {
    if (state.abortRunning) {
      state.out("");
      state.abortRunning();
      return true;
    }
    if (state.input.interactive) return false;
    interrupted = true;
    state.input.close();
    return true;
  };
  state.input.onInterrupt(onInterrupt);
  // A script gets SIGINT as a signal (no terminal for readline to catch it on).
  const onSignal = () => onInterrupt();
  if (!state.input.interactive) process.on("SIGINT", onSignal);
  let code: number = EXIT.ok;
  try {
    for (;;) {
      const line = await state.input.read("ftp> ");
      if (line === null) {
        if (state.input.interactive) state.out("");
        break;
      }
      const result = await runLine(state, line);
      if (result === "exit") break;
      if (result === EXIT.interrupted && !state.input.interactive) {
        code = result;
        if (interrupted || options.exitOnError) break;
      }
      if (result !== EXIT.ok && options.exitOnError) {
        code = result;
        break;
      }
    }
  } finally {
    process.off("SIGINT", onSignal);
    state.input.onInterrupt(undefined);
    await disconnect(state).catch(() => {});
    state.input.close();
  }
  return interrupted ? EXIT.interrupted : code;
}

export { commandNames };

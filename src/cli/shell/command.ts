/** The shape of one shell command: names (the first is the canonical one), usage, one-line help, and what it does. */
import { ShellError, type ShellState } from "./state.js";

export interface ShellCommand {
  readonly names: readonly string[];
  /** e.g. "get remote-file [local-file]". */
  readonly usage: string;
  readonly help: string;
  /** Resolves "exit" for bye/quit. */
  readonly run: (state: ShellState, args: string[]) => Promise<void | "exit">;
}

/** Throws the command's usage line (exit code 1 under -e). */
export function usageError(command: { usage: string }): never {
  throw new ShellError(`usage: ${command.usage}`, 1);
}

/** Checks the argument count against [min, max]. */
export function argCount(command: { usage: string }, args: readonly string[], min: number, max: number): void {
  if (args.length < min || args.length > max) usageError(command);
}

/** "on"/"off" or a toggle when no argument is given. */
export function toggle(command: { usage: string }, current: boolean, arg: string | undefined): boolean {
  if (arg === undefined) return !current;
  if (arg === "on") return true;
  if (arg === "off") return false;
  usageError(command);
}

/**
 * Tab completion for the terminal: command names for the first word; then
 * local names for the commands that read local files (put, mput, lcd, …),
 * remote names of the working directory for the rest. The remote listing
 * is fetched once per directory (quietly) and kept until it may change.
 */
import { readdir } from "node:fs/promises";
import { dirname, basename, join } from "node:path";
import type { AsyncCompleter } from "node:readline";
import { commandNames } from "./commands.js";
import type { ShellState } from "./state.js";

const LOCAL_ARGUMENT: ReadonlySet<string> = new Set(["put", "send", "reput", "append", "mput", "lcd"]);

async function remoteNames(state: ShellState): Promise<string[]> {
  if (state.remoteNames) return state.remoteNames;
  const client = state.client;
  if (!client?.connected || state.abortRunning) return [];
  state.silent = true;
  try {
    state.remoteNames = (await client.list()).map((e) => (e.type === "directory" ? `${e.name}/` : e.name));
  } catch {
    return [];
  } finally {
    state.silent = false;
  }
  return state.remoteNames;
}

async function localNames(state: ShellState, prefix: string): Promise<string[]> {
  const dir = prefix.includes("/") ? dirname(prefix) : ".";
  try {
    const entries = await readdir(state.local(dir), { withFileTypes: true });
    return entries.map((e) => (dir === "." && !prefix.startsWith("./") ? e.name : join(dir, e.name)) + (e.isDirectory() ? "/" : ""));
  } catch {
    return [];
  }
}

/** Node 20's readline takes a callback completer (a promise one only in readline/promises). */
export function makeCompleter(state: () => ShellState | undefined): AsyncCompleter {
  return (line, callback) => {
    complete(state(), line).then((result) => callback(null, result), (error: Error) => callback(error, [[], line]));
  };
}

async function complete(s: ShellState | undefined, line: string): Promise<[string[], string]> {
  {
    const words = line.split(/\s+/);
    const last = words[words.length - 1] ?? "";
    if (words.length <= 1) return [commandNames().filter((n) => n.startsWith(last)), last];
    if (!s) return [[], last];
    const names = LOCAL_ARGUMENT.has(words[0]!) ? await localNames(s, last) : await remoteNames(s);
    const hits = names.filter((n) => n.startsWith(last) || (last.includes("/") && n.startsWith(basename(last))));
    return [hits.sort(), last];
  }
}

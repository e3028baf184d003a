/**
 * mget/mput/mdelete: expanding globs against the remote listing or the local
 * folder, and ftp(1)'s per-file question ("mget a.txt? ") while `prompt` is on.
 */
import { readdir } from "node:fs/promises";
import { posix, dirname, basename, join } from "node:path";
import type { Client } from "../../index.js";
import { globToRegExp, isGlob } from "./tokenize.js";
import { ShellError, type ShellState } from "./state.js";

/** Remote names matching each pattern (a pattern without glob characters stands for itself). */
export async function remoteGlob(client: Client, patterns: readonly string[], kind: "file" | "any"): Promise<string[]> {
  const names: string[] = [];
  for (const pattern of patterns) {
    if (!isGlob(pattern)) {
      names.push(pattern);
      continue;
    }
    const dir = posix.dirname(pattern);
    const re = globToRegExp(posix.basename(pattern));
    const entries = await client.list(dir === "." ? undefined : dir);
    const found = entries
      .filter((e) => re.test(e.name) && (kind === "any" || e.type !== "directory"))
      .map((e) => (dir === "." ? e.name : posix.join(dir, e.name)))
      .sort();
    if (found.length === 0) throw new ShellError(`No match for ${pattern}.`, 4);
    names.push(...found);
  }
  return names;
}

/** Local files matching each pattern, as paths relative to the shell's local directory when given so. */
export async function localGlob(state: ShellState, patterns: readonly string[]): Promise<string[]> {
  const names: string[] = [];
  for (const pattern of patterns) {
    if (!isGlob(pattern)) {
      names.push(pattern);
      continue;
    }
    const dir = dirname(pattern);
    const re = globToRegExp(basename(pattern));
    const entries = await readdir(state.local(dir), { withFileTypes: true });
    const found = entries.filter((e) => e.isFile() && re.test(e.name)).map((e) => (dir === "." ? e.name : join(dir, e.name))).sort();
    if (found.length === 0) throw new ShellError(`local: No match for ${pattern}.`, 5);
    names.push(...found);
  }
  return names;
}

/** Asks "verb name? " while prompting is on: y (or Enter) yes, n no, a all the rest, q stop. */
export async function confirm(state: ShellState, verb: string, name: string): Promise<boolean> {
  if (!state.settings.prompt) return true;
  for (;;) {
    const answer = await state.input.read(`${verb} ${name}? `);
    const a = (answer ?? "q").trim().toLowerCase();
    if (a === "" || a === "y" || a === "yes") return true;
    if (a === "n" || a === "no") return false;
    if (a === "a") {
      state.settings.prompt = false;
      return true;
    }
    if (a === "q") throw new ShellError(`${verb} stopped.`, 0);
  }
}

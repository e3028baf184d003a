/**
 * ~/.netrc (or $NETRC): `machine host login name password secret [account a]`,
 * and `default …` for every other host — the file ftp(1), curl and lftp
 * share. `macdef` bodies (ftp(1) macros) are skipped up to their blank line.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";

export interface NetrcEntry {
  readonly login?: string;
  readonly password?: string;
  readonly account?: string;
}

interface Machine extends NetrcEntry {
  readonly machine: string | undefined; // undefined = default
}

/** Tokens separated by whitespace; "double quoted" tokens may hold spaces. */
function tokenize(text: string): string[] {
  const tokens: string[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    for (const m of line.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)) {
      const token = m[1] !== undefined ? m[1].replace(/\\(.)/g, "$1") : m[2]!;
      if (token.startsWith("#") && m[1] === undefined) break; // comment to end of line
      tokens.push(token);
      if (token === "macdef") {
        // The macro's name ends this line; its body runs to the next empty line.
        const rest = line.slice((m.index ?? 0) + token.length).trim().split(/\s+/)[0];
        if (rest) tokens.push(rest);
        while (i + 1 < lines.length && lines[i + 1]!.trim() !== "") i++;
        break;
      }
    }
  }
  return tokens;
}

export function parseNetrc(text: string): Machine[] {
  const tokens = tokenize(text);
  const machines: Machine[] = [];
  let current: { machine: string | undefined; login?: string; password?: string; account?: string } | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const next = () => tokens[++i];
    switch (t) {
      case "machine":
        current = { machine: next() };
        machines.push(current);
        break;
      case "default":
        current = { machine: undefined };
        machines.push(current);
        break;
      case "login":
        if (current) current.login = next();
        else next();
        break;
      case "password":
        if (current) current.password = next();
        else next();
        break;
      case "account":
        if (current) current.account = next();
        else next();
        break;
      case "macdef":
        next();
        break;
      default:
        break; // unknown tokens are ignored, as ftp(1) does
    }
  }
  return machines;
}

/** The entry for `host` (the first `machine` that names it, else `default`), or undefined. */
export function netrcLookup(machines: readonly Machine[], host: string): NetrcEntry | undefined {
  const h = host.toLowerCase();
  return machines.find((m) => m.machine?.toLowerCase() === h) ?? machines.find((m) => m.machine === undefined);
}

/** Reads $NETRC or $HOME/.netrc; a missing file means no entries. */
export async function loadNetrc(env: NodeJS.ProcessEnv): Promise<Machine[]> {
  const file = env.NETRC ?? (env.HOME ? join(env.HOME, ".netrc") : undefined);
  if (!file) return [];
  try {
    return parseNetrc(await readFile(file, "utf8"));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
}

/**
 * Virtual paths: the POSIX-style paths a server shows its clients. They are
 * resolved purely as strings, never through `node:path` (whose behaviour
 * depends on the platform and which would treat `\` as a separator on
 * Windows). A resolved path can never rise above "/": this is the first
 * line of defence for storage back ends.
 */

/** Normalizes the segments of `path` into `stack` (`.` dropped, `..` pops). */
function pushSegments(stack: string[], path: string): void {
  let start = 0;
  const len = path.length;
  while (start <= len) {
    let end = path.indexOf("/", start);
    if (end === -1) end = len;
    const seg = path.slice(start, end);
    if (seg === "..") stack.pop();
    else if (seg !== "" && seg !== ".") stack.push(seg);
    start = end + 1;
  }
}

/**
 * Resolves a command argument against the current directory into an
 * absolute, normalized path. An empty argument means `cwd`; an absolute
 * argument ignores `cwd`; `..` at the root stays at the root. Backslashes
 * are ordinary characters.
 */
export function resolveVirtualPath(cwd: string, arg: string): string {
  const stack: string[] = [];
  if (!arg.startsWith("/")) pushSegments(stack, cwd);
  pushSegments(stack, arg);
  return "/" + stack.join("/");
}

/** Quotes a path for a 257 reply: `/a"b` → `"/a""b"` (RFC 959 appendix II). */
export function quotePath(path: string): string {
  return `"${path.replaceAll('"', '""')}"`;
}

/**
 * Extracts the path from a 257 reply text (`"/a""b" is current directory`
 * → `/a"b`). Without quotes, falls back to the first word, which is what
 * servers that ignore the quoting rule print. Undefined when there is none.
 */
export function parseQuotedPath(text: string): string | undefined {
  const open = text.indexOf('"');
  if (open === -1) {
    const words = text.trim().split(/\s+/);
    const word = words.find((w) => w.startsWith("/")) ?? words[0];
    return word ? word : undefined;
  }
  let out = "";
  let i = open + 1;
  for (;;) {
    const q = text.indexOf('"', i);
    if (q === -1) {
      // Unterminated: the rest of the text is the best guess.
      out += text.slice(i);
      return out === "" ? undefined : out;
    }
    out += text.slice(i, q);
    if (text.charCodeAt(q + 1) === 34 /* " */) {
      out += '"';
      i = q + 2;
    } else {
      return out;
    }
  }
}

/** Last segment: "/a/b" → "b", "/a/b/" → "b", "/" → "". */
export function virtualBasename(p: string): string {
  let end = p.length;
  while (end > 1 && p.charCodeAt(end - 1) === 47) end--;
  const slash = p.lastIndexOf("/", end - 1);
  return p.slice(slash + 1, end);
}

/** Parent directory of a normalized path: "/a/b" → "/a", "/a" → "/", "/" → "/". */
export function virtualDirname(p: string): string {
  const normalized = resolveVirtualPath("/", p);
  const slash = normalized.lastIndexOf("/");
  return slash <= 0 ? "/" : normalized.slice(0, slash);
}

/**
 * Joins a directory and a name into a normalized path. Unlike
 * `resolveVirtualPath`, a leading "/" in `name` does not escape `dir`
 * (`..` segments are still resolved, and never rise above "/").
 */
export function joinVirtual(dir: string, name: string): string {
  const stack: string[] = [];
  pushSegments(stack, dir);
  pushSegments(stack, name);
  return "/" + stack.join("/");
}

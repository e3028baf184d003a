/**
 * The glob patterns `sync({ filter })` accepts, compiled to a RegExp:
 * `*` any run of characters but "/", `**` any run including "/", `?` one
 * character but "/", `{a,b}` alternatives; everything else literal. A pattern
 * without "/" is matched against the base name (as `*.log` means in a
 * .gitignore), one with "/" against the whole relative path.
 */
import { FtpInvalidOptionError } from "../errors.js";

export function compileGlob(pattern: string): (relativePath: string) => boolean {
  if (pattern.length === 0) throw new FtpInvalidOptionError("filter: an empty glob matches nothing");
  let source = "";
  let inGroup = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "*") {
      if (pattern[i + 1] === "*") {
        i++;
        // "**/" also matches no directory at all.
        if (pattern[i + 1] === "/") {
          i++;
          source += "(?:.*/)?";
        } else source += ".*";
      } else source += "[^/]*";
    } else if (c === "?") source += "[^/]";
    else if (c === "{" && !inGroup) {
      inGroup = true;
      source += "(?:";
    } else if (c === "}" && inGroup) {
      inGroup = false;
      source += ")";
    } else if (c === "," && inGroup) source += "|";
    else source += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  if (inGroup) throw new FtpInvalidOptionError(`filter: unclosed "{" in ${JSON.stringify(pattern)}`);
  const regex = new RegExp(`^${source}$`, "s");
  const byName = !pattern.includes("/");
  return (path) => regex.test(byName ? path.slice(path.lastIndexOf("/") + 1) : path);
}

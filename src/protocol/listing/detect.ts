/**
 * Which listing format a LIST line is in. Detection tries the real parsers
 * rather than guessing from a few characters, so a line that is detected is
 * also a line that parses.
 */
import { parseDosLine } from "./dos.js";
import { parseMlsdLine } from "./mlsd.js";
import { parseUnixLine } from "./unix.js";

export type ListingFormat = "mlsd" | "unix" | "dos";

/** `total 24`, the block count `ls -l` prints first: not an entry, not a format. */
export function isTotalLine(line: string): boolean {
  if (!line.startsWith("total ")) return false;
  let i = 6;
  while (line.charCodeAt(i) === 32) i++;
  let digits = 0;
  for (; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
    else if (c !== 13 && c !== 32 && c !== 46 && c !== 44 && !(c === 75 || c === 77 || c === 71)) return false;
  }
  return digits > 0;
}

/** The format of one listing line, or undefined when no parser accepts it. */
export function detectListingFormat(line: string): ListingFormat | undefined {
  if (isTotalLine(line)) return undefined;
  const first = line.charCodeAt(0);
  if (first >= 48 && first <= 57) {
    if (parseDosLine(line) !== undefined) return "dos";
  } else if (parseUnixLine(line) !== undefined) {
    return "unix";
  }
  // MLSD needs "fact=value;" before the first space; a bare " name" is too weak a sign.
  const sp = line.indexOf(" ");
  const eq = line.indexOf("=");
  if (sp > 0 && eq > 0 && eq < sp && line.charCodeAt(sp - 1) === 59 && parseMlsdLine(line) !== undefined) return "mlsd";
  return undefined;
}

/**
 * Writing MLSD/MLST entries (RFC 3659 §7) for a server: the facts a server
 * built on ftpwire offers and the line for one entry. Parsing is in mlsd.ts.
 */
import { FtpInvalidArgumentError } from "../../errors.js";
import { formatMdtm } from "../time.js";
import type { FileInfo } from "../types.js";
import { hasLineBreak } from "../line-break.js";

/** The facts a server built on ftpwire can offer (FEAT / OPTS MLST), lower-cased. */
export const MLSD_FACTS: readonly string[] = [
  "type",
  "size",
  "sizd",
  "modify",
  "perm",
  "unique",
  "unix.mode",
  "unix.owner",
  "unix.group",
];

/** What MLSD sends when the client has not chosen facts with OPTS MLST. */
export const DEFAULT_MLSD_FACTS: readonly string[] = ["type", "size", "modify", "perm", "unix.mode"];

/** How a fact name is written on the wire (the case servers conventionally use). */
const WIRE_NAMES: Readonly<Record<string, string>> = {
  "unix.mode": "UNIX.mode",
  "unix.owner": "UNIX.owner",
  "unix.group": "UNIX.group",
};

/** Fact values end at ";" and the fact list at the first space. */
function isSafeValue(v: string): boolean {
  return v !== "" && !/[; \r\n]/.test(v);
}

function typeFact(info: FileInfo): string | undefined {
  switch (info.type) {
    case "file":
      return "file";
    case "directory":
      return "dir";
    case "symlink":
      return info.target !== undefined && isSafeValue(info.target) ? `OS.unix=slink:${info.target}` : "OS.unix=symlink";
    default:
      return undefined;
  }
}

// The `modify` text of the last second formatted: a folder's entries tend to share
// seconds, and formatting a Date per line was a visible share of a large MLSD.
let lastSecond = Number.NaN;
let lastSecondText = "";

/** formatMdtm for a valid time in years 0-9999, with the whole-second part cached. */
function modifyValue(t: number): string {
  const second = Math.floor(t / 1000);
  if (second !== lastSecond) {
    lastSecondText = formatMdtm(new Date(second * 1000));
    lastSecond = second;
  }
  const ms = t - second * 1000;
  if (ms === 0) return lastSecondText;
  return `${lastSecondText}.${ms < 10 ? "00" : ms < 100 ? "0" : ""}${ms}`;
}

/** `unix.mode` values, filled on first use: a listing repeats a handful of modes. */
const MODE_TEXTS = new Map<number, string>();

function modeValue(mode: number): string {
  let text = MODE_TEXTS.get(mode);
  if (text === undefined) {
    text = mode.toString(8).padStart(4, "0");
    if (MODE_TEXTS.size < 4096) MODE_TEXTS.set(mode, text);
  }
  return text;
}

/**
 * The value of one (lower-cased) fact for an entry, or undefined when the
 * entry has none or it cannot be written. `permissions` is the `perm` value.
 */
function factValue(fact: string, info: FileInfo, permissions: string | undefined): string | undefined {
  // Numbers, times and fixed words are always safe to write; only text values need the check.
  switch (fact) {
    case "type":
      return info.type === "symlink" ? safeText(typeFact(info)) : typeFact(info);
    case "size":
      return info.type !== "directory" && info.size !== undefined ? String(info.size) : undefined;
    case "sizd":
      return info.type === "directory" && info.size !== undefined ? String(info.size) : undefined;
    case "modify": {
      const t = info.modifiedAt?.getTime();
      if (t === undefined || Number.isNaN(t)) return undefined;
      const year = info.modifiedAt!.getUTCFullYear();
      return year >= 0 && year <= 9999 ? modifyValue(t) : undefined;
    }
    case "perm":
      // An empty perm fact is meaningful (no permission at all).
      return permissions !== undefined && !/[; \r\n]/.test(permissions) ? permissions : undefined;
    case "unique":
      return safeText(info.unique);
    case "unix.mode":
      return info.mode !== undefined ? modeValue(info.mode) : undefined;
    case "unix.owner":
      return safeText(info.owner);
    case "unix.group":
      return safeText(info.group);
    default:
      return undefined;
  }
}

function safeText(value: string | undefined): string | undefined {
  return value !== undefined && isSafeValue(value) ? value : undefined;
}

/**
 * One MLSD line (or MLST entry, without the leading space the server adds)
 * with the selected facts in the given order, no CRLF. `info.path`, when
 * set, is written instead of the name (MLST shows the full path). Facts
 * the entry has no value for, or whose value cannot be written, are left
 * out. Throws FtpInvalidArgumentError for a name containing CR or LF.
 */
export function formatMlsdLine(info: FileInfo & { path?: string }, facts: readonly string[] = DEFAULT_MLSD_FACTS): string {
  return mlsdLineFormatter(facts)(info, info.permissions);
}

/**
 * formatMlsdLine for many entries with the same facts (a server's MLSD): the
 * fact list is read once, and the `perm` value is passed per entry instead of
 * being copied into each entry object first.
 */
export function mlsdLineFormatter(
  facts: readonly string[] = DEFAULT_MLSD_FACTS,
): (info: FileInfo & { path?: string }, permissions: string | undefined) => string {
  const names: string[] = [];
  const prefixes: string[] = [];
  for (const raw of facts) {
    const fact = raw.toLowerCase();
    names.push(fact);
    prefixes.push(`${WIRE_NAMES[fact] ?? fact}=`);
  }
  return (info, permissions) => {
    const name = info.path ?? info.name;
    if (hasLineBreak(name)) {
      throw new FtpInvalidArgumentError(`Cannot list a name containing CR or LF: ${JSON.stringify(name)}`);
    }
    let out = "";
    for (let i = 0; i < names.length; i++) {
      const value = factValue(names[i]!, info, permissions);
      if (value !== undefined) out += `${prefixes[i]!}${value};`;
    }
    return `${out} ${name}`;
  };
}

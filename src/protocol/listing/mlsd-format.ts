/**
 * Writing MLSD/MLST entries (RFC 3659 §7) for a server: the facts a server
 * built on ftpwire offers and the line for one entry. Parsing is in mlsd.ts.
 */
import { FtpInvalidArgumentError } from "../../errors.js";
import { formatMdtm } from "../time.js";
import type { FileInfo } from "../types.js";

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

/**
 * One MLSD line (or MLST entry, without the leading space the server adds)
 * with the selected facts in the given order, no CRLF. `info.path`, when
 * set, is written instead of the name (MLST shows the full path). Facts
 * the entry has no value for, or whose value cannot be written, are left
 * out. Throws FtpInvalidArgumentError for a name containing CR or LF.
 */
export function formatMlsdLine(info: FileInfo & { path?: string }, facts: readonly string[] = DEFAULT_MLSD_FACTS): string {
  const name = info.path ?? info.name;
  if (/[\r\n]/.test(name)) {
    throw new FtpInvalidArgumentError(`Cannot list a name containing CR or LF: ${JSON.stringify(name)}`);
  }
  let out = "";
  for (const raw of facts) {
    const fact = raw.toLowerCase();
    let value: string | undefined;
    switch (fact) {
      case "type":
        value = typeFact(info);
        break;
      case "size":
        if (info.type !== "directory" && info.size !== undefined) value = String(info.size);
        break;
      case "sizd":
        if (info.type === "directory" && info.size !== undefined) value = String(info.size);
        break;
      case "modify": {
        const t = info.modifiedAt?.getTime();
        if (t !== undefined && !Number.isNaN(t)) {
          const year = info.modifiedAt!.getUTCFullYear();
          if (year >= 0 && year <= 9999) value = formatMdtm(info.modifiedAt!, t % 1000 !== 0);
        }
        break;
      }
      case "perm":
        value = info.permissions;
        break;
      case "unique":
        value = info.unique;
        break;
      case "unix.mode":
        if (info.mode !== undefined) value = info.mode.toString(8).padStart(4, "0");
        break;
      case "unix.owner":
        value = info.owner;
        break;
      case "unix.group":
        value = info.group;
        break;
    }
    if (value !== undefined && (fact === "perm" ? !/[; \r\n]/.test(value) : isSafeValue(value))) {
      out += `${WIRE_NAMES[fact] ?? fact}=${value};`;
    }
  }
  return `${out} ${name}`;
}

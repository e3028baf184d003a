/**
 * MLSD/MLST entries (RFC 3659 §7): `fact=value;fact=value; name`. The
 * facts end at the first space; everything after it is the name, which may
 * contain spaces and ";". Fact names are case-insensitive and are stored
 * lower-cased in `FileInfo.facts`.
 */
import { FtpInvalidArgumentError } from "../../errors.js";
import { formatMdtm, parseTimeValMillis } from "../time.js";
import type { FileInfo, FileType } from "../types.js";
import { digitsValue, equalsLowerAt, isDigitsAt, RecentStrings } from "./scan.js";

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

/** Values that repeat from line to line (type, perm, UNIX.*) are shared, not re-cut. */
const recentValues = new RecentStrings(16);

// Fact identifiers, so the hot loop can switch on a number and store each
// known fact under a constant property name (a keyed store with a variable
// name is several times slower in V8).
const F_OTHER = 0;
const F_TYPE = 1;
const F_SIZE = 2;
const F_SIZD = 3;
const F_MODIFY = 4;
const F_PERM = 5;
const F_UNIQUE = 6;
const F_UNIX_MODE = 7;
const F_UNIX_OWNER = 8;
const F_UNIX_GROUP = 9;
const F_UNIX_UID = 10;
const F_UNIX_GID = 11;
const F_UNIX_OWNERNAME = 12;
const F_UNIX_GROUPNAME = 13;

function lowerCode(text: string, i: number): number {
  const c = text.charCodeAt(i);
  return c >= 65 && c <= 90 ? c | 32 : c;
}

/** Which known fact text[from, to) names (ASCII case-insensitive), without cutting a substring. */
function factId(text: string, from: number, to: number): number {
  switch (to - from) {
    case 4:
      switch (lowerCode(text, from)) {
        case 116: // t
          return equalsLowerAt(text, from, "type") ? F_TYPE : F_OTHER;
        case 115: // s
          return equalsLowerAt(text, from, "size") ? F_SIZE : equalsLowerAt(text, from, "sizd") ? F_SIZD : F_OTHER;
        case 112: // p
          return equalsLowerAt(text, from, "perm") ? F_PERM : F_OTHER;
      }
      return F_OTHER;
    case 6:
      return equalsLowerAt(text, from, "modify") ? F_MODIFY : equalsLowerAt(text, from, "unique") ? F_UNIQUE : F_OTHER;
    case 8:
      if (!equalsLowerAt(text, from, "unix.")) return F_OTHER;
      return equalsLowerAt(text, from + 5, "uid") ? F_UNIX_UID : equalsLowerAt(text, from + 5, "gid") ? F_UNIX_GID : F_OTHER;
    case 9:
      return equalsLowerAt(text, from, "unix.mode") ? F_UNIX_MODE : F_OTHER;
    case 10:
      if (!equalsLowerAt(text, from, "unix.")) return F_OTHER;
      return equalsLowerAt(text, from + 5, "owner") ? F_UNIX_OWNER : equalsLowerAt(text, from + 5, "group") ? F_UNIX_GROUP : F_OTHER;
    case 14:
      if (!equalsLowerAt(text, from, "unix.")) return F_OTHER;
      return equalsLowerAt(text, from + 5, "ownername")
        ? F_UNIX_OWNERNAME
        : equalsLowerAt(text, from + 5, "groupname")
          ? F_UNIX_GROUPNAME
          : F_OTHER;
  }
  return F_OTHER;
}

/** Decimal value of text[from, to), or undefined when it is not all digits. */
function decimalAt(text: string, from: number, to: number): number | undefined {
  return to - from <= 20 && isDigitsAt(text, from, to) ? digitsValue(text, from, to) : undefined;
}

function octalAt(text: string, from: number, to: number): number | undefined {
  if (to <= from || to - from > 7) return undefined;
  let v = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 7) return undefined;
    v = v * 8 + c;
  }
  return v;
}

/** The `type` fact value → FileType (and symlink target). */
function applyType(info: FileInfo, value: string): void {
  // Fast path for the overwhelmingly common spellings.
  if (value === "file") {
    info.type = "file";
    return;
  }
  if (value === "dir") {
    info.type = "directory";
    return;
  }
  const v = value.toLowerCase();
  let type: FileType = "unknown";
  if (v === "file") type = "file";
  else if (v === "dir" || v === "cdir" || v === "pdir") type = "directory";
  else if (v.startsWith("os.unix=slink") || v === "os.unix=symlink") {
    type = "symlink";
    const colon = value.indexOf(":");
    if (colon !== -1 && colon + 1 < value.length) info.target = value.slice(colon + 1);
  }
  info.type = type;
}

/** True when text[from..] begins like `fact=value;` (recognises MLST's leading space). */
function startsWithFact(text: string, from: number, end: number): boolean {
  const sp = text.indexOf(" ", from);
  if (sp === -1 || sp >= end) return false;
  const eq = text.indexOf("=", from);
  return eq > from && eq < sp && text.charCodeAt(sp - 1) === 59 /* ; */;
}

/**
 * Parses one MLSD line, or the entry line of an MLST reply (its single
 * leading space is recognised). Undefined when there is no name.
 * `cdir`/`pdir` entries are returned; listings drop them.
 */
export function parseMlsdLine(line: string): FileInfo | undefined {
  let end = line.length;
  if (end > 0 && line.charCodeAt(end - 1) === 13) end--;
  return parseMlsdAt(line, 0, end, end === line.length ? line : line.slice(0, end));
}

/**
 * Parses the line text[start, end) in place (listings hand in their whole
 * text); `raw` becomes `FileInfo.raw`.
 */
export function parseMlsdAt(text: string, start: number, end: number, raw: string | undefined): FileInfo | undefined {
  if (text.charCodeAt(start) === 32 && startsWithFact(text, start + 1, end)) start++;
  const sp = text.indexOf(" ", start);
  if (sp === -1 || sp + 1 >= end) return undefined;

  const info: FileInfo = { name: text.slice(sp + 1, end), type: "unknown" };
  const facts: Record<string, string> = {};
  let owner: string | undefined;
  let ownerRank = 0;
  let group: string | undefined;
  let groupRank = 0;
  let sizd: number | undefined;
  let i = start;
  while (i < sp) {
    let semi = text.indexOf(";", i);
    if (semi === -1 || semi > sp) semi = sp;
    let eq = text.indexOf("=", i);
    if (eq === -1) eq = semi;
    if (eq < semi && eq > i) {
      const v0 = eq + 1;
      let value: string;
      switch (factId(text, i, eq)) {
        case F_TYPE:
          value = recentValues.get(text, v0, semi);
          facts.type = value;
          applyType(info, value);
          break;
        case F_SIZE: {
          value = text.slice(v0, semi);
          facts.size = value;
          const n = decimalAt(text, v0, semi);
          if (n !== undefined) info.size = n;
          break;
        }
        case F_SIZD:
          facts.sizd = value = text.slice(v0, semi);
          sizd = decimalAt(text, v0, semi);
          break;
        case F_MODIFY: {
          facts.modify = value = text.slice(v0, semi);
          const t = parseTimeValMillis(value);
          if (!Number.isNaN(t)) info.modifiedAt = new Date(t);
          break;
        }
        case F_PERM:
          facts.perm = info.permissions = recentValues.get(text, v0, semi);
          break;
        case F_UNIQUE:
          facts.unique = info.unique = text.slice(v0, semi);
          break;
        case F_UNIX_MODE: {
          facts["unix.mode"] = recentValues.get(text, v0, semi);
          const m = octalAt(text, v0, semi);
          if (m !== undefined) info.mode = m;
          break;
        }
        // A name beats a number: prefer ownername > owner > uid.
        case F_UNIX_OWNERNAME:
          facts["unix.ownername"] = owner = recentValues.get(text, v0, semi);
          ownerRank = 3;
          break;
        case F_UNIX_OWNER:
          facts["unix.owner"] = value = recentValues.get(text, v0, semi);
          if (ownerRank < 2) ((owner = value), (ownerRank = 2));
          break;
        case F_UNIX_UID:
          facts["unix.uid"] = value = recentValues.get(text, v0, semi);
          if (ownerRank < 1) ((owner = value), (ownerRank = 1));
          break;
        case F_UNIX_GROUPNAME:
          facts["unix.groupname"] = group = recentValues.get(text, v0, semi);
          groupRank = 3;
          break;
        case F_UNIX_GROUP:
          facts["unix.group"] = value = recentValues.get(text, v0, semi);
          if (groupRank < 2) ((group = value), (groupRank = 2));
          break;
        case F_UNIX_GID:
          facts["unix.gid"] = value = recentValues.get(text, v0, semi);
          if (groupRank < 1) ((group = value), (groupRank = 1));
          break;
        default: {
          const name = text.slice(i, eq).toLowerCase();
          if (name !== "__proto__") facts[name] = text.slice(v0, semi);
        }
      }
    }
    i = semi + 1;
  }
  if (info.size === undefined && sizd !== undefined) info.size = sizd;
  if (owner !== undefined) info.owner = owner;
  if (group !== undefined) info.group = group;
  info.facts = facts;
  if (raw !== undefined) info.raw = raw;
  return info;
}

/** True for the `cdir` / `pdir` entries that MLSD adds for "." and "..". */
export function isMlsdSelfOrParent(info: FileInfo): boolean {
  const t = info.facts?.["type"];
  if (t === undefined || t.length !== 4) return false;
  const v = t.toLowerCase();
  return v === "cdir" || v === "pdir";
}

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

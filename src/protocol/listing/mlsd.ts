/**
 * MLSD/MLST entries (RFC 3659 §7): `fact=value;fact=value; name`. The
 * facts end at the first space; everything after it is the name, which may
 * contain spaces and ";". Fact names are case-insensitive and are stored
 * lower-cased in `FileInfo.facts`. This file parses; mlsd-format.ts writes.
 */
import { timeValMillisAt } from "../time.js";
import type { FileInfo, FileType } from "../types.js";
import { type ByteText, type ParseScratch, byteIndex, digitsValue, isDigitsAt, lineText } from "./scan.js";

// The server side (formatting) lives in mlsd-format.ts; existing imports of it from here keep working.
export { DEFAULT_MLSD_FACTS, formatMlsdLine, MLSD_FACTS } from "./mlsd-format.js";

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

/** Four bytes from `i`, ASCII letters lower-cased, packed big-endian into one int. */
function word(b: Uint8Array, i: number): number {
  return ((b[i]! | 32) << 24) | ((b[i + 1]! | 32) << 16) | ((b[i + 2]! | 32) << 8) | (b[i + 3]! | 32);
}

/** The same packing of a 4-letter lower-case constant. */
function w(s: string): number {
  return (s.charCodeAt(0) << 24) | (s.charCodeAt(1) << 16) | (s.charCodeAt(2) << 8) | s.charCodeAt(3);
}

const W_TYPE = w("type");
const W_SIZE = w("size");
const W_SIZD = w("sizd");
const W_PERM = w("perm");
const W_MODI = w("modi");
const W_UNIQ = w("uniq");
const W_UNIX = w("unix");
const W_UID = w(".uid");
const W_GID = w(".gid");
const W_MODE = w("mode");
const W_OWNE = w("owne");
const W_GROU = w("grou");
const W_RNAM = w("rnam");
const W_PNAM = w("pnam");

/** (b[i] | 32) === letter: the byte is that letter in either case. */
function isLetter(b: Uint8Array, i: number, letter: number): boolean {
  return (b[i]! | 32) === letter;
}

/**
 * Which known fact b[from, to) names (ASCII case-insensitive), without
 * cutting a string: by length and packed 4-byte words. `| 32` maps a byte
 * onto a lower-case letter only when it is that letter in either case, so
 * comparing folded words is exact for letters; the one dot is checked as is.
 */
function factId(b: Uint8Array, from: number, to: number): number {
  const len = to - from;
  if (len < 4) return F_OTHER;
  const w0 = word(b, from);
  switch (len) {
    case 4:
      return w0 === W_TYPE ? F_TYPE : w0 === W_SIZE ? F_SIZE : w0 === W_SIZD ? F_SIZD : w0 === W_PERM ? F_PERM : F_OTHER;
    case 6:
      if (w0 === W_MODI) return isLetter(b, from + 4, 102 /* f */) && isLetter(b, from + 5, 121 /* y */) ? F_MODIFY : F_OTHER;
      if (w0 === W_UNIQ) return isLetter(b, from + 4, 117 /* u */) && isLetter(b, from + 5, 101 /* e */) ? F_UNIQUE : F_OTHER;
      return F_OTHER;
  }
  if (w0 !== W_UNIX || b[from + 4] !== 46 /* . */) return F_OTHER;
  switch (len) {
    case 8: {
      const w1 = word(b, from + 4);
      return w1 === W_UID ? F_UNIX_UID : w1 === W_GID ? F_UNIX_GID : F_OTHER;
    }
    case 9:
      return word(b, from + 5) === W_MODE ? F_UNIX_MODE : F_OTHER;
    case 10: {
      const w1 = word(b, from + 5);
      if (w1 === W_OWNE) return isLetter(b, from + 9, 114 /* r */) ? F_UNIX_OWNER : F_OTHER;
      if (w1 === W_GROU) return isLetter(b, from + 9, 112 /* p */) ? F_UNIX_GROUP : F_OTHER;
      return F_OTHER;
    }
    case 14: {
      const w1 = word(b, from + 5);
      const w2 = word(b, from + 9);
      if (!isLetter(b, from + 13, 101 /* e */)) return F_OTHER;
      if (w1 === W_OWNE && w2 === W_RNAM) return F_UNIX_OWNERNAME;
      if (w1 === W_GROU && w2 === W_PNAM) return F_UNIX_GROUPNAME;
      return F_OTHER;
    }
  }
  return F_OTHER;
}

/** Decimal value of b[from, to), or -1 when it is not all digits. */
function decimalAt(b: Uint8Array, from: number, to: number): number {
  return to - from <= 20 && isDigitsAt(b, from, to) ? digitsValue(b, from, to) : -1;
}

/** Octal value of b[from, to) (1-7 digits), or -1. */
function octalAt(b: Uint8Array, from: number, to: number): number {
  if (to <= from || to - from > 7) return -1;
  let v = 0;
  for (let i = from; i < to; i++) {
    const c = b[i]! - 48;
    if (c < 0 || c > 7) return -1;
    v = v * 8 + c;
  }
  return v;
}

/** The `type` fact value → FileType (and the scratch's `typeTarget`, `selfOrParent`). */
function typeOfValue(value: string, scratch: ParseScratch): FileType {
  scratch.selfOrParent = false;
  // Fast path for the overwhelmingly common spellings.
  if (value === "file") return "file";
  if (value === "dir") return "directory";
  const v = value.toLowerCase();
  if (v === "file") return "file";
  if (v === "dir") return "directory";
  if (v === "cdir" || v === "pdir") {
    scratch.selfOrParent = true;
    return "directory";
  }
  if (v.startsWith("os.unix=slink") || v === "os.unix=symlink") {
    const colon = value.indexOf(":");
    if (colon !== -1 && colon + 1 < value.length) scratch.typeTarget = value.slice(colon + 1);
    return "symlink";
  }
  return "unknown";
}

/**
 * True when the line last parsed by `parseMlsdBytes` from `text` was a
 * `cdir`/`pdir` entry (the same test as `isMlsdSelfOrParent`, which needs
 * `facts`).
 */
export function lastMlsdWasSelfOrParent(text: ByteText): boolean {
  return text.scratch.selfOrParent;
}

/** True when b[from..end) begins like `fact=value;` (recognises MLST's leading space). */
function startsWithFact(b: Uint8Array, from: number, end: number): boolean {
  const sp = byteIndex(b, 32, from, end);
  if (sp === -1) return false;
  const eq = byteIndex(b, 61, from, sp);
  return eq > from && b[sp - 1] === 59 /* ; */;
}

/**
 * Parses one MLSD line, or the entry line of an MLST reply (its single
 * leading space is recognised). Undefined when there is no name.
 * `cdir`/`pdir` entries are returned; listings drop them.
 */
export function parseMlsdLine(line: string): FileInfo | undefined {
  const text = lineText(line);
  let end = text.bytes.length;
  if (end > 0 && text.bytes[end - 1] === 13) end--;
  try {
    return parseMlsdBytes(text, 0, end, true, true);
  } finally {
    text.release();
  }
}

/**
 * Parses the line at bytes [start, end) of `text` (no line end); listings
 * hand in whole chunks. `keepRaw` stores the line as `FileInfo.raw`,
 * `keepFacts` every fact in `FileInfo.facts`.
 */
export function parseMlsdBytes(text: ByteText, start: number, end: number, keepRaw: boolean, keepFacts: boolean): FileInfo | undefined {
  const b = text.bytes;
  const scratch = text.scratch;
  const lineStart = start;
  if (b[start] === 32 && startsWithFact(b, start + 1, end)) start++;
  const facts: Record<string, string> | undefined = keepFacts ? {} : undefined;
  let type: FileType = "unknown";
  scratch.typeTarget = undefined;
  scratch.selfOrParent = false;
  let size = -1;
  let sizd = -1;
  let modified = NaN;
  let permissions: string | undefined;
  let unique: string | undefined;
  let mode = -1;
  let owner: string | undefined;
  let ownerRank = 0;
  let group: string | undefined;
  let groupRank = 0;
  // One pass over the facts, which end at the first space. `hi` is the OR
  // of the bytes of one fact (see ByteText.cut), `factsHi` of all of them.
  let factsHi = 0;
  let sig = 0;
  let i = start;
  let sp = end;
  while (i < end) {
    // One fact: its name runs to the first "=", its value to ";" (or the space).
    let semi = i;
    let eq = -1;
    let hi = 0;
    let c = 0;
    // The name, up to "=" ...
    for (; semi < end; semi++) {
      c = b[semi]!;
      if (c === 61 /* = */ || c === 59 /* ; */ || c === 32) break;
      hi |= c;
    }
    // ... then the value, up to ";" or the space.
    if (c === 61 && semi < end) {
      eq = semi;
      for (semi++; semi < end; semi++) {
        c = b[semi]!;
        if (c === 59 || c === 32) break;
        hi |= c;
      }
    }
    if (c === 32 && semi < end) sp = semi;
    factsHi |= hi;
    if (eq > i) {
      const v0 = eq + 1;
      let value: string;
      let n: number;
      const id = factId(b, i, eq);
      // Known fact ids in order (4 bits each, at most 13 facts); -1 once an unknown fact is seen.
      sig = id === F_OTHER || sig < 0 || sig >= 2 ** 48 ? -1 : sig * 16 + id;
      switch (id) {
        case F_TYPE:
          value = text.intern(v0, semi, hi);
          if (facts !== undefined) facts.type = value;
          type = typeOfValue(value, scratch);
          break;
        case F_SIZE:
          if (facts !== undefined) facts.size = text.cut(v0, semi, hi);
          n = decimalAt(b, v0, semi);
          if (n >= 0) size = n;
          break;
        case F_SIZD:
          if (facts !== undefined) facts.sizd = text.cut(v0, semi, hi);
          sizd = decimalAt(b, v0, semi);
          break;
        case F_MODIFY:
          if (facts !== undefined) facts.modify = text.cut(v0, semi, hi);
          n = timeValMillisAt(b, v0, semi, scratch.day);
          if (!Number.isNaN(n)) modified = n;
          break;
        case F_PERM:
          permissions = text.intern(v0, semi, hi);
          if (facts !== undefined) facts.perm = permissions;
          break;
        case F_UNIQUE:
          unique = text.cut(v0, semi, hi);
          if (facts !== undefined) facts.unique = unique;
          break;
        case F_UNIX_MODE:
          if (facts !== undefined) facts["unix.mode"] = text.intern(v0, semi, hi);
          n = octalAt(b, v0, semi);
          if (n >= 0) mode = n;
          break;
        // A name beats a number: prefer ownername > owner > uid.
        case F_UNIX_OWNERNAME:
          owner = text.intern(v0, semi, hi);
          if (facts !== undefined) facts["unix.ownername"] = owner;
          ownerRank = 3;
          break;
        case F_UNIX_OWNER:
          value = text.intern(v0, semi, hi);
          if (facts !== undefined) facts["unix.owner"] = value;
          if (ownerRank < 2) ((owner = value), (ownerRank = 2));
          break;
        case F_UNIX_UID:
          value = text.intern(v0, semi, hi);
          if (facts !== undefined) facts["unix.uid"] = value;
          if (ownerRank < 1) ((owner = value), (ownerRank = 1));
          break;
        case F_UNIX_GROUPNAME:
          group = text.intern(v0, semi, hi);
          if (facts !== undefined) facts["unix.groupname"] = group;
          groupRank = 3;
          break;
        case F_UNIX_GROUP:
          value = text.intern(v0, semi, hi);
          if (facts !== undefined) facts["unix.group"] = value;
          if (groupRank < 2) ((group = value), (groupRank = 2));
          break;
        case F_UNIX_GID:
          value = text.intern(v0, semi, hi);
          if (facts !== undefined) facts["unix.gid"] = value;
          if (groupRank < 1) ((group = value), (groupRank = 1));
          break;
        default:
          if (facts !== undefined) {
            const factName = text.cut(i, eq, hi).toLowerCase();
            if (factName !== "__proto__") facts[factName] = text.cut(v0, semi, hi);
          }
      }
    }
    if (semi === sp) break;
    i = semi + 1;
  }
  if (sp + 1 >= end) return undefined;
  let nameHi = 0;
  if (text.needsHi) for (let k = sp + 1; k < end; k++) nameHi |= b[k]!;
  // A non-ASCII name after ASCII facts: decode the line once, for raw and name.
  const raw = keepRaw ? text.cut(lineStart, end, factsHi | nameHi) : undefined;
  const name = raw !== undefined && nameHi >= 0x80 && factsHi < 0x80 ? raw.slice(sp + 1 - lineStart) : text.cut(sp + 1, end, nameHi);
  if (size < 0) size = sizd;
  const target = scratch.typeTarget;
  const modifiedAt = Number.isNaN(modified) ? undefined : new Date(modified);
  if (facts === undefined) return leanEntry(name, type, size, modifiedAt, permissions, mode, owner, group, unique, raw, target);
  if (sig !== scratch.anchoredSig && sig > 0) anchorFacts(sig, facts, scratch);

  // The usual entries are literals: every field in the object itself, and a
  // hidden class that lives as long as the code (see anchorFacts).
  if (modifiedAt !== undefined && permissions !== undefined && mode >= 0 && owner !== undefined && group !== undefined && unique !== undefined && target === undefined) {
    if (size >= 0) {
      return raw === undefined
        ? { name, type, size, modifiedAt, permissions, mode, owner, group, unique, facts }
        : { name, type, size, modifiedAt, permissions, mode, owner, group, unique, facts, raw };
    }
    return raw === undefined
      ? { name, type, modifiedAt, permissions, mode, owner, group, unique, facts }
      : { name, type, modifiedAt, permissions, mode, owner, group, unique, facts, raw };
  }
  return grownEntry(name, type, size, modifiedAt, permissions, mode, owner, group, unique, facts, raw, target);
}

/** An entry without `facts` (the `facts: false` option). */
function leanEntry(
  name: string,
  type: FileType,
  size: number,
  modifiedAt: Date | undefined,
  permissions: string | undefined,
  mode: number,
  owner: string | undefined,
  group: string | undefined,
  unique: string | undefined,
  raw: string | undefined,
  target: string | undefined,
): FileInfo {
  if (modifiedAt !== undefined && permissions !== undefined && mode >= 0 && owner !== undefined && group !== undefined && unique !== undefined && target === undefined) {
    if (size >= 0) {
      return raw === undefined
        ? { name, type, size, modifiedAt, permissions, mode, owner, group, unique }
        : { name, type, size, modifiedAt, permissions, mode, owner, group, unique, raw };
    }
    return raw === undefined
      ? { name, type, modifiedAt, permissions, mode, owner, group, unique }
      : { name, type, modifiedAt, permissions, mode, owner, group, unique, raw };
  }
  return grownEntry(name, type, size, modifiedAt, permissions, mode, owner, group, unique, undefined, raw, target);
}

/** Any other combination of fields, added one by one. */
function grownEntry(
  name: string,
  type: FileType,
  size: number,
  modifiedAt: Date | undefined,
  permissions: string | undefined,
  mode: number,
  owner: string | undefined,
  group: string | undefined,
  unique: string | undefined,
  facts: Record<string, string> | undefined,
  raw: string | undefined,
  target: string | undefined,
): FileInfo {
  const info: FileInfo = { name, type };
  if (size >= 0) info.size = size;
  if (modifiedAt !== undefined) info.modifiedAt = modifiedAt;
  if (permissions !== undefined) info.permissions = permissions;
  if (mode >= 0) info.mode = mode;
  if (owner !== undefined) info.owner = owner;
  if (group !== undefined) info.group = group;
  if (unique !== undefined) info.unique = unique;
  if (facts !== undefined) info.facts = facts;
  if (raw !== undefined) info.raw = raw;
  if (target !== undefined) info.target = target;
  return info;
}

/**
 * Keeps the hidden class of each common `facts` layout alive. A facts
 * record grows key by key, and V8 holds such grown classes only while some
 * object has one: once a listing's entries were dropped, the next listing
 * built new classes and every optimized function that had seen the old
 * ones was thrown away mid-listing. An empty-valued copy per layout (at
 * most MAX_ANCHORS, keyed by the sequence of known fact ids) prevents that
 * without keeping any listing text alive. The anchors are process-wide on
 * purpose (hidden classes are); which layout was anchored last is the
 * scratch's.
 */
const MAX_ANCHORS = 32;
const anchors: Record<string, string>[] = [];
const anchorSigs: number[] = [];

function anchorFacts(sig: number, facts: Record<string, string>, scratch: ParseScratch): void {
  scratch.anchoredSig = sig;
  if (anchorSigs.includes(sig) || anchors.length >= MAX_ANCHORS) return;
  const copy: Record<string, string> = {};
  for (const key in facts) copy[key] = "";
  anchors.push(copy);
  anchorSigs.push(sig);
}

/** True for the `cdir` / `pdir` entries that MLSD adds for "." and "..". */
export function isMlsdSelfOrParent(info: FileInfo): boolean {
  const t = info.facts?.["type"];
  if (t === undefined || t.length !== 4) return false;
  const v = t.toLowerCase();
  return v === "cdir" || v === "pdir";
}

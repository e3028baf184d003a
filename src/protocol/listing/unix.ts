/**
 * Unix `ls -l` listings, as most FTP servers answer LIST: parser and
 * formatter. The parser scans bytes instead of matching one large regular
 * expression: it runs once per entry of listings that can hold hundreds of
 * thousands of lines, and it must find the name by position (after the
 * date) so that names with leading or inner spaces survive.
 *
 * Listings carry no time zone; dates are read and written as UTC.
 */
import { FtpInvalidArgumentError } from "../../errors.js";
import { daysInMonth, utcMillis } from "../time.js";
import type { FileInfo, FileType } from "../types.js";
import { type ByteText, type ParseScratch, MAX_TOKENS, digitsValue, intAt, isDigitsAt, lineText } from "./scan.js";
import { hasLineBreak } from "../line-break.js";

const MONTH_NAMES = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"] as const;

/** Month 1-12 by three letters a-z (index a*676 + b*26 + c), 0 for none. */
const MONTH_BY_LETTERS = new Uint8Array(26 * 26 * 26);
MONTH_NAMES.forEach((m, i) => {
  const l = m.toLowerCase();
  MONTH_BY_LETTERS[(l.charCodeAt(0) - 97) * 676 + (l.charCodeAt(1) - 97) * 26 + (l.charCodeAt(2) - 97)] = i + 1;
});

/** A clock skew allowance: a server ahead of UTC can list "future" times. */
const FUTURE_SLACK_MS = 86_400_000;
/** GNU ls: "recent" means within half a Gregorian year. */
const SIX_MONTHS_MS = 15_778_476_000;
const MINUTE_MS = 60_000;

/** The year of "now" for the last `nowMs` seen (the same for a whole listing). */
function yearOf(nowMs: number, scratch: ParseScratch): number {
  if (nowMs !== scratch.nowMs) {
    scratch.nowMs = nowMs;
    scratch.nowYear = new Date(nowMs).getUTCFullYear();
  }
  return scratch.nowYear;
}

/**
 * Date readers return NaN for "not a date here" and this for "a date, but
 * an impossible one" (Feb 30): the entry is kept, without `modifiedAt`.
 * (Returning the number beats a module variable: a double stored there
 * would be boxed on every line.)
 */
const BAD_DATE = Infinity;

function monthToken(b: Uint8Array, from: number, to: number): number {
  if (to - from !== 3) return 0;
  // `| 32` lower-cases A-Z; anything that is then not a-z is no month.
  const l0 = (b[from]! | 32) - 97;
  const l1 = (b[from + 1]! | 32) - 97;
  const l2 = (b[from + 2]! | 32) - 97;
  if (l0 >>> 0 > 25 || l1 >>> 0 > 25 || l2 >>> 0 > 25) return 0;
  return MONTH_BY_LETTERS[l0 * 676 + l1 * 26 + l2]!;
}

/**
 * The third date token: "HH:MM" gives minutes of the day (a recent date),
 * "YYYY" gives -year-1 (so that year 0 stays distinguishable); else NaN.
 */
function timeOrYear(b: Uint8Array, from: number, to: number): number {
  const len = to - from;
  if (len === 5 && b[from + 2] === 58 /* : */) return hhmm(b, from, from + 3);
  if (len === 4) {
    if (b[from + 1] === 58) return hhmm(b, from, from + 2);
    const y = intAt(b, from, to, 4);
    return y < 0 ? NaN : -y - 1;
  }
  return NaN;
}

/** Minutes of the day from "H:MM"/"HH:MM" (hours at `from`, minutes at `m`), NaN when invalid. */
function hhmm(b: Uint8Array, from: number, m: number): number {
  const h = intAt(b, from, m - 1, 2);
  const min = intAt(b, m, m + 2, 2);
  return h < 0 || h > 23 || min < 0 || min > 59 ? NaN : h * 60 + min;
}

function dayMonthYear(year: number, month: number, day: number, minutes: number): number {
  return day > daysInMonth(year, month) ? NaN : utcMillis(year, month, day, 0, minutes);
}

/**
 * A recent date has no year: the most recent past one (with slack) that
 * exists. Listings repeat days, so the start of the day chosen for each
 * month and day is remembered for the listing's clock; a day that only
 * partly lies before the clock is worked out per entry.
 */
const UNCACHEABLE = -Infinity;

function recentDate(month: number, day: number, minutes: number, nowMs: number, scratch: ParseScratch): number {
  const dayCache = scratch.dayCache;
  if (nowMs !== scratch.dayCacheNowMs) {
    scratch.dayCacheNowMs = nowMs;
    dayCache.fill(NaN);
  }
  const key = month * 32 + day;
  let start = dayCache[key]!;
  if (Number.isNaN(start)) {
    start = recentDayStart(month, day, nowMs, scratch);
    dayCache[key] = start;
  }
  if (start !== UNCACHEABLE) return start + minutes * MINUTE_MS;
  return recentDateSlow(month, day, minutes, nowMs, scratch);
}

/** The day start that `recentDateSlow` picks for every minute of the day, else UNCACHEABLE. */
function recentDayStart(month: number, day: number, nowMs: number, scratch: ParseScratch): number {
  const limit = nowMs + FUTURE_SLACK_MS;
  let year = yearOf(nowMs, scratch);
  for (let tries = 0; tries < 9; tries++, year--) {
    if (day > daysInMonth(year, month)) continue;
    const ms = utcMillis(year, month, day);
    if (ms > limit) continue; // too late for every minute of the day
    return ms + 1439 * MINUTE_MS <= limit ? ms : UNCACHEABLE;
  }
  return UNCACHEABLE;
}

function recentDateSlow(month: number, day: number, minutes: number, nowMs: number, scratch: ParseScratch): number {
  let year = yearOf(nowMs, scratch);
  for (let tries = 0; tries < 9; tries++, year--) {
    if (day > daysInMonth(year, month)) continue; // Feb 29: step back to a leap year
    const ms = utcMillis(year, month, day, 0, minutes);
    if (ms <= nowMs + FUTURE_SLACK_MS) return ms;
  }
  return NaN;
}

/**
 * Tries tokens k, k+1, k+2 as "Mon DD time|year" or "DD Mon time|year".
 * Returns the time value, BAD_DATE, or NaN when the tokens are no date.
 */
function readDate(b: Uint8Array, k: number, nowMs: number, scratch: ParseScratch): number {
  const { tokStart, tokEnd } = scratch;
  const s0 = tokStart[k]!, e0 = tokEnd[k]!, s1 = tokStart[k + 1]!, e1 = tokEnd[k + 1]!;
  let month = monthToken(b, s0, e0);
  let day: number;
  if (month !== 0) {
    day = intAt(b, s1, e1, 2);
  } else {
    month = monthToken(b, s1, e1);
    if (month === 0) return NaN;
    day = intAt(b, s0, e0, 2);
  }
  if (day < 1 || day > 31) return NaN;
  const t = timeOrYear(b, tokStart[k + 2]!, tokEnd[k + 2]!);
  if (Number.isNaN(t)) return NaN;
  const ms = t >= 0 ? recentDate(month, day, t, nowMs, scratch) : dayMonthYear(-t - 1, month, day, 0);
  return Number.isNaN(ms) ? BAD_DATE : ms;
}

/** Tokens k, k+1 as `ls --time-style=long-iso`: "YYYY-MM-DD HH:MM". */
function readIsoDate(b: Uint8Array, k: number, scratch: ParseScratch): number {
  const { tokStart, tokEnd } = scratch;
  const s = tokStart[k]!;
  if (tokEnd[k]! - s !== 10 || b[s + 4] !== 45 || b[s + 7] !== 45) return NaN;
  const year = intAt(b, s, s + 4, 4);
  const month = intAt(b, s + 5, s + 7, 2);
  const day = intAt(b, s + 8, s + 10, 2);
  const t = timeOrYear(b, tokStart[k + 1]!, tokEnd[k + 1]!);
  if (year < 0 || month < 1 || month > 12 || day < 1 || Number.isNaN(t) || t < 0) return NaN;
  const ms = dayMonthYear(year, month, day, t);
  return Number.isNaN(ms) ? BAD_DATE : ms;
}

/** Permission bits from the 9 bytes after the type, or -1 when they are not permissions. */
function parseModeAt(b: Uint8Array, from: number): number {
  let mode = 0;
  for (let i = 0; i < 9; i++) {
    const c = b[from + i];
    if (c === 45 /* - */) continue;
    const bit = 1 << (8 - i);
    const slot = i % 3;
    if (slot === 0) {
      if (c !== 114 /* r */) return -1;
      mode |= bit;
    } else if (slot === 1) {
      if (c !== 119 /* w */) return -1;
      mode |= bit;
    } else {
      // setuid (i=2), setgid (i=5), sticky (i=8); lower case means "and executable".
      const special = i === 2 ? 0o4000 : i === 5 ? 0o2000 : 0o1000;
      if (c === 120 /* x */) mode |= bit;
      else if (c === 115 /* s */ && i !== 8) mode |= bit | special;
      else if (c === 83 /* S */ && i !== 8) mode |= special;
      else if (c === 116 /* t */ && i === 8) mode |= bit | special;
      else if (c === 84 /* T */ && i === 8) mode |= special;
      else if ((c === 108 /* l */ || c === 76) /* L */ && i === 5) mode |= special; // Solaris mandatory locking
      else return -1;
    }
  }
  return mode;
}

function typeOf(c: number | undefined): FileType | undefined {
  switch (c) {
    case 45: // -
      return "file";
    case 100: // d
      return "directory";
    case 108: // l
      return "symlink";
    case 98: // b block device
    case 99: // c character device
    case 112: // p fifo
    case 115: // s socket
    case 68: // D Solaris door
      return "unknown";
    default:
      return undefined;
  }
}

/** "4," (major of a device, minor follows) or "4,0" (both in one token). */
function isDeviceToken(b: Uint8Array, from: number, to: number): boolean {
  let comma = -1;
  for (let i = from; i < to; i++) {
    const c = b[i]!;
    if (c === 44 /* , */ && comma === -1 && i > from) comma = i;
    else if (c < 48 || c > 57) return false;
  }
  return comma !== -1;
}

/**
 * Parses one `ls -l` line; undefined when it is not one (`total N` included).
 * `now` decides the year of dates shown with a time of day (default: now).
 */
export function parseUnixLine(line: string, now?: Date): FileInfo | undefined {
  const text = lineText(line);
  let end = text.bytes.length;
  if (end > 0 && text.bytes[end - 1] === 13) end--;
  try {
    return parseUnixBytes(text, 0, end, now === undefined ? Date.now() : now.getTime(), true);
  } finally {
    text.release();
  }
}

/**
 * Parses the line at bytes [start, end) of `text` (no line end); listings
 * hand in whole chunks. `keepRaw` stores the line as `FileInfo.raw`.
 */
export function parseUnixBytes(text: ByteText, start: number, end: number, nowMs: number, keepRaw: boolean): FileInfo | undefined {
  const b = text.bytes;
  const scratch = text.scratch;
  const { tokStart, tokEnd } = scratch;
  const len = end;
  if (end - start < 12) return undefined;
  const type = typeOf(b[start]);
  if (type === undefined) return undefined;
  let mode: number | undefined;
  let pos: number;
  // OR of every byte scanned: strings are cut from a decoded text unless it shows non-ASCII.
  let hi = 0;
  if (b[start + 1] === 32 && b[start + 2] === 91 /* [ */) {
    // NetWare: "d [RWCEAFMS] owner size date name" — rights, not Unix bits.
    let close = start + 3;
    while (close < len && b[close] !== 93 /* ] */) hi |= b[close++]!;
    if (close >= len) return undefined;
    pos = close + 1;
  } else {
    mode = parseModeAt(b, start + 1);
    if (mode < 0) return undefined;
    pos = start + 10;
    const marker = b[pos];
    // ACL "+", SELinux context ".", macOS extended attributes "@", z/OS "*"
    if (marker === 43 || marker === 46 || marker === 64 || marker === 42) pos++;
  }
  if (b[pos] !== 32) return undefined;

  let n = 0;
  let dateAt = -1;
  let dateEnd = -1;
  let dateMs = NaN;
  while (n < MAX_TOKENS) {
    while (pos < len && b[pos] === 32) pos++;
    if (pos >= len) break;
    tokStart[n] = pos;
    let c = 0;
    while (pos < len && (c = b[pos]!) !== 32) {
      hi |= c;
      pos++;
    }
    tokEnd[n] = pos;
    n++;
    if (pos >= len) break; // a date must be followed by a name
    // The token before the date must look like a size (or a device number).
    if (n >= 4) {
      const sz = n - 4;
      if (isDigitsAt(b, tokStart[sz]!, tokEnd[sz]!) || isDeviceToken(b, tokStart[sz]!, tokEnd[sz]!)) {
        dateMs = readDate(b, n - 3, nowMs, scratch);
        if (!Number.isNaN(dateMs)) {
          dateAt = n - 3;
          dateEnd = pos;
          break;
        }
      }
    }
    // long-iso: the token before the time is "YYYY-MM-DD".
    if (n >= 3 && tokEnd[n - 2]! - tokStart[n - 2]! === 10 && b[tokStart[n - 2]! + 4] === 45) {
      const sz = n - 3;
      if (isDigitsAt(b, tokStart[sz]!, tokEnd[sz]!)) {
        dateMs = readIsoDate(b, n - 2, scratch);
        if (!Number.isNaN(dateMs)) {
          dateAt = n - 2;
          dateEnd = pos;
          break;
        }
      }
    }
  }
  if (dateAt < 0) return undefined;

  const nameStart = dateEnd + 1;
  if (nameStart >= len) return undefined;
  let nameHi = 0;
  if (text.needsHi) for (let i = nameStart; i < len; i++) nameHi |= b[i]!;
  // A non-ASCII name after an ASCII start: decode the line once, for raw and name.
  const raw = keepRaw ? text.cut(start, end, hi | nameHi) : undefined;
  let name = raw !== undefined && nameHi >= 0x80 && hi < 0x80 ? raw.slice(nameStart - start) : text.cut(nameStart, len, nameHi);

  // Size, or "major, minor" of a device (then there is no size).
  let sizeAt = dateAt - 1;
  let size: number | undefined;
  const ss = tokStart[sizeAt]!, se = tokEnd[sizeAt]!;
  if (isDeviceToken(b, ss, se)) {
    // "4,0": the whole device number in one token
  } else if (sizeAt > 0 && b[tokEnd[sizeAt - 1]! - 1] === 44 /* , */ && isDeviceToken(b, tokStart[sizeAt - 1]!, tokEnd[sizeAt - 1]!)) {
    sizeAt--; // "4, 0": major and minor are two tokens
  } else {
    size = digitsValue(b, ss, se);
  }

  // Before the size: [links] owner [group]. A lone number first is the link count.
  let hardLinks: number | undefined;
  let owner: string | undefined;
  let group: string | undefined;
  const meta = sizeAt;
  if (meta > 0) {
    let k = 0;
    if (meta >= 2 && isDigitsAt(b, tokStart[0]!, tokEnd[0]!)) {
      hardLinks = digitsValue(b, tokStart[0]!, tokEnd[0]!);
      k = 1;
    }
    owner = text.intern(tokStart[k]!, tokEnd[k]!, hi);
    // Anything further up to the size is the group (which may contain spaces).
    if (k + 1 < meta) group = text.intern(tokStart[k + 1]!, tokEnd[meta - 1]!, hi);
  }

  let target: string | undefined;
  if (type === "symlink") {
    const arrow = name.indexOf(" -> ");
    if (arrow !== -1) {
      target = name.slice(arrow + 4);
      name = name.slice(0, arrow);
    }
  }
  const modifiedAt = dateMs === BAD_DATE ? undefined : new Date(dateMs);

  // The usual entries are built as literals: one allocation with every field
  // in the object itself, instead of growing a property store field by field.
  // A literal's hidden class also lives as long as the code, while one grown
  // by adding fields dies with the last such entry, and with it the
  // optimized code that had seen it (see SINK_ANCHOR in listing-parser.ts).
  if (size !== undefined && modifiedAt !== undefined && mode !== undefined && hardLinks !== undefined && owner !== undefined && group !== undefined) {
    if (target === undefined) {
      return raw === undefined
        ? { name, type, size, modifiedAt, mode, hardLinks, owner, group }
        : { name, type, size, modifiedAt, mode, hardLinks, owner, group, raw };
    }
    return raw === undefined
      ? { name, type, size, modifiedAt, mode, hardLinks, owner, group, target }
      : { name, type, size, modifiedAt, mode, hardLinks, owner, group, raw, target };
  }
  const info: FileInfo = { name, type };
  if (size !== undefined) info.size = size;
  if (modifiedAt !== undefined) info.modifiedAt = modifiedAt;
  if (mode !== undefined) info.mode = mode;
  if (hardLinks !== undefined) info.hardLinks = hardLinks;
  if (owner !== undefined) info.owner = owner;
  if (group !== undefined) info.group = group;
  if (raw !== undefined) info.raw = raw;
  if (target !== undefined) info.target = target;
  return info;
}

function permissionString(mode: number): string {
  let s = "";
  for (let i = 0; i < 9; i++) {
    const bit = 1 << (8 - i);
    const slot = i % 3;
    if (slot === 0) s += mode & bit ? "r" : "-";
    else if (slot === 1) s += mode & bit ? "w" : "-";
    else {
      const special = i === 2 ? 0o4000 : i === 5 ? 0o2000 : 0o1000;
      const x = (mode & bit) !== 0;
      if (mode & special) s += i === 8 ? (x ? "t" : "T") : x ? "s" : "S";
      else s += x ? "x" : "-";
    }
  }
  return s;
}

/** permissionString for every mode, filled on first use: a listing repeats a handful of modes. */
const PERMISSION_STRINGS: (string | undefined)[] = new Array<string | undefined>(0o10000);

function cachedPermissionString(mode: number): string {
  const m = mode & 0o7777;
  return (PERMISSION_STRINGS[m] ??= permissionString(m));
}

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

const MS_PER_MINUTE = 60_000;
const MS_PER_DAY = 86_400_000;
// The last column text per form: entries of one folder tend to share a minute or a day,
// and building a Date per line was a visible share of a 100,000-entry LIST.
let lastRecentKey = Number.NaN;
let lastRecentText = "";
let lastOldKey = Number.NaN;
let lastOldText = "";

/**
 * The 12-character date column of `ls -l`: "Jan  1 10:00" for the last six
 * months, "Jan  1  2020" for anything older or in the future.
 */
export function formatUnixDate(date: Date | undefined, nowMs: number): string {
  let t = date === undefined ? 0 : date.getTime();
  if (Number.isNaN(t)) t = 0;
  if (t <= nowMs && nowMs - t < SIX_MONTHS_MS) {
    // The text depends only on the minute.
    const key = Math.floor(t / MS_PER_MINUTE);
    if (key !== lastRecentKey) {
      const d = new Date(t);
      lastRecentText = `${dayHead(d)} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}`;
      lastRecentKey = key;
    }
    return lastRecentText;
  }
  // The text depends only on the day.
  const key = Math.floor(t / MS_PER_DAY);
  if (key !== lastOldKey) {
    const d = new Date(t);
    lastOldText = `${dayHead(d)}  ${String(d.getUTCFullYear()).padStart(4, "0")}`;
    lastOldKey = key;
  }
  return lastOldText;
}

function dayHead(d: Date): string {
  const day = d.getUTCDate();
  return `${MONTH_NAMES[d.getUTCMonth()]!} ${day < 10 ? " " : ""}${day}`;
}

const DEFAULT_COLUMN = "ftp".padEnd(8);

function column(value: string | undefined, fallback: string): string {
  if (value === undefined || value === "") return fallback === "ftp" ? DEFAULT_COLUMN : fallback.padEnd(8);
  // Whitespace would shift the columns a reader counts.
  return value.replace(/\s/g, "_").padEnd(8);
}

/**
 * One `ls -l` line for a server's LIST reply (no CRLF). Missing fields get
 * conventional defaults (mode 644/755/777, one link, owner and group "ftp").
 * Throws FtpInvalidArgumentError for a name containing CR or LF.
 */
export function formatUnixLine(info: FileInfo, now?: Date): string {
  if (hasLineBreak(info.name) || (info.target !== undefined && hasLineBreak(info.target))) {
    throw new FtpInvalidArgumentError(`Cannot list a name containing CR or LF: ${JSON.stringify(info.name)}`);
  }
  const typeChar = info.type === "directory" ? "d" : info.type === "symlink" ? "l" : "-";
  const mode = info.mode ?? (info.type === "directory" ? 0o755 : info.type === "symlink" ? 0o777 : 0o644);
  const links = String(info.hardLinks ?? 1).padStart(4);
  const size = String(info.size ?? 0).padStart(12);
  const date = formatUnixDate(info.modifiedAt, now === undefined ? Date.now() : now.getTime());
  const name = info.type === "symlink" && info.target !== undefined ? `${info.name} -> ${info.target}` : info.name;
  return `${typeChar}${cachedPermissionString(mode)} ${links} ${column(info.owner, "ftp")} ${column(info.group, "ftp")} ${size} ${date} ${name}`;
}

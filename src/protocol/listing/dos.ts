/**
 * DOS/Windows listings, as IIS (in its default "MS-DOS" style) and Windows
 * `dir` print them:
 *
 *   01-23-20  10:15AM       <DIR>          name
 *   01/23/2020  10:15 PM         1,234,567 name
 *
 * Dates are month-day-year (2- or 4-digit year), year-month-day when the
 * first part has four digits, or day.month.year with dots; times are
 * 12-hour (AM/PM, attached or not) or 24-hour. Read as UTC.
 */
import { daysInMonth, utcMillis } from "../time.js";
import type { FileInfo, FileType } from "../types.js";
import { LINE_SCRATCH, type ParseScratch } from "./scan.js";

/** Two-digit years: 70-99 are 19xx, 00-69 are 20xx (IIS never printed earlier dates). */
function fullYear(y: number, digits: number): number {
  if (digits === 4) return y;
  return y >= 70 ? 1900 + y : 2000 + y;
}

/** Reads up to `max` digits at `pos`; -1 when there is none. `scratch.numEnd` is the index after them (pos when none). */
function num(line: string, pos: number, max: number, end: number, scratch: ParseScratch): number {
  let v = 0;
  let i = pos;
  while (i < end && i - pos < max) {
    const c = line.charCodeAt(i) - 48;
    if (c < 0 || c > 9) break;
    v = v * 10 + c;
    i++;
  }
  scratch.numEnd = i;
  return i === pos ? -1 : v;
}

function skipSpaces(line: string, pos: number, end: number): number {
  while (pos < end && line.charCodeAt(pos) === 32) pos++;
  return pos;
}

/** "AM"/"PM" (either case) at pos, followed by a space or the end → 0 / 12; -1 otherwise. */
function meridiem(line: string, pos: number, end: number): number {
  if (pos + 2 > end || (line.charCodeAt(pos + 1) | 32) !== 109 /* m */) return -1;
  if (pos + 2 < end && line.charCodeAt(pos + 2) !== 32) return -1;
  const a = line.charCodeAt(pos) | 32;
  return a === 97 /* a */ ? 0 : a === 112 /* p */ ? 12 : -1;
}

/** Parses one DOS/IIS listing line; undefined when it is not one. */
export function parseDosLine(line: string): FileInfo | undefined {
  let end = line.length;
  if (end > 0 && line.charCodeAt(end - 1) === 13) end--;
  return parseDosAt(line, 0, end, end === line.length ? line : line.slice(0, end), LINE_SCRATCH);
}

/** Parses text[start, end) in place; `raw` becomes `FileInfo.raw`. */
export function parseDosAt(line: string, start: number, end: number, raw: string | undefined, scratch: ParseScratch): FileInfo | undefined {
  // Date: three numbers with one separator kind.
  const a = num(line, start, 4, end, scratch);
  const aDigits = scratch.numEnd - start;
  const sep = line.charCodeAt(scratch.numEnd);
  if (a < 0 || (sep !== 45 /* - */ && sep !== 47 /* / */ && sep !== 46) /* . */) return undefined;
  const b = num(line, scratch.numEnd + 1, 2, end, scratch);
  if (b < 0 || line.charCodeAt(scratch.numEnd) !== sep) return undefined;
  const cFrom = scratch.numEnd + 1;
  const c = num(line, cFrom, 4, end, scratch);
  const cDigits = scratch.numEnd - cFrom;
  if (c < 0 || scratch.numEnd >= end || line.charCodeAt(scratch.numEnd) !== 32) return undefined;
  let year: number, month: number, day: number;
  if (aDigits === 4) {
    year = a;
    month = b;
    day = c;
  } else if (cDigits === 2 || cDigits === 4) {
    year = fullYear(c, cDigits);
    month = sep === 46 ? b : a;
    day = sep === 46 ? a : b;
  } else {
    return undefined;
  }
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;

  // Time: H:MM[:SS] with optional AM/PM, attached or after one space.
  let pos = skipSpaces(line, scratch.numEnd, end);
  let hour = num(line, pos, 2, end, scratch);
  if (hour < 0 || line.charCodeAt(scratch.numEnd) !== 58 /* : */) return undefined;
  const mFrom = scratch.numEnd + 1;
  const minute = num(line, mFrom, 2, end, scratch);
  if (minute < 0 || scratch.numEnd - mFrom !== 2) return undefined;
  pos = scratch.numEnd;
  let second = 0;
  if (line.charCodeAt(pos) === 58) {
    second = num(line, pos + 1, 2, end, scratch);
    if (second < 0 || scratch.numEnd - pos !== 3) return undefined;
    pos = scratch.numEnd;
  }
  let mer = meridiem(line, pos, end);
  if (mer < 0 && line.charCodeAt(pos) === 32) {
    mer = meridiem(line, pos + 1, end);
    if (mer >= 0) pos++;
  }
  if (mer >= 0) {
    if (hour < 1 || hour > 12) return undefined;
    hour = (hour % 12) + mer;
    pos += 2;
  }
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  if (pos >= end || line.charCodeAt(pos) !== 32) return undefined;

  // "<DIR>", a link marker, or a size with optional thousands separators.
  pos = skipSpaces(line, pos, end);
  let type: FileType;
  let size: number | undefined;
  if (line.charCodeAt(pos) === 60 /* < */) {
    const close = line.indexOf(">", pos);
    if (close === -1 || close >= end) return undefined;
    const tag = line.slice(pos + 1, close).toUpperCase();
    if (tag === "DIR") type = "directory";
    else if (tag === "SYMLINK" || tag === "SYMLINKD" || tag === "JUNCTION") type = "symlink";
    else type = "unknown";
    pos = close + 1;
  } else {
    let v = 0;
    let digits = 0;
    for (; pos < end; pos++) {
      const ch = line.charCodeAt(pos);
      if (ch >= 48 && ch <= 57) {
        v = v * 10 + (ch - 48);
        digits++;
      } else if (ch !== 44 /* , */ && ch !== 46 /* . */) break;
    }
    if (digits === 0) return undefined;
    type = "file";
    size = v;
  }
  if (pos >= end || line.charCodeAt(pos) !== 32) return undefined;
  pos = skipSpaces(line, pos, end);
  if (pos >= end) return undefined;

  let name = line.slice(pos, end);
  let target: string | undefined;
  if (type === "symlink" && line.charCodeAt(end - 1) === 93 /* ] */) {
    // Windows `dir`: "link [target]"
    const open = name.lastIndexOf(" [");
    if (open > 0) {
      target = name.slice(open + 2, -1);
      name = name.slice(0, open);
    }
  }
  const info: FileInfo = { name, type };
  if (size !== undefined) info.size = size;
  info.modifiedAt = new Date(utcMillis(year, month, day, hour, minute, second));
  if (target !== undefined) info.target = target;
  if (raw !== undefined) info.raw = raw;
  return info;
}

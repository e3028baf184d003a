/**
 * Time values as FTP carries them: MDTM replies, MFMT arguments and the
 * MLSD `modify` fact all use `YYYYMMDDHHMMSS[.sss]` in UTC (RFC 3659 §2.3).
 * Dates are built with arithmetic, not `Date.UTC` or string parsing: it is
 * faster in listing parsers and treats years 0-99 as years, not 1900-1999.
 */
import { FtpInvalidArgumentError } from "../errors.js";

const MS_PER_DAY = 86_400_000;

/** Days since 1970-01-01 of a proleptic Gregorian date (month 1-12). */
export function daysFromCivil(year: number, month: number, day: number): number {
  // Shift the year to start in March so the leap day is the last day.
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = month > 2 ? month - 3 : month + 9;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** Milliseconds since the epoch for a UTC wall-clock time (month 1-12). */
export function utcMillis(
  year: number,
  month: number,
  day: number,
  hour = 0,
  minute = 0,
  second = 0,
  millis = 0,
): number {
  return daysFromCivil(year, month, day) * MS_PER_DAY + ((hour * 60 + minute) * 60 + second) * 1000 + millis;
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days in `month` (1-12) of `year`; 0 for a month out of range. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return DAYS_IN_MONTH[month - 1] ?? 0;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, "0");
}

/**
 * Formats a Date as `YYYYMMDDHHMMSS` in UTC, with `.sss` when `millis` is
 * true. Years must be 0-9999 (the format has four digits).
 */
export function formatMdtm(date: Date, millis = false): string {
  const t = date.getTime();
  if (Number.isNaN(t)) throw new FtpInvalidArgumentError("Cannot format an invalid Date");
  const year = date.getUTCFullYear();
  if (year < 0 || year > 9999) throw new FtpInvalidArgumentError(`Year ${year} does not fit YYYYMMDDHHMMSS`);
  const text =
    pad(year, 4) +
    pad(date.getUTCMonth() + 1, 2) +
    pad(date.getUTCDate(), 2) +
    pad(date.getUTCHours(), 2) +
    pad(date.getUTCMinutes(), 2) +
    pad(date.getUTCSeconds(), 2);
  return millis ? `${text}.${pad(date.getUTCMilliseconds(), 3)}` : text;
}

/** `count` ASCII digits at `from`, or -1 when any is not a digit. */
function fixedDigits(b: Uint8Array, from: number, count: number): number {
  let v = 0;
  for (let i = from; i < from + count; i++) {
    const c = b[i]! - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/**
 * The start of the last day a time value named, so that a listing, whose
 * entries repeat days, works out each day once. Owned by the caller (a
 * listing parser's long-lived scratch object), never shared by module state.
 */
export interface DayCache {
  /** (year * 16 + month) * 32 + day of the cached day; -1 when none. */
  key: number;
  /** Milliseconds since the epoch at that day's start. */
  ms: number;
}

/**
 * The one reader of `YYYYMMDDHHMMSS[.f…]` (UTC, RFC 3659 §2.3): bytes
 * [from, to) of `b` in milliseconds since the epoch, or NaN when they are
 * not a valid time-val. Listing parsers read MLSD `modify` facts through it
 * from their bytes; `parseTimeValMillis` and `parseMdtm` from a string.
 */
export function timeValMillisAt(b: Uint8Array, from: number, to: number, days?: DayCache): number {
  const len = to - from;
  if (len < 14 || (len > 14 && (b[from + 14] !== 46 /* . */ || len === 15))) return NaN;
  const year = fixedDigits(b, from, 4);
  const month = fixedDigits(b, from + 4, 2);
  const day = fixedDigits(b, from + 6, 2);
  const hour = fixedDigits(b, from + 8, 2);
  const minute = fixedDigits(b, from + 10, 2);
  let second = fixedDigits(b, from + 12, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return NaN;
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60) return NaN;
  let ms = 0;
  if (len > 15) {
    // RFC 3659 allows any number of fraction digits; keep milliseconds.
    let scale = 100;
    for (let i = from + 15; i < to; i++) {
      const c = b[i]! - 48;
      if (c < 0 || c > 9) return NaN;
      if (scale >= 1) ms += c * scale;
      scale /= 10;
    }
  }
  // A leap second (":60", allowed by RFC 3659) is kept inside its minute
  // rather than rolling over into the next day or month.
  if (second === 60) {
    second = 59;
    ms = 999;
  }
  let dayMs: number;
  if (days === undefined) dayMs = utcMillis(year, month, day);
  else {
    const key = (year * 16 + month) * 32 + day;
    if (key !== days.key) {
      days.key = key;
      days.ms = utcMillis(year, month, day);
    }
    dayMs = days.ms;
  }
  return dayMs + ((hour * 60 + minute) * 60 + second) * 1000 + ms;
}

/**
 * Parses `YYYYMMDDHHMMSS[.f…]` (UTC) into milliseconds since the epoch, or
 * NaN when the text is not a valid time-val. Read as UTF-8 bytes: a
 * character outside ASCII can never pass for a digit.
 */
export function parseTimeValMillis(text: string): number {
  const bytes = Buffer.from(text, "utf8");
  return timeValMillisAt(bytes, 0, bytes.length);
}

/** Parses an MDTM reply value or MFMT argument; surrounding spaces are ignored. */
export function parseMdtm(text: string): Date {
  const t = parseTimeValMillis(text.trim());
  if (Number.isNaN(t)) throw new FtpInvalidArgumentError(`Invalid time value ${JSON.stringify(text)}`);
  return new Date(t);
}

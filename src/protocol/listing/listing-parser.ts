/**
 * Whole listings: `parseListing` for a listing already in memory and
 * `ListingParser`, which parses while the listing streams in. Both skip
 * `total N`, "." and "..", and MLSD's cdir/pdir entries. For LIST the
 * format is detected on the first line that any parser accepts and is kept
 * for the rest of the listing.
 *
 * Lines are parsed in place (by offsets into the decoded text) rather than
 * cut out first: with 100,000-entry listings the substrings and the garbage
 * collection they cause cost more than the parsing itself.
 */
import { FtpLineTooLongError } from "../../errors.js";
import type { FileInfo } from "../types.js";
import { detectListingFormat, type ListingFormat } from "./detect.js";
import { parseDosAt } from "./dos.js";
import { isMlsdSelfOrParent, parseMlsdAt } from "./mlsd.js";
import { parseUnixAt } from "./unix.js";

export interface ParseListingOptions {
  /** The clock that decides the year of Unix dates shown as "Jan  1 10:00". Default: now. */
  now?: Date;
  /** Keep each entry's listing line in `FileInfo.raw`. Default true. */
  raw?: boolean;
}

export interface ListingParserOptions extends ParseListingOptions {
  /** "mlsd" for an MLSD reply; "list" for LIST (format detected). */
  format: "mlsd" | "list";
  /** Longest accepted line in bytes, without CRLF. Default 16384. */
  maxLineLength?: number;
  /** Default "utf8". */
  encoding?: "utf8" | "latin1";
}

export const DEFAULT_MAX_LISTING_LINE = 16_384;

/** Turns lines into entries; holds the detected format. Shared by both entry points. */
class LineSink {
  private detected: ListingFormat | undefined;
  constructor(
    format: "mlsd" | "list",
    private readonly nowMs: number,
    private readonly keepRaw: boolean,
  ) {
    if (format === "mlsd") this.detected = "mlsd";
  }

  /** Parses text[start, end) (no line end) and appends the entry, if any, to `out`. */
  line(text: string, start: number, end: number, out: FileInfo[]): void {
    if (end <= start) return;
    let format = this.detected;
    if (format === undefined) {
      format = detectListingFormat(text.slice(start, end));
      if (format === undefined) return; // `total N`, a banner, or garbage before the first entry
      this.detected = format;
    }
    const raw = this.keepRaw ? (start === 0 && end === text.length ? text : text.slice(start, end)) : undefined;
    let info: FileInfo | undefined;
    if (format === "unix") {
      info = parseUnixAt(text, start, end, this.nowMs, raw);
    } else if (format === "mlsd") {
      info = parseMlsdAt(text, start, end, raw);
      if (info !== undefined && isMlsdSelfOrParent(info)) return;
    } else {
      info = parseDosAt(text, start, end, raw);
    }
    if (info === undefined) return;
    const name = info.name;
    if (name === "." || name === "..") return;
    out.push(info);
  }
}

/** Parses a complete listing text (LF or CRLF line ends). */
export function parseListing(text: string, format: "mlsd" | "list" = "list", options: ParseListingOptions = {}): FileInfo[] {
  const sink = new LineSink(format, options.now?.getTime() ?? Date.now(), options.raw ?? true);
  const out: FileInfo[] = [];
  let start = 0;
  const len = text.length;
  while (start < len) {
    let lf = text.indexOf("\n", start);
    if (lf === -1) lf = len;
    let end = lf;
    if (end > start && text.charCodeAt(end - 1) === 13) end--;
    sink.line(text, start, end, out);
    start = lf + 1;
  }
  return out;
}

/**
 * Incremental listing parser over Buffer chunks. Between pushes it keeps
 * only the bytes of an unfinished line (never the whole listing); each push
 * decodes the complete lines of its chunk at once (so a multi-byte
 * character split across chunks is safe) and throws FtpLineTooLongError
 * when a line exceeds `maxLineLength` bytes.
 */
export class ListingParser {
  /** May be changed between pushes (e.g. after OPTS UTF8 ON). */
  encoding: "utf8" | "latin1";
  private readonly maxLineLength: number;
  private readonly options: ListingParserOptions;
  private readonly nowMs: number;
  private sink: LineSink;
  private pending: Buffer | undefined;

  constructor(options: ListingParserOptions) {
    this.options = options;
    this.encoding = options.encoding ?? "utf8";
    this.maxLineLength = options.maxLineLength ?? DEFAULT_MAX_LISTING_LINE;
    this.nowMs = options.now?.getTime() ?? Date.now();
    this.sink = this.newSink();
  }

  push(chunk: Buffer): FileInfo[] {
    const out: FileInfo[] = [];
    let start = 0;
    if (this.pending !== undefined) {
      const lf = chunk.indexOf(10);
      if (lf === -1) {
        this.hold(this.pending, chunk);
        return out;
      }
      // Only the unfinished line is copied, never the rest of the chunk.
      const line = Buffer.concat([this.pending, chunk.subarray(0, lf)]);
      this.pending = undefined;
      this.lines(line, 0, line.length, out);
      start = lf + 1;
    }
    const last = chunk.lastIndexOf(10);
    if (last >= start) {
      this.lines(chunk, start, last, out);
      start = last + 1;
    }
    if (start < chunk.length) this.hold(undefined, chunk.subarray(start));
    return out;
  }

  /** Parses a last line without LF and resets the parser for another listing. */
  end(): FileInfo[] {
    const out: FileInfo[] = [];
    const rest = this.pending;
    this.pending = undefined;
    if (rest !== undefined) this.lines(rest, 0, rest.length, out);
    this.sink = this.newSink();
    return out;
  }

  private newSink(): LineSink {
    return new LineSink(this.options.format, this.nowMs, this.options.raw ?? true);
  }

  private hold(prefix: Buffer | undefined, tail: Buffer): void {
    const size = (prefix?.length ?? 0) + tail.length;
    // +1: a trailing CR may still turn out to be part of the line end.
    if (size > this.maxLineLength + 1) {
      this.pending = undefined;
      throw new FtpLineTooLongError(this.maxLineLength, "listing line");
    }
    // Copy so that the caller's (possibly large) chunk is not retained.
    this.pending = prefix === undefined ? Buffer.from(tail) : Buffer.concat([prefix, tail], size);
  }

  /** Decodes buf[from, to) — whole lines separated by LF — and parses each. */
  private lines(buf: Buffer, from: number, to: number, out: FileInfo[]): void {
    const text = buf.toString(this.encoding, from, to);
    const max = this.maxLineLength;
    // The limit is in bytes. A decoded line has at most as many UTF-16 units
    // as bytes and at most 3 bytes per unit, so only lines in between need
    // their bytes counted; `bytePos` walks the buffer lazily for those.
    const exact = this.encoding === "latin1";
    const mayExceed = to - from > max;
    let bytePos = from;
    let byteLine = 0;
    let lineNo = 0;
    let start = 0;
    const len = text.length;
    while (start <= len) {
      let lf = text.indexOf("\n", start);
      if (lf === -1) lf = len;
      let end = lf;
      if (end > start && text.charCodeAt(end - 1) === 13) end--;
      const units = end - start;
      if (mayExceed && units * (exact ? 1 : 3) > max) {
        if (exact || units > max) throw new FtpLineTooLongError(max, "listing line");
        while (byteLine < lineNo) {
          bytePos = buf.indexOf(10, bytePos) + 1;
          byteLine++;
        }
        let byteEnd = buf.indexOf(10, bytePos);
        if (byteEnd === -1 || byteEnd > to) byteEnd = to;
        if (byteEnd > bytePos && buf[byteEnd - 1] === 13) byteEnd--;
        if (byteEnd - bytePos > max) throw new FtpLineTooLongError(max, "listing line");
      }
      this.sink.line(text, start, end, out);
      start = lf + 1;
      lineNo++;
    }
  }
}

/**
 * Whole listings: `parseListing` for a listing already in memory and
 * `ListingParser`, which parses while the listing streams in. Both skip
 * `total N`, "." and "..", and MLSD's cdir/pdir entries. For LIST the
 * format is detected on the first line that any parser accepts and is kept
 * for the rest of the listing.
 *
 * The MLSD and Unix parsers read bytes and cut only the strings an entry
 * keeps (see ByteText): with 100,000-entry listings, decoding and re-scanning
 * every line as a string cost more than the parsing itself.
 */
import { FtpLineTooLongError } from "../../errors.js";
import type { FileInfo } from "../types.js";
import { detectListingFormat, type ListingFormat } from "./detect.js";
import { parseDosAt } from "./dos.js";
import { lastMlsdWasSelfOrParent, parseMlsdBytes } from "./mlsd.js";
import { type ByteText, isNarrow, LISTING_TEXT } from "./scan.js";
import { parseUnixBytes } from "./unix.js";

export interface ParseListingOptions {
  /** The clock that decides the year of Unix dates shown as "Jan  1 10:00". Default: now. */
  now?: Date;
  /** Keep each entry's listing line in `FileInfo.raw`. Default true. */
  raw?: boolean;
  /**
   * Keep every MLSD fact in `FileInfo.facts`. Default true. Without it an
   * MLSD entry still has every field the facts give (type, size, modifiedAt,
   * permissions, mode, owner, group, unique, target) and parsing is faster.
   */
  facts?: boolean;
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

/** Characters of a listing string handled per window (copied into bytes once). */
const WINDOW = 65_536;

/**
 * Turns lines into entries and detects the format. There is one sink for
 * the whole module, loaded with a listing's state for each synchronous run
 * (`begin`) and read back after it: V8 ties what optimized `line`/`lines`
 * code learned to the receiver it saw, so a sink per listing that had died
 * by the next listing threw that code away, every listing, mid-parse.
 */
class LineSink {
  /** "" until a line shows the format. */
  detected: ListingFormat | "" = "";
  private nowMs = Date.now();
  private keepRaw = true;
  private keepFacts = true;

  begin(detected: ListingFormat | "", nowMs: number, options: ParseListingOptions): void {
    this.detected = detected;
    this.nowMs = nowMs;
    this.keepRaw = options.raw ?? true;
    this.keepFacts = options.facts ?? true;
  }

  /** Parses bytes [start, end) of `text` (no line end) and appends the entry, if any, to `out`. */
  line(text: ByteText, start: number, end: number, out: FileInfo[]): void {
    if (end <= start) return;
    let format = this.detected;
    if (format === "") {
      const found = detectListingFormat(text.cut(start, end, 0xff));
      if (found === undefined) return; // `total N`, a banner, or garbage before the first entry
      this.detected = format = found;
    }
    let info: FileInfo | undefined;
    if (format === "unix") {
      info = parseUnixBytes(text, start, end, this.nowMs, this.keepRaw);
    } else if (format === "mlsd") {
      info = parseMlsdBytes(text, start, end, this.keepRaw, this.keepFacts);
      if (info !== undefined && lastMlsdWasSelfOrParent(text)) return;
    } else {
      // DOS listings are rare and short: parsed from the decoded line.
      const line = text.cut(start, end, 0xff);
      info = parseDosAt(line, 0, line.length, this.keepRaw ? line : undefined, text.scratch);
    }
    if (info === undefined) return;
    const name = info.name;
    if (name === "." || name === "..") return;
    out.push(info);
  }

  /**
   * Parses the LF-separated lines of bytes [from, to) (a CR before an LF is
   * dropped); throws FtpLineTooLongError for a line over `max` bytes.
   */
  lines(text: ByteText, from: number, to: number, max: number, out: FileInfo[]): void {
    const b = text.bytes;
    let start = from;
    while (start <= to) {
      let lf = b.indexOf(10, start);
      if (lf === -1 || lf > to) lf = to;
      let end = lf;
      if (end > start && b[end - 1] === 13) end--;
      if (end - start > max) throw new FtpLineTooLongError(max, "listing line");
      this.line(text, start, end, out);
      start = lf + 1;
    }
  }
}

const SINK = new LineSink();

/** Parses a complete listing text (LF or CRLF line ends). */
export function parseListing(text: string, format: "mlsd" | "list" = "list", options: ParseListingOptions = {}): FileInfo[] {
  const sink = SINK;
  sink.begin(format === "mlsd" ? "mlsd" : "", options.now?.getTime() ?? Date.now(), options);
  const out: FileInfo[] = [];
  const src = LISTING_TEXT;
  try {
    parseText(text, sink, src, out);
  } finally {
    src.release();
  }
  return out;
}

function parseText(text: string, sink: LineSink, src: ByteText, out: FileInfo[]): void {
  const len = text.length;
  if (!isNarrow(text)) {
    // Characters above U+00FF: line by line through UTF-8 (rare, slower).
    let start = 0;
    while (start < len) {
      let lf = text.indexOf("\n", start);
      if (lf === -1) lf = len;
      src.setWideLine(text.slice(start, lf));
      sink.lines(src, 0, src.bytes.length, Infinity, out);
      start = lf + 1;
    }
    return;
  }
  // Every character fits a byte: copy windows of whole lines into one
  // buffer as Latin-1, so that byte i is character i (+ window start).
  let bytes = Buffer.allocUnsafe(Math.min(len, WINDOW));
  let start = 0;
  while (start < len) {
    let stop = Math.min(start + WINDOW, len);
    if (stop < len) {
      const lf = text.lastIndexOf("\n", stop - 1);
      if (lf >= start) stop = lf + 1;
      else {
        const next = text.indexOf("\n", stop);
        stop = next === -1 ? len : next + 1;
      }
    }
    if (stop - start > bytes.length) bytes = Buffer.allocUnsafe(stop - start);
    const n = bytes.write(text.slice(start, stop), 0, "latin1");
    src.setLatin1(bytes, text, -start);
    // A window ends after an LF or at the end of the text: no line is cut in two.
    sink.lines(src, 0, text.charCodeAt(stop - 1) === 10 ? n - 1 : n, Infinity, out);
    start = stop;
  }
}

/**
 * Incremental listing parser over Buffer chunks. Between pushes it keeps
 * only the bytes of an unfinished line (never the whole listing); strings
 * are cut from complete lines only (so a multi-byte character split across
 * chunks is safe) and it throws FtpLineTooLongError when a line exceeds
 * `maxLineLength` bytes.
 */
export class ListingParser {
  /** May be changed between pushes (e.g. after OPTS UTF8 ON). */
  encoding: "utf8" | "latin1";
  private readonly maxLineLength: number;
  private readonly options: ListingParserOptions;
  private readonly nowMs: number;
  /** The format seen so far ("" until detected), kept between pushes. */
  private detected: ListingFormat | "";
  private pending: Buffer | undefined;

  constructor(options: ListingParserOptions) {
    this.options = options;
    this.encoding = options.encoding ?? "utf8";
    this.maxLineLength = options.maxLineLength ?? DEFAULT_MAX_LISTING_LINE;
    this.nowMs = options.now?.getTime() ?? Date.now();
    this.detected = this.initialFormat();
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
    this.detected = this.initialFormat();
    return out;
  }

  private initialFormat(): ListingFormat | "" {
    return this.options.format === "mlsd" ? "mlsd" : "";
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

  /** Parses buf[from, to): whole lines separated by LF. */
  private lines(buf: Buffer, from: number, to: number, out: FileInfo[]): void {
    const text = LISTING_TEXT;
    const sink = SINK;
    text.setBuffer(buf, from, to, this.encoding);
    sink.begin(this.detected, this.nowMs, this.options);
    try {
      sink.lines(text, from, to, this.maxLineLength, out);
    } finally {
      this.detected = sink.detected;
      text.release();
    }
  }
}

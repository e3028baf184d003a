/**
 * What the listing parsers share: they read bytes (a Uint8Array is read
 * about twice as fast as a string with charCodeAt) and cut only the strings
 * an entry keeps — name, raw line, owner, fact values — through a
 * `ByteText`, which knows how the bytes relate to text.
 */
import type { DayCache } from "../time.js";

/** Decimal value of b[from, to) when it is 1-`max` ASCII digits, else -1. */
export function intAt(b: Uint8Array, from: number, to: number, max: number): number {
  if (to <= from || to - from > max) return -1;
  let v = 0;
  for (let i = from; i < to; i++) {
    const c = b[i]! - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** True when b[from, to) is one or more ASCII digits. */
export function isDigitsAt(b: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = b[i]!;
    if (c < 48 || c > 57) return false;
  }
  return to > from;
}

/** Value of an all-digit run; arithmetic up to 15 digits (exact in a double). */
export function digitsValue(b: Uint8Array, from: number, to: number): number {
  if (to - from > 15) return Number(Buffer.from(b.buffer, b.byteOffset + from, to - from).toString("latin1"));
  let v = 0;
  for (let i = from; i < to; i++) v = v * 10 + (b[i]! - 48);
  return v;
}

/** Index of the first `byte` in b[from, to), or -1. */
export function byteIndex(b: Uint8Array, byte: number, from: number, to: number): number {
  for (let i = from; i < to; i++) if (b[i] === byte) return i;
  return -1;
}

/** Bytes are the Latin-1 image of `text`: byte i is text char i - delta. */
const EXACT = 0;
/** `text` is the Latin-1 image of UTF-8 bytes: right only where the bytes are ASCII. */
const UTF8 = 1;
/** The bytes are the UTF-8 of `text` (one line holding characters above U+00FF). */
const WIDE = 2;

/** Characters above U+00FF: such a string has no Latin-1 image. */
const WIDE_CHAR = /[^\0-\xff]/;

/** True when every character of `text` is at most U+00FF (V8 answers at once for one-byte strings). */
export function isNarrow(text: string): boolean {
  return !WIDE_CHAR.test(text);
}

/** UTF-16 units encoded by the UTF-8 bytes b[0, to): lead bytes count 1, 4-byte leads 2. */
function unitsBefore(b: Uint8Array, to: number): number {
  let units = 0;
  for (let i = 0; i < to; i++) {
    const c = b[i]!;
    if ((c & 0xc0) !== 0x80) units += c >= 0xf0 ? 2 : 1;
  }
  return units;
}

/**
 * What the listing parsers pass between their helpers and remember within
 * a listing: one per ByteText (so per long-lived parse context, see below),
 * never module variables. Parsing is synchronous; a parse that runs inside
 * another (format detection on one line mid-listing) has its own ByteText,
 * hence its own scratch.
 */
export class ParseScratch {
  /** MLSD: a symlink's target named by its `type` fact (`OS.unix=slink:target`). */
  typeTarget: string | undefined = undefined;
  /** MLSD: the line last parsed was a `cdir`/`pdir` entry. */
  selfOrParent = false;
  /** MLSD: the facts layout whose hidden class was anchored last (see mlsd.ts anchorFacts). */
  anchoredSig = -1;
  /** MLSD `modify`: the last day read and its start. */
  readonly day: DayCache = { key: -1, ms: 0 };
  /** Unix: start and end offsets of the tokens before the date (no per-line arrays). */
  readonly tokStart = new Int32Array(MAX_TOKENS);
  readonly tokEnd = new Int32Array(MAX_TOKENS);
  /** Unix: the year of `nowMs` (the same for a whole listing). */
  nowMs = Number.NaN;
  nowYear = 1970;
  /** Unix: the start of each recent "Mon DD" day for the clock `dayCacheNowMs`. */
  dayCacheNowMs = Number.NaN;
  readonly dayCache = new Float64Array(13 * 32);
  /** DOS: the index after the digits the number reader last read. */
  numEnd = 0;
}

/** Tokens a Unix line may have before its date. */
export const MAX_TOKENS = 16;

const INTERN_SLOTS = 64;
const EMPTY = Buffer.alloc(0);

/**
 * The bytes a parser reads and where strings cut from them come from.
 * Cutting a slice of an already decoded text costs a fraction of a decode
 * call, so the common case (ASCII, or Latin-1 throughout) never decodes a
 * piece on its own. Callers pass `hi`, the OR of the bytes in the piece (or
 * of more bytes around it: an over-estimate is only slower, never wrong).
 */
export class ByteText {
  bytes: Uint8Array = EMPTY;
  /** The parsers' state for this text (see ParseScratch). */
  readonly scratch = new ParseScratch();
  private buf: Buffer = EMPTY;
  private text = "";
  private delta = 0;
  private kind = EXACT;
  private encoding: BufferEncoding = "utf8";
  /** Owner, group, type, perm values repeat on nearly every line: hand out the same string. */
  private readonly interned: string[] = new Array<string>(INTERN_SLOTS).fill("");

  /** buf[from, to) decoded with `encoding`. */
  setBuffer(buf: Buffer, from: number, to: number, encoding: "utf8" | "latin1"): void {
    this.bytes = buf;
    this.buf = buf;
    this.text = buf.toString("latin1", from, to);
    this.delta = from;
    this.kind = encoding === "latin1" ? EXACT : UTF8;
    this.encoding = encoding;
  }

  /** `bytes` hold the Latin-1 image of text[-delta, ...). */
  setLatin1(bytes: Buffer, text: string, delta: number): void {
    this.bytes = bytes;
    this.buf = bytes;
    this.text = text;
    this.delta = delta;
    this.kind = EXACT;
  }

  /** One line with characters above U+00FF: its UTF-8 bytes, cut back from the line itself. */
  setWideLine(line: string): void {
    const bytes = Buffer.from(line, "utf8");
    this.bytes = bytes;
    this.buf = bytes;
    this.text = line;
    this.delta = 0;
    this.kind = WIDE;
  }

  /** False when every byte is a character of the text (Latin-1): `hi` is then never looked at. */
  get needsHi(): boolean {
    return this.kind !== EXACT;
  }

  /** Drops the bytes and text, so that a finished chunk or listing is not kept alive. */
  release(): void {
    this.bytes = EMPTY;
    this.buf = EMPTY;
    this.text = "";
  }

  /** The text of bytes [from, to); `hi` is (at least) the OR of those bytes. */
  cut(from: number, to: number, hi: number): string {
    if (this.kind === EXACT || (hi < 0x80 && this.kind === UTF8)) return this.text.slice(from - this.delta, to - this.delta);
    if (this.kind === UTF8) return this.buf.toString(this.encoding, from, to);
    return this.text.slice(unitsBefore(this.bytes, from), unitsBefore(this.bytes, to));
  }

  /** Like `cut`, but a value seen recently is handed out again instead of a new string. */
  intern(from: number, to: number, hi: number): string {
    if (hi >= 0x80 && this.kind !== EXACT) return this.cut(from, to, hi);
    const b = this.bytes;
    const len = to - from;
    if (len === 0) return "";
    const slot = (len * 7 + b[from]! * 3 + b[to - 1]!) & (INTERN_SLOTS - 1);
    const s = this.interned[slot]!;
    if (s.length === len) {
      let i = 0;
      while (i < len && s.charCodeAt(i) === b[from + i]) i++;
      if (i === len) return s;
    }
    const fresh = this.cut(from, to, hi);
    this.interned[slot] = fresh;
    return fresh;
  }
}

/**
 * The ByteText of listings and the one of single lines (format detection
 * parses single lines while a listing is being parsed). Parsing is
 * synchronous, so one instance each serves every parser. Long-lived
 * instances matter to V8: optimized parser code holds what it learned about
 * the instance weakly, and a fresh instance per listing that died by the
 * next listing sent every parser back to the interpreter.
 */
export const LISTING_TEXT = new ByteText();
const LINE_TEXT = new ByteText();

/** The scratch of the single-line parsers that read strings (DOS). */
export const LINE_SCRATCH = LINE_TEXT.scratch;

/** LINE_TEXT over one string line (the single-line parsers' entry point). */
export function lineText(line: string): ByteText {
  if (isNarrow(line)) LINE_TEXT.setLatin1(Buffer.from(line, "latin1"), line, 0);
  else LINE_TEXT.setWideLine(line);
  return LINE_TEXT;
}

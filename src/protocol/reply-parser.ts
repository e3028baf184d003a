/**
 * Incremental, bounded parser for FTP replies (client side, RFC 959 §4.2).
 *
 * Fed arbitrary Buffer chunks, it finds line ends in bytes, decodes only
 * whole lines and yields complete replies. It never holds more than
 * `maxLineLength` bytes of an unfinished line: the tail of a chunk is copied
 * into one owned buffer (so a small view never pins a large socket chunk),
 * and bytes already scanned are never scanned again.
 */
import { FtpLineTooLongError, FtpProtocolError } from "../errors.js";
import { LineBuffer } from "./line-buffer.js";
import { lineEncoding, positiveInteger } from "./option-checks.js";
import type { Reply } from "./types.js";

export interface ReplyParserOptions {
  /** Bytes in one line, line ending (CRLF or LF) excluded. Default 8192. */
  maxLineLength?: number;
  /** Lines in one multi-line reply, first and last included. Default 10000. */
  maxReplyLines?: number;
  /** Bytes in one reply, line endings included. Default 1 MiB. */
  maxReplyBytes?: number;
  /** How lines are decoded; may be switched later (OPTS UTF8 ON). Default "utf8". */
  encoding?: "utf8" | "latin1";
}

const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const HYPHEN = 0x2d;

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

export class ReplyParser {
  /** Decoding of the following lines; switch to "utf8" after OPTS UTF8 ON. */
  encoding: "utf8" | "latin1";
  readonly maxLineLength: number;
  readonly maxReplyLines: number;
  readonly maxReplyBytes: number;

  /** The unfinished line (bounded by maxLineLength). */
  private readonly pending: LineBuffer;

  /** Code of the multi-line reply being read, or 0 outside one. */
  private openCode = 0;
  private openLines: string[] = [];
  private openBytes = 0;

  constructor(options: ReplyParserOptions = {}) {
    this.maxLineLength = positiveInteger("maxLineLength", options.maxLineLength, 8192);
    this.maxReplyLines = positiveInteger("maxReplyLines", options.maxReplyLines, 10000);
    this.maxReplyBytes = positiveInteger("maxReplyBytes", options.maxReplyBytes, 1024 * 1024);
    this.encoding = lineEncoding(options.encoding);
    this.pending = new LineBuffer(this.maxLineLength);
  }

  /** True while a multi-line reply has been opened but not closed. */
  get inReply(): boolean {
    return this.openCode !== 0;
  }

  /** Bytes of an unfinished line held between pushes (never above maxLineLength). */
  get bufferedBytes(): number {
    return this.pending.length;
  }

  /** Bytes of the multi-line reply read so far (never above maxReplyBytes). */
  get replyBytes(): number {
    return this.openBytes;
  }

  /** Forget everything buffered, e.g. after an error or a TLS upgrade. */
  reset(): void {
    this.pending.clear();
    this.openCode = 0;
    this.openLines = [];
    this.openBytes = 0;
  }

  /**
   * Feed bytes; returns the replies completed by them, in order. Throws
   * FtpLineTooLongError or FtpProtocolError; the parser is reset then, and
   * replies completed earlier in the same chunk are lost with it (the
   * connection is not usable after such an error anyway).
   */
  push(chunk: Buffer): Reply[] {
    const out: Reply[] = [];
    try {
      this.pushInto(chunk, out);
    } catch (err) {
      this.reset();
      throw err;
    }
    return out;
  }

  private pushInto(chunk: Buffer, out: Reply[]): void {
    let start = 0;
    const length = chunk.length;
    while (start < length) {
      const lf = chunk.indexOf(LF, start);
      if (lf === -1) {
        if (!this.pending.append(chunk, start, length)) throw new FtpLineTooLongError(this.maxLineLength);
        return;
      }
      let line: string;
      // Raw size (line ending included) of the line, counted against maxReplyBytes.
      let rawBytes: number;
      const pending = this.pending;
      if (pending.empty) {
        // Fast path: the whole line is inside this chunk, decode it in place.
        let end = lf;
        if (end > start && chunk[end - 1] === CR) end--;
        if (end - start > this.maxLineLength) throw new FtpLineTooLongError(this.maxLineLength);
        line = chunk.toString(this.encoding, start, end);
        rawBytes = lf + 1 - start;
      } else {
        if (!pending.append(chunk, start, lf)) throw new FtpLineTooLongError(this.maxLineLength);
        rawBytes = pending.rawLength + 1;
        line = pending.text(this.encoding);
        pending.clear();
      }
      const reply = this.line(line, rawBytes);
      if (reply !== undefined) out.push(reply);
      start = lf + 1;
    }
  }

  /** Handle one decoded line (ending removed); returns a reply when one completes. */
  private line(text: string, rawBytes: number): Reply | undefined {
    if (this.openCode !== 0) {
      const bytes = this.openBytes + rawBytes;
      if (bytes > this.maxReplyBytes) throw new FtpLineTooLongError(this.maxReplyBytes, "reply");
      const last = isTerminator(text, this.openCode);
      // A body line still needs a last line after it: fail as soon as that cannot fit.
      if (this.openLines.length + (last ? 1 : 2) > this.maxReplyLines) throw tooManyLines(this.maxReplyLines);
      this.openBytes = bytes;
      if (last) {
        const lines = this.openLines;
        lines.push(text.slice(4));
        const code = this.openCode;
        this.openCode = 0;
        this.openLines = [];
        this.openBytes = 0;
        return { code, lines, message: lines.join("\n") };
      }
      this.openLines.push(text);
      return undefined;
    }

    // Some servers send a blank line between replies (basic-ftp skips them
    // too); it carries nothing, so it is not worth failing the connection.
    if (text.length === 0) return undefined;
    const code = replyStartCode(text);
    if (code === 0) {
      throw new FtpProtocolError(`Invalid reply line: ${JSON.stringify(text.slice(0, 80))}`);
    }
    if (rawBytes > this.maxReplyBytes) throw new FtpLineTooLongError(this.maxReplyBytes, "reply");
    const rest = text.length > 4 ? text.slice(4) : "";
    if (text.charCodeAt(3) === HYPHEN) {
      if (this.maxReplyLines < 2) throw tooManyLines(this.maxReplyLines);
      this.openCode = code;
      this.openLines = [rest];
      this.openBytes = rawBytes;
      return undefined;
    }
    return { code, lines: [rest], message: rest };
  }
}

/** FtpLineTooLongError's own message speaks of bytes; this limit counts lines. */
function tooManyLines(limit: number): FtpLineTooLongError {
  const err = new FtpLineTooLongError(limit, "reply");
  err.message = `reply exceeds the limit of ${limit} lines`;
  return err;
}

/**
 * The code of a line that starts a reply: three digits (first 1–6) followed
 * by a space, a hyphen or nothing. 0 when the line is not a reply start.
 */
function replyStartCode(text: string): number {
  if (text.length < 3) return 0;
  const a = text.charCodeAt(0);
  const b = text.charCodeAt(1);
  const c = text.charCodeAt(2);
  if (a < 0x31 || a > 0x36 || !isDigit(b) || !isDigit(c)) return 0;
  if (text.length > 3) {
    const sep = text.charCodeAt(3);
    if (sep !== SPACE && sep !== HYPHEN) return 0;
  }
  return (a - 0x30) * 100 + (b - 0x30) * 10 + (c - 0x30);
}

/** RFC 959: the last line of a multi-line reply is the same code followed by a space. */
function isTerminator(text: string, code: number): boolean {
  if (text.length < 4 || text.charCodeAt(3) !== SPACE) return false;
  return (
    text.charCodeAt(0) - 0x30 === Math.floor(code / 100) &&
    text.charCodeAt(1) - 0x30 === Math.floor(code / 10) % 10 &&
    text.charCodeAt(2) - 0x30 === code % 10
  );
}

/**
 * The unfinished line of an incremental line parser (replies, commands):
 * an owned copy that never grows past its limit, so a small view never
 * pins a large socket chunk and a peer can never make us buffer more than
 * `max` bytes. Parsers decode whole lines in place from a chunk when they
 * can and come here only for a line split across chunks.
 */
const CR = 0x0d;

/**
 * Shared by every buffer until its first partial line: a server holds one
 * parser per session, and most of them never buffer anything (each command
 * arrives whole in one chunk). Never written to: `append` grows first.
 */
const EMPTY = Buffer.alloc(0);

export class LineBuffer {
  /** Longest line in bytes, line ending excluded. */
  readonly max: number;
  private bytes: Buffer = EMPTY;
  /** Bytes held (never above `max`). */
  length = 0;
  /**
   * A CR that arrived as byte `max` + 1. It is not stored (the buffer never
   * exceeds the limit) but remembered: if LF follows, it was the line ending
   * and the line is exactly at the limit.
   */
  heldCR = false;

  constructor(max: number) {
    this.max = max;
  }

  /** True while nothing is held: the next line may be read in place from its chunk. */
  get empty(): boolean {
    return this.length === 0 && !this.heldCR;
  }

  /** Copies chunk[from, to) to the end of the line; false when the line would pass `max` (nothing is copied then). */
  append(chunk: Buffer, from: number, to: number): boolean {
    const n = to - from;
    if (n === 0) return true;
    // A held CR followed by more bytes means the line is longer than the limit.
    if (this.heldCR) return false;
    const max = this.max;
    let copyTo = to;
    const total = this.length + n;
    if (total > max) {
      if (total !== max + 1 || chunk[to - 1] !== CR) return false;
      this.heldCR = true;
      copyTo = to - 1;
    }
    const needed = this.length + (copyTo - from);
    if (needed > this.bytes.length) {
      const grown = Buffer.allocUnsafe(Math.min(max, Math.max(needed, this.bytes.length * 2, 256)));
      this.bytes.copy(grown, 0, 0, this.length);
      this.bytes = grown;
    }
    chunk.copy(this.bytes, this.length, from, copyTo);
    this.length = needed;
    return true;
  }

  /** The line held so far decoded, a trailing CR (the CR of CRLF) left out. */
  text(encoding: "utf8" | "latin1"): string {
    let end = this.length;
    if (!this.heldCR && end > 0 && this.bytes[end - 1] === CR) end--;
    return this.bytes.toString(encoding, 0, end);
  }

  /** Bytes the line took on the wire so far, a held CR included. */
  get rawLength(): number {
    return this.heldCR ? this.length + 1 : this.length;
  }

  /** Forgets the line (the buffer is kept for the next). */
  clear(): void {
    this.length = 0;
    this.heldCR = false;
  }
}

/**
 * Incremental, bounded parser for command lines (server side, RFC 959 §4.1).
 *
 * Fed arbitrary Buffer chunks, it finds LF in bytes, strips Telnet
 * sequences (RFC 854) that clients may send on the control connection —
 * notably IAC IP / IAC DM before an urgent ABOR — and yields one
 * `CommandLine` per non-empty line. A line past `maxLineLength` yields
 * `{ kind: "too-long" }` once, and its remaining bytes up to the next LF are
 * skipped without being stored, so a client can never make the server
 * buffer more than the limit.
 *
 * Rules that keep the result independent of how bytes are chunked:
 * - LF always ends a line, even in the middle of a Telnet sequence; the
 *   Telnet state starts fresh on every line.
 * - The limit counts the line's bytes after Telnet stripping, line ending
 *   (LF or CRLF) excluded.
 */
import { LineBuffer } from "./line-buffer.js";
import { lineEncoding, positiveInteger } from "./option-checks.js";
import type { CommandLine } from "./types.js";

export interface CommandParserOptions {
  /** Bytes in one line after Telnet stripping, line ending excluded. Default 4096. */
  maxLineLength?: number;
  /** How lines are decoded; switched by OPTS UTF8. Default "utf8". */
  encoding?: "utf8" | "latin1";
}

const LF = 0x0a;
const CR = 0x0d;
/** Telnet "interpret as command". */
const IAC = 0xff;
/** Interrupt Process and Data Mark: what a client sends before an urgent ABOR. */
const IP = 0xf4;
const DM = 0xf2;
/** Telnet commands start at SE (0xF0); WILL/WONT/DO/DONT (0xFB–0xFE) take an option byte. */
const FIRST_COMMAND = 0xf0;
const FIRST_NEGOTIATION = 0xfb;

/** Where the Telnet decoder stands between two bytes (and two chunks). */
const TEXT = 0;
const AFTER_IAC = 1;
const OPTION = 2;

export class CommandParser {
  /** Decoding of the following lines; switch with OPTS UTF8 ON/OFF. */
  encoding: "utf8" | "latin1";
  readonly maxLineLength: number;

  /** The unfinished line, Telnet already stripped (bounded by maxLineLength). */
  private readonly pending: LineBuffer;
  private telnet = TEXT;
  private urgent = false;
  /** Skipping the rest of a too-long line up to its LF. */
  private discarding = false;

  constructor(options: CommandParserOptions = {}) {
    this.maxLineLength = positiveInteger("maxLineLength", options.maxLineLength, 4096);
    this.encoding = lineEncoding(options.encoding);
    this.pending = new LineBuffer(this.maxLineLength);
  }

  /** Bytes of an unfinished line held between pushes (never above maxLineLength). */
  get bufferedBytes(): number {
    return this.pending.length;
  }

  /** Forget everything buffered (e.g. around a TLS upgrade). */
  reset(): void {
    this.pending.clear();
    this.telnet = TEXT;
    this.urgent = false;
    this.discarding = false;
  }

  /** Feed bytes; returns the lines they complete, in order. Never throws for any input. */
  push(chunk: Buffer): CommandLine[] {
    const out: CommandLine[] = [];
    const length = chunk.length;
    const max = this.maxLineLength;
    let pos = 0;
    // Next IAC at or after pos; -1 when none is left. Computed lazily and
    // reused so a chunk is scanned for IAC once, not once per line.
    let iacAt = -2;

    while (pos < length) {
      const lf = chunk.indexOf(LF, pos);
      if (this.discarding) {
        if (lf === -1) return out;
        this.endLine();
        pos = lf + 1;
        continue;
      }
      const end = lf === -1 ? length : lf;

      if (iacAt !== -1 && iacAt < pos) iacAt = chunk.indexOf(IAC, pos);
      const pending = this.pending;
      if (lf !== -1 && pending.empty && this.telnet === TEXT && (iacAt === -1 || iacAt > lf)) {
        // Fast path: a whole line without Telnet bytes inside this chunk.
        let stop = lf;
        if (stop > pos && chunk[stop - 1] === CR) stop--;
        if (stop - pos > max) out.push({ kind: "too-long", limit: max });
        else if (stop > pos) out.push(this.command(chunk.toString(this.encoding, pos, stop)));
        this.endLine();
        pos = lf + 1;
        continue;
      }

      // Slow path: strip Telnet sequences from [pos, end) into the pending line.
      let p = pos;
      let fits = true;
      while (p < end && fits) {
        if (this.telnet === AFTER_IAC) {
          const b = chunk[p] as number;
          this.telnet = TEXT;
          if (b === IAC) fits = pending.append(chunk, p, p + 1); // IAC IAC: a literal 0xFF
          else if (b >= FIRST_NEGOTIATION) this.telnet = OPTION;
          else if (b === IP || b === DM) this.urgent = true;
          // Not a Telnet command (e.g. DM removed by the kernel as urgent
          // data): drop the lone IAC, keep the byte.
          else if (b < FIRST_COMMAND) fits = pending.append(chunk, p, p + 1);
          p++;
          continue;
        }
        if (this.telnet === OPTION) {
          this.telnet = TEXT;
          p++;
          continue;
        }
        if (iacAt !== -1 && iacAt < p) iacAt = chunk.indexOf(IAC, p);
        const stop = iacAt === -1 || iacAt >= end ? end : iacAt;
        fits = pending.append(chunk, p, stop);
        if (stop === end) break;
        this.telnet = AFTER_IAC;
        p = stop + 1;
      }

      if (!fits) {
        out.push({ kind: "too-long", limit: max });
        this.endLine();
        if (lf === -1) {
          this.discarding = true;
          return out;
        }
        pos = lf + 1;
        continue;
      }
      if (lf === -1) return out;

      const text = pending.text(this.encoding);
      if (text.length > 0) out.push(this.command(text));
      this.endLine();
      pos = lf + 1;
    }
    return out;
  }

  /** State for the next line: nothing pending, Telnet decoder fresh. */
  private endLine(): void {
    this.pending.clear();
    this.telnet = TEXT;
    this.urgent = false;
    this.discarding = false;
  }

  private command(line: string): CommandLine {
    const space = line.indexOf(" ");
    const verb = (space === -1 ? line : line.slice(0, space)).toUpperCase();
    const arg = space === -1 ? "" : line.slice(space + 1);
    return { kind: "command", command: { verb, arg, urgent: this.urgent } };
  }
}

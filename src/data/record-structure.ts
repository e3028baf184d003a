/**
 * STRU R in stream mode (RFC 959 §3.4.1): records travel as bytes with
 * two-byte control codes. The escape byte is 0xFF; 0xFF 0x01 ends a record,
 * 0xFF 0x02 ends the file, 0xFF 0x03 does both, and a data byte 0xFF is sent
 * doubled (0xFF 0xFF).
 *
 * Locally a record is one line of a text file (LF-terminated), which is how
 * ftp(1) implementations store record files. Both transforms hold at most
 * one pending byte across chunk boundaries.
 */
import { Transform, type TransformCallback } from "node:stream";
import { FtpProtocolError } from "../errors.js";

const ESCAPE = 0xff;
const EOR = 0x01;
const EOF = 0x02;
const EOR_EOF = 0x03;
const LF = 0x0a;

/**
 * Lines of a local text file → record-structured stream-mode bytes. Each LF
 * ends a record; a last line without LF is a record too. The file ends with
 * 0xFF 0x02.
 */
export function createLinesToRecords(): Transform {
  /** True when bytes of a record were sent that no EOR has closed yet. */
  let openRecord = false;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      let start = 0;
      for (let at = 0; at < chunk.length; at++) {
        const byte = chunk[at]!;
        if (byte === LF) {
          if (at > start) this.push(chunk.subarray(start, at));
          this.push(Buffer.of(ESCAPE, EOR));
          start = at + 1;
          openRecord = false;
        } else if (byte === ESCAPE) {
          // Push up to and including this 0xFF, then start the next run at it again: the byte goes out twice.
          this.push(chunk.subarray(start, at + 1));
          start = at;
          openRecord = true;
        } else openRecord = true;
      }
      if (start < chunk.length) this.push(chunk.subarray(start));
      callback();
    },
    flush(callback: TransformCallback) {
      this.push(Buffer.of(ESCAPE, openRecord ? EOR_EOF : EOF));
      callback();
    },
  });
}

/**
 * Record-structured stream-mode bytes → lines (each record ends with LF).
 * Ends at the EOF code; bytes after it and unknown escape codes are
 * protocol errors. A connection closed without the EOF code ends the file
 * there (RFC 959: closing the connection is EOF in stream mode); a record
 * left open by that is kept as a last line without LF, so no byte is lost.
 */
export function createRecordsToLines(): Transform {
  let heldEscape = false;
  let sawEof = false;
  const fail = (message: string) => new FtpProtocolError(`STRU R: ${message}`);
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      let start = 0;
      let at = 0;
      if (chunk.length === 0) return callback();
      if (heldEscape) {
        heldEscape = false;
        const code = chunk[0]!;
        at = 1;
        start = 1;
        const outcome = control(this, code);
        if (outcome) return callback(fail(outcome));
      }
      for (; at < chunk.length; at++) {
        if (sawEof) return callback(fail(`${chunk.length - at} byte(s) after the EOF code`));
        if (chunk[at] !== ESCAPE) continue;
        if (at > start) this.push(chunk.subarray(start, at));
        if (at + 1 === chunk.length) {
          heldEscape = true;
          start = chunk.length;
          break;
        }
        const outcome = control(this, chunk[at + 1]!);
        if (outcome) return callback(fail(outcome));
        at += 1;
        start = at + 1;
      }
      if (sawEof && start < chunk.length) return callback(fail(`${chunk.length - start} byte(s) after the EOF code`));
      if (start < chunk.length) this.push(chunk.subarray(start));
      callback();
    },
    flush(callback: TransformCallback) {
      if (heldEscape) return callback(fail("the data ended inside an escape sequence"));
      callback();
    },
  });

  /** Applies one control code; returns an error message for a bad one. */
  function control(stream: Transform, code: number): string | undefined {
    switch (code) {
      case ESCAPE:
        stream.push(Buffer.of(ESCAPE));
        return undefined;
      case EOR:
        stream.push(Buffer.of(LF));
        return undefined;
      case EOF:
        sawEof = true;
        return undefined;
      case EOR_EOF:
        stream.push(Buffer.of(LF));
        sawEof = true;
        return undefined;
      default:
        return `unknown control code 0xFF 0x${code.toString(16).padStart(2, "0")}`;
    }
  }
}

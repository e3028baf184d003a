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
import { RECORD_END, isDataValue, type DataUnit } from "./data-units.js";

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
      if (chunk.length === 0) return callback();
      // One output buffer per chunk: a text file has a record every few dozen
      // bytes, and a push per record made the next stage (zlib, a socket)
      // pay a call per record.
      let extra = 0;
      for (let at = chunk.indexOf(LF); at !== -1; at = chunk.indexOf(LF, at + 1)) extra++;
      for (let at = chunk.indexOf(ESCAPE); at !== -1; at = chunk.indexOf(ESCAPE, at + 1)) extra++;
      if (extra === 0) {
        openRecord = true;
        return callback(null, chunk);
      }
      const out = Buffer.allocUnsafe(chunk.length + extra);
      let to = 0;
      for (let at = 0; at < chunk.length; at++) {
        const byte = chunk[at]!;
        if (byte === LF) {
          out[to++] = ESCAPE;
          out[to++] = EOR;
        } else {
          out[to++] = byte;
          if (byte === ESCAPE) out[to++] = ESCAPE;
        }
      }
      openRecord = chunk[chunk.length - 1] !== LF;
      callback(null, out);
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
      if (chunk.length === 0) return callback();
      if (sawEof) return callback(fail(`${chunk.length} byte(s) after the EOF code`));
      if (!heldEscape && chunk.indexOf(ESCAPE) === -1) return callback(null, chunk);
      // One output buffer per chunk (never longer than the chunk: every code is two bytes, at most one out).
      const out = Buffer.allocUnsafe(chunk.length);
      let to = 0;
      let at = 0;
      if (heldEscape) {
        heldEscape = false;
        const outcome = control(chunk[0]!);
        if (typeof outcome === "string") return callback(fail(outcome));
        if (outcome >= 0) out[to++] = outcome;
        at = 1;
      }
      for (; at < chunk.length; at++) {
        if (sawEof) return callback(fail(`${chunk.length - at} byte(s) after the EOF code`));
        const byte = chunk[at]!;
        if (byte !== ESCAPE) {
          out[to++] = byte;
          continue;
        }
        if (at + 1 === chunk.length) {
          heldEscape = true;
          break;
        }
        const outcome = control(chunk[++at]!);
        if (typeof outcome === "string") return callback(fail(outcome));
        if (outcome >= 0) out[to++] = outcome;
      }
      callback(null, to > 0 ? out.subarray(0, to) : undefined);
    },
    flush(callback: TransformCallback) {
      if (heldEscape) return callback(fail("the data ended inside an escape sequence"));
      callback();
    },
  });

  /** Applies one control code: the byte it stands for, -1 for none, or an error message. */
  function control(code: number): number | string {
    switch (code) {
      case ESCAPE:
        return ESCAPE;
      case EOR:
        return LF;
      case EOF:
        sawEof = true;
        return -1;
      case EOR_EOF:
        sawEof = true;
        return LF;
      default:
        return `unknown control code 0xFF 0x${code.toString(16).padStart(2, "0")}`;
    }
  }
}

/**
 * STRU R in MODE B or C, where a record end is a descriptor of the mode
 * rather than an escape in the bytes: lines of a local text file → units
 * (Buffers and RECORD_END) for a block or compressed encoder. A last line
 * without LF is sent without a record end, so it comes back without LF.
 */
export function createLinesToRecordUnits(): Transform {
  return new Transform({
    readableObjectMode: true,
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      let start = 0;
      for (let at = chunk.indexOf(LF); at !== -1; at = chunk.indexOf(LF, start)) {
        if (at > start) this.push(chunk.subarray(start, at));
        this.push(RECORD_END);
        start = at + 1;
      }
      if (start < chunk.length) this.push(chunk.subarray(start));
      callback();
    },
  });
}

/** Units from a block or compressed decoder (`output: "units"`) → lines: each record end becomes LF; markers are dropped. */
export function createRecordUnitsToLines(): Transform {
  return new Transform({
    writableObjectMode: true,
    transform(unit: DataUnit, _encoding, callback: TransformCallback) {
      if (!isDataValue(unit)) this.push(unit);
      else if (unit.kind === "record-end") this.push(Buffer.of(LF));
      callback();
    },
  });
}

/**
 * MODE C, compressed mode (RFC 959 §3.4.3). The stream is a sequence of
 * one-byte headers:
 *   0nnnnnnn  n (1..127) bytes of data follow as they are;
 *   10nnnnnn  the next byte stands for n (1..63) copies of itself;
 *   11nnnnnn  n (1..63) filler bytes (space for TYPE A/E, NUL for I/L);
 *   00000000 d  an escape: d carries block-mode descriptor bits (EOR, EOF,
 *               restart marker). A restart marker's text is the one
 *               literal run right after its escape, so it is at most 127
 *               bytes and never runs into the data that follows.
 *
 * The encoder compresses each written chunk on its own (a run cut by a chunk
 * boundary costs one more header, never correctness) and pushes views of
 * the caller's bytes for literal runs. The decoder keeps at most a pending
 * header and a partial restart marker.
 */
import { Transform, type TransformCallback } from "node:stream";
import { FtpInvalidArgumentError, FtpProtocolError } from "../errors.js";
import { toBuffer } from "./block-mode.js";
import {
  DESCRIPTOR, RECORD_END, checkMarker, isDataValue, restartMarker,
  type DecoderOptions, type EncoderInput,
} from "./data-units.js";

const MAX_LITERAL = 127;
const MAX_REPEAT = 63;
/** A run this long is worth a replicated-byte header (2 bytes) over staying literal. */
const MIN_REPEAT_RUN = 3;
/** Filler costs one header byte, so two filler bytes already gain. */
const MIN_FILLER_RUN = 2;

export interface CompressedModeOptions {
  /** The filler byte: 0x20 (space) for TYPE A and E, 0x00 for TYPE I and L (default 0x00). */
  readonly filler?: number;
}

function fillerOf(options: CompressedModeOptions): number {
  const filler = options.filler ?? 0;
  if (filler !== 0 && filler !== 0x20) throw new FtpInvalidArgumentError(`MODE C filler must be 0x00 or 0x20, got ${filler}`);
  return filler;
}

/** Units → compressed-mode bytes; `end()` sends the EOF escape. */
export function createCompressedEncoder(options: CompressedModeOptions = {}): Transform {
  const filler = fillerOf(options);
  return new Transform({
    writableObjectMode: true,
    transform(unit: EncoderInput, _encoding, callback: TransformCallback) {
      try {
        if (isDataValue(unit)) {
          if (unit.kind === "record-end") this.push(Buffer.of(0, DESCRIPTOR.EOR));
          else {
            const marker = checkMarker(unit.marker);
            if (marker.length > MAX_LITERAL) throw new FtpInvalidArgumentError(`A MODE C restart marker is at most ${MAX_LITERAL} bytes`);
            this.push(Buffer.of(0, DESCRIPTOR.RESTART_MARKER, marker.length));
            this.push(marker);
          }
          return callback();
        }
        encodeBytes(this, toBuffer(unit), filler);
        callback();
      } catch (error) {
        callback(error as Error);
      }
    },
    flush(callback: TransformCallback) {
      this.push(Buffer.of(0, DESCRIPTOR.EOF));
      callback();
    },
  });
}

function pushLiterals(stream: Transform, bytes: Buffer, start: number, end: number): void {
  for (let at = start; at < end; at += MAX_LITERAL) {
    const stop = Math.min(end, at + MAX_LITERAL);
    stream.push(Buffer.of(stop - at));
    stream.push(bytes.subarray(at, stop));
  }
}

function encodeBytes(stream: Transform, bytes: Buffer, filler: number): void {
  let literalStart = 0;
  let at = 0;
  while (at < bytes.length) {
    const value = bytes[at]!;
    let run = 1;
    while (at + run < bytes.length && bytes[at + run] === value) run++;
    const isFiller = value === filler;
    if (run < (isFiller ? MIN_FILLER_RUN : MIN_REPEAT_RUN)) {
      at += run;
      continue;
    }
    pushLiterals(stream, bytes, literalStart, at);
    for (let left = run; left > 0; left -= MAX_REPEAT) {
      const count = Math.min(left, MAX_REPEAT);
      if (isFiller) stream.push(Buffer.of(0xc0 | count));
      else stream.push(Buffer.of(0x80 | count, value));
    }
    at += run;
    literalStart = at;
  }
  pushLiterals(stream, bytes, literalStart, bytes.length);
}

const enum State { Header, Literal, RepeatByte, EscapeDescriptor, MarkerHeader }

/** Compressed-mode bytes → file bytes (or units). Ends at the EOF escape; a stream ending before it is an error. */
export function createCompressedDecoder(options: DecoderOptions & CompressedModeOptions = {}): Transform {
  const filler = fillerOf(options);
  const units = options.output === "units";
  let state = State.Header;
  let count = 0;
  let offset = 0;
  let sawEof = false;
  /** Set while the literal run after a restart-marker escape (the marker's text) is read. */
  let marker: Buffer[] | undefined;
  let markerLength = 0;

  const fail = (message: string) => new FtpProtocolError(`MODE C: ${message}`);

  function finishMarker(stream: Transform): void {
    const text = Buffer.concat(marker ?? [], markerLength).toString("latin1");
    marker = undefined;
    markerLength = 0;
    options.onRestartMarker?.(text, offset);
    if (units) stream.push(restartMarker(text));
  }

  function data(stream: Transform, bytes: Buffer): void {
    offset += bytes.length;
    stream.push(bytes);
  }

  return new Transform({
    readableObjectMode: units,
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      let at = 0;
      while (at < chunk.length) {
        if (sawEof) return callback(fail(`${chunk.length - at} byte(s) after the EOF escape`));
        switch (state) {
          case State.Header: {
            const header = chunk[at++]!;
            if (header === 0) state = State.EscapeDescriptor;
            else if (header < 0x80) {
              state = State.Literal;
              count = header;
              continue;
            } else if (header < 0xc0) {
              state = State.RepeatByte;
              count = header & 0x3f;
              if (count === 0) return callback(fail("replicated run of length 0"));
            } else {
              count = header & 0x3f;
              if (count === 0) return callback(fail("filler run of length 0"));
              data(this, Buffer.alloc(count, filler));
            }
            break;
          }
          case State.MarkerHeader: {
            const header = chunk[at++]!;
            if (header === 0 || header >= 0x80) return callback(fail("a restart-marker escape not followed by the marker's text"));
            marker = [];
            count = header;
            state = State.Literal;
            break;
          }
          case State.Literal: {
            const take = Math.min(count, chunk.length - at);
            const part = chunk.subarray(at, at + take);
            at += take;
            count -= take;
            if (marker) {
              markerLength += take;
              marker.push(part);
            } else data(this, part);
            if (count === 0) {
              state = State.Header;
              if (marker) finishMarker(this);
            }
            break;
          }
          case State.RepeatByte:
            data(this, Buffer.alloc(count, chunk[at++]!));
            state = State.Header;
            break;
          case State.EscapeDescriptor: {
            const descriptor = chunk[at++]!;
            state = State.Header;
            if (descriptor & 0x0f) return callback(fail(`unknown descriptor bits 0x${descriptor.toString(16).padStart(2, "0")}`));
            if (descriptor & DESCRIPTOR.SUSPECT) options.onSuspectData?.(offset);
            if (descriptor & DESCRIPTOR.EOR && units) this.push(RECORD_END);
            if (descriptor & DESCRIPTOR.EOF) sawEof = true;
            if (descriptor & DESCRIPTOR.RESTART_MARKER) {
              if (descriptor !== DESCRIPTOR.RESTART_MARKER) return callback(fail("a restart marker combined with other descriptor bits"));
              state = State.MarkerHeader;
            }
            break;
          }
        }
      }
      callback();
    },
    flush(callback: TransformCallback) {
      if (sawEof && state === State.Header) return callback();
      callback(fail(sawEof ? "the data ended inside a run" : "the data ended without an EOF escape"));
    },
  });
}

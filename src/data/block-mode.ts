/**
 * MODE B, block mode (RFC 959 §3.4.2): the data is a sequence of blocks,
 * each a 3-byte header — descriptor bits and a 16-bit big-endian byte count —
 * then that many bytes. EOF is in-band (a block with the EOF bit), so the
 * data connection need not close to end a file. A restart-marker block
 * carries the marker text instead of data.
 *
 * Memory stays bounded: the encoder pushes each header and a view of the
 * caller's bytes (never a concatenation); the decoder keeps at most a
 * partial header and a partial restart marker.
 */
import { Transform, type TransformCallback } from "node:stream";
import { FtpInvalidArgumentError, FtpProtocolError } from "../errors.js";
import {
  DESCRIPTOR, MAX_RESTART_MARKER, RECORD_END, checkMarker, isDataValue, restartMarker,
  type DecoderOptions, type EncoderInput,
} from "./data-units.js";

export const BLOCK_HEADER_LENGTH = 3;
export const MAX_BLOCK_LENGTH = 0xffff;

/** The 3-byte header of one block. */
export function blockHeader(descriptor: number, length: number): Buffer {
  if (!Number.isInteger(descriptor) || descriptor < 0 || descriptor > 0xff) throw new FtpInvalidArgumentError(`Block descriptor out of range: ${descriptor}`);
  if (!Number.isInteger(length) || length < 0 || length > MAX_BLOCK_LENGTH) throw new FtpInvalidArgumentError(`Block length out of range: ${length}`);
  return Buffer.of(descriptor, length >>> 8, length & 0xff);
}

export interface BlockEncoderOptions {
  /** Largest data block, 1..65535 (default 65535). */
  readonly maxBlockLength?: number;
}

/**
 * Units → block-mode bytes. Write Buffers (file bytes), RECORD_END and
 * restart markers; `end()` sends the EOF block. A record end is a zero-length
 * EOR block, so no data block is ever held back waiting to learn whether it
 * is a record's last.
 */
export function createBlockEncoder(options: BlockEncoderOptions = {}): Transform {
  const maxBlock = options.maxBlockLength ?? MAX_BLOCK_LENGTH;
  if (!Number.isInteger(maxBlock) || maxBlock < 1 || maxBlock > MAX_BLOCK_LENGTH) {
    throw new FtpInvalidArgumentError(`maxBlockLength must be 1..${MAX_BLOCK_LENGTH}, got ${maxBlock}`);
  }
  return new Transform({
    writableObjectMode: true,
    transform(unit: EncoderInput, _encoding, callback: TransformCallback) {
      try {
        if (isDataValue(unit)) {
          if (unit.kind === "record-end") this.push(blockHeader(DESCRIPTOR.EOR, 0));
          else {
            const marker = checkMarker(unit.marker);
            this.push(blockHeader(DESCRIPTOR.RESTART_MARKER, marker.length));
            this.push(marker);
          }
          return callback();
        }
        const bytes = toBuffer(unit);
        for (let start = 0; start < bytes.length; start += maxBlock) {
          const part = bytes.subarray(start, Math.min(bytes.length, start + maxBlock));
          this.push(blockHeader(0, part.length));
          this.push(part);
        }
        callback();
      } catch (error) {
        callback(error as Error);
      }
    },
    flush(callback: TransformCallback) {
      this.push(blockHeader(DESCRIPTOR.EOF, 0));
      callback();
    },
  });
}

export function toBuffer(unit: Uint8Array | string): Buffer {
  if (typeof unit === "string") return Buffer.from(unit, "utf8");
  if (Buffer.isBuffer(unit)) return unit;
  return Buffer.from(unit.buffer, unit.byteOffset, unit.byteLength);
}

/**
 * Block-mode bytes → file bytes (or units). Ends at the EOF block; bytes
 * after it, or the stream ending before it, are protocol errors: in block
 * mode a closed connection without EOF means the file was cut short.
 */
export function createBlockDecoder(options: DecoderOptions = {}): Transform {
  const units = options.output === "units";
  const header = Buffer.alloc(BLOCK_HEADER_LENGTH);
  let headerFill = 0;
  let descriptor = 0;
  /** Bytes of the current block still to come (valid when headerFill === 3). */
  let remaining = 0;
  let marker: Buffer[] = [];
  let markerLength = 0;
  let offset = 0;
  let sawEof = false;

  const fail = (message: string) => new FtpProtocolError(`MODE B: ${message}`);

  /** The current block is complete: apply its EOR/EOF flags. */
  function endBlock(stream: Transform): void {
    if (descriptor & DESCRIPTOR.RESTART_MARKER) {
      const text = Buffer.concat(marker, markerLength).toString("latin1");
      marker = [];
      markerLength = 0;
      options.onRestartMarker?.(text, offset);
      if (units) stream.push(restartMarker(text));
    }
    if (descriptor & DESCRIPTOR.EOR && units) stream.push(RECORD_END);
    if (descriptor & DESCRIPTOR.EOF) sawEof = true;
    headerFill = 0;
  }

  return new Transform({
    readableObjectMode: units,
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      let at = 0;
      while (at < chunk.length) {
        if (sawEof) return callback(fail(`${chunk.length - at} byte(s) after the EOF block`));
        if (headerFill < BLOCK_HEADER_LENGTH) {
          const take = Math.min(BLOCK_HEADER_LENGTH - headerFill, chunk.length - at);
          chunk.copy(header, headerFill, at, at + take);
          headerFill += take;
          at += take;
          if (headerFill < BLOCK_HEADER_LENGTH) break;
          descriptor = header[0]!;
          remaining = header.readUInt16BE(1);
          if (descriptor & 0x0f) return callback(fail(`unknown descriptor bits 0x${descriptor.toString(16).padStart(2, "0")}`));
          if (descriptor & DESCRIPTOR.RESTART_MARKER && remaining > MAX_RESTART_MARKER) {
            return callback(fail(`restart marker of ${remaining} bytes (limit ${MAX_RESTART_MARKER})`));
          }
          if (descriptor & DESCRIPTOR.SUSPECT && remaining > 0) options.onSuspectData?.(offset);
          if (remaining === 0) endBlock(this);
          continue;
        }
        const take = Math.min(remaining, chunk.length - at);
        const part = chunk.subarray(at, at + take);
        at += take;
        remaining -= take;
        if (descriptor & DESCRIPTOR.RESTART_MARKER) {
          marker.push(part);
          markerLength += take;
        } else {
          offset += take;
          this.push(part);
        }
        if (remaining === 0) endBlock(this);
      }
      callback();
    },
    flush(callback: TransformCallback) {
      if (sawEof) return callback();
      callback(fail(headerFill === 0 ? "the data ended without an EOF block" : "the data ended inside a block"));
    },
  });
}

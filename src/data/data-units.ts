/**
 * What a MODE B / MODE C / STRU R data stream carries besides file bytes:
 * record ends and restart markers (RFC 959 §3.4). Decoders yield these as
 * values between Buffers ("units"); encoders accept them the same way, so a
 * record boundary or a marker stays at its exact place in the byte sequence.
 */
import { FtpInvalidArgumentError } from "../errors.js";

/** End of one record (RFC 959 EOR). */
export interface RecordEnd {
  readonly kind: "record-end";
}

/** A restart marker (RFC 959 §3.5): printable text the receiver hands back to the user for REST. */
export interface RestartMarker {
  readonly kind: "restart-marker";
  readonly marker: string;
}

/** What flows on the unit side of a codec: file bytes, record ends and restart markers, in order. */
export type DataUnit = Buffer | RecordEnd | RestartMarker;

export const RECORD_END: RecordEnd = Object.freeze({ kind: "record-end" });

export function restartMarker(marker: string): RestartMarker {
  return { kind: "restart-marker", marker };
}

/** Block and compressed mode descriptor bits (RFC 959 §3.4.2), shared by both modes. */
export const DESCRIPTOR = Object.freeze({
  EOR: 0x80,
  EOF: 0x40,
  SUSPECT: 0x20,
  RESTART_MARKER: 0x10,
});

/** Longest restart marker a decoder keeps in memory; the RFC's markers are short printable strings. */
export const MAX_RESTART_MARKER = 256;

export interface DecoderOptions {
  /**
   * "bytes" (default): the readable side carries only file bytes; record
   * ends and markers go to the callbacks. "units": it carries DataUnit
   * values in object mode.
   */
  readonly output?: "bytes" | "units";
  /** Called with each restart marker and the count of file bytes before it (what REST must resume from). */
  readonly onRestartMarker?: (marker: string, offset: number) => void;
  /** Called when the sender flagged data as possibly in error (RFC 959 "suspected errors" bit), with the offset of that data. */
  readonly onSuspectData?: (offset: number) => void;
}

/** A unit written to an encoder: bytes (a string is taken as UTF-8), a record end or a marker. */
export type EncoderInput = DataUnit | Uint8Array | string;

export function isDataValue(unit: unknown): unit is RecordEnd | RestartMarker {
  return typeof unit === "object" && unit !== null && !(unit instanceof Uint8Array) && "kind" in unit;
}

/** Markers are printable ASCII (RFC 959 §3.5); anything else is refused before it is framed. */
export function checkMarker(marker: string): Buffer {
  if (marker.length === 0 || marker.length > MAX_RESTART_MARKER || !/^[\x21-\x7e]+$/.test(marker)) {
    throw new FtpInvalidArgumentError(`A restart marker must be 1..${MAX_RESTART_MARKER} printable ASCII characters without spaces`);
  }
  return Buffer.from(marker, "latin1");
}

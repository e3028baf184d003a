/**
 * Which codecs sit between local bytes and a data socket for one transfer,
 * given the session's MODE, STRU and TYPE (RFC 959 §3.4, plus MODE Z). Both
 * roles build their pipelines from this, so a client and a server always
 * agree on the order:
 *
 *   sending:   local bytes → (TYPE A line ends | STRU R records) → mode encoder → socket
 *   receiving: socket → mode decoder → (STRU R records | TYPE A line ends) → local bytes
 *
 * In record structure a record is a line of the local file, so the TYPE A
 * line-end conversion does not apply (the record end replaces the line end).
 * MODE S and MODE Z carry records as the stream-mode escapes; MODE B and C
 * as their EOR descriptors.
 */
import type { Transform } from "node:stream";
import { createBlockDecoder, createBlockEncoder } from "./block-mode.js";
import { createCompressedDecoder, createCompressedEncoder } from "./compressed-mode.js";
import type { DecoderOptions } from "./data-units.js";
import { createDeflateDecoder, createDeflateEncoder } from "./deflate-mode.js";
import {
  createLinesToRecordUnits, createLinesToRecords, createRecordUnitsToLines, createRecordsToLines,
} from "./record-structure.js";

/** RFC 959 transfer modes (S stream, B block, C compressed) and the MODE Z extension (deflate). */
export type TransferMode = "S" | "B" | "C" | "Z";
/** RFC 959 file structures ftpwire implements: F file, R record. */
export type FileStructure = "F" | "R";

export interface CodecSettings {
  readonly mode: TransferMode;
  readonly structure: FileStructure;
  /** Representation type: decides the MODE C filler (space for A, NUL for I). */
  readonly type: "A" | "I";
  /** MODE Z level (OPTS MODE Z LEVEL n). */
  readonly deflateLevel?: number | undefined;
}

/** True when the transfer needs no codec at all (MODE S, STRU F): the fast paths stay as they were. */
export function isPlainStream(settings: CodecSettings): boolean {
  return settings.mode === "S" && settings.structure === "F";
}

function filler(settings: CodecSettings): number {
  return settings.type === "A" ? 0x20 : 0x00;
}

/**
 * The stages from local bytes to the socket. `lineEnds` is the TYPE A
 * conversion the caller would use in file structure (LF → CRLF), if any.
 */
export function encodeStages(settings: CodecSettings, lineEnds?: Transform): Transform[] {
  const stages: Transform[] = [];
  const framed = settings.mode === "B" || settings.mode === "C";
  if (settings.structure === "R") stages.push(framed ? createLinesToRecordUnits() : createLinesToRecords());
  else if (lineEnds) stages.push(lineEnds);
  if (settings.mode === "B") stages.push(createBlockEncoder());
  else if (settings.mode === "C") stages.push(createCompressedEncoder({ filler: filler(settings) }));
  else if (settings.mode === "Z") stages.push(createDeflateEncoder({ level: settings.deflateLevel }));
  return stages;
}

/**
 * The stages from the socket to local bytes. `lineEnds` is the TYPE A
 * conversion for file structure (CRLF → LF), if any. `decoder` passes the
 * restart-marker and suspect-data callbacks to a MODE B/C decoder.
 */
export function decodeStages(
  settings: CodecSettings,
  lineEnds?: Transform,
  decoder: Pick<DecoderOptions, "onRestartMarker" | "onSuspectData"> = {},
): Transform[] {
  const stages: Transform[] = [];
  const records = settings.structure === "R";
  const output = records ? "units" : "bytes";
  if (settings.mode === "B") stages.push(createBlockDecoder({ ...decoder, output }));
  else if (settings.mode === "C") stages.push(createCompressedDecoder({ ...decoder, output, filler: filler(settings) }));
  else if (settings.mode === "Z") stages.push(createDeflateDecoder());
  if (records) {
    const framed = settings.mode === "B" || settings.mode === "C";
    stages.push(framed ? createRecordUnitsToLines() : createRecordsToLines());
  } else if (lineEnds) stages.push(lineEnds);
  return stages;
}

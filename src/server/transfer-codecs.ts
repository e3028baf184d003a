/**
 * The server's transfer modes and structures: MODE S/B/C/Z, STRU F/R and
 * OPTS MODE Z, the per-session state they set, and the codec stages a
 * transfer's pump puts around its data socket (data/transfer-stages.ts).
 *
 * Kept apart from the session and the pump so that the hook into the
 * transfer path stays a call or two: `transferStages()` for the stages,
 * `codecFailureReply()` for the reply when a codec refused the data.
 *
 * - MODE applies to every data transfer, listings included (RFC 959 §3.4);
 *   STRU applies to files only (a listing is always file structure).
 * - MODE B restart markers (RFC 959 §3.5): a RETR in block mode carries a
 *   marker every RESTART_MARKER_INTERVAL bytes whose text is the byte offset
 *   in the file, so `REST <marker>` is `REST <offset>`. Markers a client
 *   puts in a MODE B upload are answered `110 MARK <marker> = <offset>`,
 *   the offset being what REST takes to resume that upload.
 * - A MODE B or C upload that ends without its EOF marker is cut short:
 *   the reply is 426, never 226 (what was written stays, as in a broken
 *   stream-mode upload, and REST can continue it).
 */
import { Transform, type TransformCallback } from "node:stream";
import { FtpError } from "../errors.js";
import { DEFAULT_DEFLATE_LEVEL, parseModeZOptions } from "../data/deflate-mode.js";
import { restartMarker, type DataUnit } from "../data/data-units.js";
import { decodeStages, encodeStages, type CodecSettings, type FileStructure, type TransferMode } from "../data/transfer-stages.js";

/** What the codecs need of a session (the Session class satisfies it). */
export interface CodecSession {
  readonly type: "A" | "I";
  reply(code: number, text?: string | readonly string[]): void;
}

interface CodecState {
  mode: TransferMode;
  structure: FileStructure;
  deflateLevel: number;
  /** The REST offset of the file transfer about to start (noteTransferOffset), used once. */
  offset: number;
}

/**
 * Bytes between two restart markers in a MODE B download: often enough that
 * a broken 1 GiB transfer resumes close to where it stopped, rare enough
 * that the 4 + marker bytes cost nothing (under 0.002%).
 */
export const RESTART_MARKER_INTERVAL = 1 << 20;

const STATES = new WeakMap<object, CodecState>();

function stateOf(session: object): CodecState {
  let state = STATES.get(session);
  if (!state) {
    state = { mode: "S", structure: "F", deflateLevel: DEFAULT_DEFLATE_LEVEL, offset: 0 };
    STATES.set(session, state);
  }
  return state;
}

/** The session's MODE, STRU and MODE Z level (defaults S, F, 6). */
export function codecSettings(session: CodecSession): CodecSettings {
  const state = stateOf(session);
  return { mode: state.mode, structure: state.structure, type: session.type, deflateLevel: state.deflateLevel };
}

/** REIN: back to MODE S, STRU F and the default level (RFC 959 §4.1.1). */
export function resetCodecs(session: object): void {
  STATES.delete(session);
}

const MODE_NAMES: Readonly<Record<TransferMode, string>> = { S: "Stream", B: "Block", C: "Compressed", Z: "Deflate" };

/** MODE <S|B|C|Z>. */
export function handleMode(session: CodecSession, arg: string): void {
  const mode = arg.trim().toUpperCase();
  if (mode === "S" || mode === "B" || mode === "C" || mode === "Z") {
    stateOf(session).mode = mode;
    return session.reply(200, `Mode set to ${mode}`);
  }
  session.reply(501, "Unknown mode; S, B, C and Z are supported");
}

/** STRU <F|R>; P (page structure, TOPS-20 only) gets 504. */
export function handleStructure(session: CodecSession, arg: string): void {
  const structure = arg.trim().toUpperCase();
  if (structure === "F" || structure === "R") {
    stateOf(session).structure = structure;
    return session.reply(200, `Structure set to ${structure}`);
  }
  if (structure === "P") return session.reply(504, "Page structure is not supported");
  session.reply(501, "Unknown structure");
}

/** `OPTS MODE Z [LEVEL n]`: the words after "OPTS MODE". */
export function handleModeOptions(session: CodecSession, value: string): void {
  const [mode = "", ...rest] = value.trim().split(/\s+/);
  if (mode.toUpperCase() !== "Z") return session.reply(501, "OPTS MODE applies to MODE Z only");
  let options;
  try {
    options = parseModeZOptions(rest.join(" "));
  } catch (error) {
    if (error instanceof FtpError) return session.reply(501, error.message);
    throw error;
  }
  const state = stateOf(session);
  if (options.level !== undefined) state.deflateLevel = options.level;
  session.reply(200, `MODE Z LEVEL set to ${state.deflateLevel}`);
}

/** STAT's line for the transfer parameters. */
export function describeCodecs(session: CodecSession): string {
  const state = stateOf(session);
  return `TYPE: ${session.type === "A" ? "ASCII" : "BINARY"}, STRUcture: ${state.structure === "R" ? "Record" : "File"}, MODE: ${MODE_NAMES[state.mode]}`;
}

const FILE_VERBS = new Set(["RETR", "STOR", "APPE", "STOU"]);

/** Where the next file transfer starts in its file (its REST offset): what markers count from. */
export function noteTransferOffset(session: CodecSession, offset: number): void {
  stateOf(session).offset = offset;
}

/**
 * The stages between storage and the data socket for this transfer, with
 * `lineEnds` (the TYPE A conversion the command chose) in its place.
 */
export function transferStages(session: CodecSession, verb: string, direction: "send" | "receive", lineEnds: Transform | undefined): Transform[] {
  const state = stateOf(session);
  const offset = state.offset;
  state.offset = 0;
  const settings = codecSettings(session);
  const effective: CodecSettings = FILE_VERBS.has(verb) ? settings : { ...settings, structure: "F" };
  if (direction === "send") {
    const stages = encodeStages(effective, lineEnds);
    // Markers are byte offsets in the file: only where wire bytes are file bytes (TYPE I, file structure).
    if (effective.mode === "B" && verb === "RETR" && effective.structure === "F" && !lineEnds) {
      stages.splice(stages.length - 1, 0, createMarkerInserter(offset));
    }
    return stages;
  }
  return decodeStages(effective, lineEnds, {
    onRestartMarker: (marker, received) => session.reply(110, `MARK ${marker} = ${offset + received}`),
  });
}

/**
 * Inserts a restart marker (the file offset, in decimal) before every
 * RESTART_MARKER_INTERVAL-th byte. Units other than bytes (record ends)
 * pass as they are.
 */
function createMarkerInserter(start: number): Transform {
  let offset = start;
  let next = start + RESTART_MARKER_INTERVAL;
  return new Transform({
    objectMode: true,
    transform(unit: DataUnit, _encoding, callback: TransformCallback) {
      if (!Buffer.isBuffer(unit)) return callback(null, unit);
      let at = 0;
      while (offset + (unit.length - at) > next) {
        const take = next - offset;
        if (take > 0) this.push(unit.subarray(at, at + take));
        at += take;
        offset = next;
        this.push(restartMarker(String(offset)));
        next += RESTART_MARKER_INTERVAL;
      }
      if (at < unit.length) this.push(unit.subarray(at));
      offset += unit.length - at;
      callback();
    },
  });
}

/** The final reply when a codec stage refused the data (a broken MODE B/C/Z stream, a missing EOF marker). */
export function codecFailureReply(error: unknown, direction: "send" | "receive"): { code: number; text: string } {
  const reason = error instanceof Error ? error.message : String(error);
  // Received data that is not valid in the mode: the transfer did not complete (426). Our own encoder failing is a local error (451).
  return direction === "receive" ? { code: 426, text: `Transfer aborted: ${reason}` } : { code: 451, text: `Transfer aborted: ${reason}` };
}

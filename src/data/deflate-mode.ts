/**
 * MODE Z: the data connection carries one zlib stream (RFC 1950 framing of
 * deflate) per transfer. It is not in RFC 959; it is the extension proftpd's
 * mod_deflate, lftp and FileZilla speak, with the level set by
 * `OPTS MODE Z LEVEL n`. zlib streams honour backpressure, so memory stays
 * bounded by the stream buffers however well the data compresses.
 */
import { createDeflate, createInflate, type Deflate, type Inflate } from "node:zlib";
import { FtpError, FtpInvalidArgumentError, FtpProtocolError } from "../errors.js";

export const DEFAULT_DEFLATE_LEVEL = 6;

export interface DeflateModeOptions {
  /** zlib level 0 (store) .. 9 (smallest); default 6, what `OPTS MODE Z LEVEL` sets. */
  readonly level?: number;
}

export function checkDeflateLevel(level: number): number {
  if (!Number.isInteger(level) || level < 0 || level > 9) throw new FtpInvalidArgumentError(`MODE Z level must be an integer 0..9, got ${level}`);
  return level;
}

/** File bytes → MODE Z bytes. */
export function createDeflateEncoder(options: DeflateModeOptions = {}): Deflate {
  return createDeflate({ level: checkDeflateLevel(options.level ?? DEFAULT_DEFLATE_LEVEL) });
}

/** MODE Z bytes → file bytes; corrupt or truncated input (no zlib end) fails with FtpProtocolError. */
export function createDeflateDecoder(): Inflate {
  const inflate = createInflate();
  // zlib's errors carry zlib codes; callers branch on ours. Every error of a stream passes through _destroy.
  const destroy = inflate._destroy.bind(inflate);
  inflate._destroy = (error, callback) => {
    destroy(error, (final) => {
      callback(final && !(final instanceof FtpError) ? new FtpProtocolError(`MODE Z: ${final.message}`, { cause: final }) : final);
    });
  };
  return inflate;
}

/**
 * Parses the argument of `OPTS MODE Z ...` (after "MODE Z"), e.g. "LEVEL 9".
 * Returns the options it sets; unknown or malformed settings throw, so the
 * server can answer 501 with the message.
 */
export function parseModeZOptions(arg: string): DeflateModeOptions {
  const words = arg.trim().split(/\s+/).filter(Boolean);
  const result: { level?: number } = {};
  for (let i = 0; i < words.length; i += 2) {
    const name = words[i]!.toUpperCase();
    const value = words[i + 1];
    if (name !== "LEVEL") throw new FtpInvalidArgumentError(`Unknown MODE Z option: ${words[i]}`);
    if (value === undefined || !/^\d$/.test(value)) throw new FtpInvalidArgumentError("MODE Z LEVEL needs a digit 0..9");
    result.level = checkDeflateLevel(Number(value));
  }
  return result;
}

/**
 * Validation of the options the protocol parsers share, so a bad option
 * fails at construction with the same typed error and wording everywhere.
 */
import { FtpInvalidOptionError } from "../errors.js";

export type LineEncoding = "utf8" | "latin1";

/** `value` if it is a positive integer, `fallback` if undefined; otherwise throws. */
export function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) {
    throw new FtpInvalidOptionError(`${name} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

/** `value` if it is a line encoding the parsers support, "utf8" if undefined; otherwise throws. */
export function lineEncoding(value: string | undefined): LineEncoding {
  if (value === undefined) return "utf8";
  if (value !== "utf8" && value !== "latin1") {
    throw new FtpInvalidOptionError(`encoding must be "utf8" or "latin1", got ${String(value)}`);
  }
  return value;
}

/**
 * Formats server replies (RFC 959 §4.2): `ddd text` or the multi-line form
 * `ddd-first`, body lines, `ddd last`, every line ending in CRLF.
 *
 * Texts often carry user-controlled data (file names, user names), so the
 * formatter makes sure a reply can never be split or forged: CR, LF and NUL
 * are removed from every line, and a body line that starts with three digits
 * is indented by one space so a client cannot mistake it for the last line.
 */
import { FtpInvalidArgumentError } from "../errors.js";
import { replyText } from "./reply-codes.js";

// eslint-disable-next-line no-control-regex
const UNSAFE = /[\r\n\0]/g;
// eslint-disable-next-line no-control-regex
const UNSAFE_NO_LF = /[\r\0]/g;

const NOT_LATIN1 = /[^\u0000-\u00ff]/gu;

function checkCode(code: number): void {
  if (!Number.isInteger(code) || code < 100 || code > 699) {
    throw new FtpInvalidArgumentError(`Not an FTP reply code: ${String(code)}`);
  }
}

function startsWithThreeDigits(line: string): boolean {
  if (line.length < 3) return false;
  for (let i = 0; i < 3; i++) {
    const c = line.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/** The reply's lines, each free of CR, LF and NUL. */
function toLines(code: number, text: string | readonly string[] | undefined): string[] {
  if (text === undefined) return [replyText(code)];
  if (typeof text === "string") {
    // A "\n" in a string is the caller asking for several lines.
    return text.indexOf("\n") === -1 && text.indexOf("\r") === -1 && text.indexOf("\0") === -1
      ? [text]
      : text.replace(UNSAFE_NO_LF, "").split("\n");
  }
  if (text.length === 0) return [replyText(code)];
  return text.map((line) => line.replace(UNSAFE, ""));
}

/**
 * The reply as a string with CRLF line endings (for logging and tests).
 * `text` defaults to the table text for `code`; a string with "\n" or an
 * array of several lines gives a multi-line reply.
 */
export function formatReplyString(code: number, text?: string | readonly string[]): string {
  checkCode(code);
  const lines = toLines(code, text);
  const last = lines.length - 1;
  if (last === 0) return `${code} ${lines[0] ?? ""}\r\n`;
  let out = `${code}-${lines[0] ?? ""}\r\n`;
  for (let i = 1; i < last; i++) {
    const line = lines[i] ?? "";
    out += startsWithThreeDigits(line) ? ` ${line}\r\n` : `${line}\r\n`;
  }
  return `${out}${code} ${lines[last] ?? ""}\r\n`;
}

/**
 * The reply as bytes, ready for the socket. `encoding` follows the session
 * (UTF-8 by default, RFC 2640; latin1 for legacy clients).
 */
export function formatReply(
  code: number,
  text?: string | readonly string[],
  encoding: "utf8" | "latin1" = "utf8",
): Buffer {
  const reply = formatReplyString(code, text);
  // latin1 keeps only the low byte of each UTF-16 unit: "\u010a" would become
  // a LF on the wire. Characters latin1 cannot carry become "?" instead.
  return Buffer.from(encoding === "latin1" ? reply.replace(NOT_LATIN1, "?") : reply, encoding);
}

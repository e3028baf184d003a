/**
 * Serializes client commands (`VERB SP arg CRLF`) to bytes.
 *
 * Arguments carry user data (paths, user names), so a CR, LF or NUL in one
 * is refused with a typed error before anything is encoded: otherwise a file
 * name could smuggle a second command onto the control connection. Telnet
 * IAC bytes (0xFF) in the encoded argument are doubled (RFC 959 NVT rules,
 * RFC 2640 §3.1) so the server never reads them as Telnet commands.
 */
import { FtpInvalidArgumentError } from "../errors.js";

const IAC = 0xff;
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\r\n\0]/;
/** Letters only; 4 is the norm, longer verbs exist in extensions, 16 is generous. */
// A letter, then letters or digits: RFC 959's verbs are letters only, but the
// widespread extensions XSHA1, XSHA256, XSHA512 carry digits.
const VERB = /^[A-Za-z][A-Za-z0-9]{0,15}$/;
/** Characters latin1 cannot carry; Buffer would keep only their low byte. */
const NOT_LATIN1 = /[^\u0000-\u00ff]/u;

/** Telnet IP + Synch (IAC IP IAC DM), sent before "ABOR\r\n" (RFC 959 §4.1.3). */
export const TELNET_ABORT_PREFIX: Buffer = Buffer.from([0xff, 0xf4, 0xff, 0xf2]);

function describe(char: string): string {
  return char === "\r" ? "CR" : char === "\n" ? "LF" : "NUL";
}

/**
 * `verb` plus optional `arg` as one CRLF-terminated line. An empty or
 * missing `arg` gives the bare verb. Throws FtpInvalidArgumentError for a
 * verb that is not 1–16 letters and digits starting with a letter, for CR/LF/NUL in `arg`, and (latin1 only)
 * for characters latin1 cannot encode.
 */
export function serializeCommand(verb: string, arg?: string, encoding: "utf8" | "latin1" = "utf8"): Buffer {
  if (typeof verb !== "string" || !VERB.test(verb)) {
    throw new FtpInvalidArgumentError(`Invalid FTP command verb: ${JSON.stringify(String(verb).slice(0, 32))}`);
  }
  const upper = verb.toUpperCase();
  if (arg === undefined || arg === "") return Buffer.from(`${upper}\r\n`, "latin1");
  const bad = FORBIDDEN.exec(arg);
  if (bad !== null) {
    // The argument is not echoed: it may be a password.
    throw new FtpInvalidArgumentError(`Argument of ${upper} contains ${describe(bad[0])}`, {
      command: redactCommand(upper, arg.replace(/[\r\n\0]/g, " ")),
    });
  }
  if (encoding === "latin1" && NOT_LATIN1.test(arg)) {
    throw new FtpInvalidArgumentError(`Argument of ${upper} contains characters latin1 cannot encode`, {
      command: redactCommand(upper, "..."),
    });
  }
  const line = Buffer.from(`${upper} ${arg}\r\n`, encoding);
  // UTF-8 never produces 0xFF, so the common case returns here after one scan.
  const iac = line.indexOf(IAC, upper.length + 1);
  if (iac === -1) return line;
  return doubleIac(line, iac);
}

/** Copy `line` with every 0xFF doubled; `first` is the index of the first one. */
function doubleIac(line: Buffer, first: number): Buffer {
  let count = 0;
  for (let i = first; i !== -1; i = line.indexOf(IAC, i + 1)) count++;
  const out = Buffer.allocUnsafe(line.length + count);
  let from = 0;
  let to = 0;
  for (let i = first; i !== -1; i = line.indexOf(IAC, i + 1)) {
    to += line.copy(out, to, from, i + 1);
    out[to++] = IAC;
    from = i + 1;
  }
  line.copy(out, to, from);
  return out;
}

/** The command as it may appear in logs and errors: passwords and accounts become "***". */
export function redactCommand(verb: string, arg?: string): string {
  const upper = verb.toUpperCase();
  if (upper === "PASS" || upper === "ACCT") return `${upper} ***`;
  return arg === undefined || arg === "" ? upper : `${upper} ${arg}`;
}

/**
 * The one table of FTP reply codes and their default texts (RFC 959 §4.2.1,
 * plus RFC 2228, 2428, 2640 and 4217 additions), and the classification of
 * a code by its first and second digit. The server formats replies from this
 * table; the client classifies replies with the helpers below.
 */
import { FtpInvalidArgumentError } from "../errors.js";

/**
 * A Map whose `set`, `delete` and `clear` throw once it is built: a shared
 * table nobody may change at run time for every server and client after.
 */
class FrozenMap<K, V> extends Map<K, V> {
  constructor(entries: Iterable<readonly [K, V]>) {
    super(entries);
    Object.freeze(this);
  }
  override set(key: K, value: V): this {
    // The Map constructor adds its entries through set(), before the freeze.
    if (Object.isFrozen(this)) throw new TypeError("This table is read-only");
    return super.set(key, value);
  }
  override delete(): boolean {
    throw new TypeError("This table is read-only");
  }
  override clear(): void {
    throw new TypeError("This table is read-only");
  }
}

/** Default text for each code the server may send without its own text (read-only). */
export const REPLY_TEXTS: ReadonlyMap<number, string> = new FrozenMap<number, string>([
  // 1yz: positive preliminary
  [110, "Restart marker reply."],
  [120, "Service ready in a few minutes."],
  [125, "Data connection already open; transfer starting."],
  [150, "File status okay; about to open data connection."],
  // 2yz: positive completion
  [200, "Command okay."],
  [202, "Command not implemented, superfluous at this site."],
  [211, "System status, or system help reply."],
  [212, "Directory status."],
  [213, "File status."],
  [214, "Help message."],
  [215, "UNIX Type: L8"],
  [220, "Service ready for new user."],
  [221, "Service closing control connection."],
  [225, "Data connection open; no transfer in progress."],
  [226, "Closing data connection. Requested file action successful."],
  [227, "Entering Passive Mode."],
  [228, "Entering Long Passive Mode."],
  [229, "Entering Extended Passive Mode."],
  [230, "User logged in, proceed."],
  [232, "User logged in, authorized by security data exchange."],
  [234, "Security data exchange complete."],
  [250, "Requested file action okay, completed."],
  [257, "Pathname created."],
  // 3yz: positive intermediate
  [331, "User name okay, need password."],
  [332, "Need account for login."],
  [334, "Security mechanism accepted; security data to follow."],
  [335, "Security data acceptable; more data required."],
  [336, "Username okay, need password. Challenge follows."],
  [350, "Requested file action pending further information."],
  // 4yz: transient negative completion
  [421, "Service not available, closing control connection."],
  [425, "Can't open data connection."],
  [426, "Connection closed; transfer aborted."],
  [431, "Need some unavailable resource to process security."],
  [450, "Requested file action not taken. File unavailable."],
  [451, "Requested action aborted: local error in processing."],
  [452, "Requested action not taken. Insufficient storage space in system."],
  // 5yz: permanent negative completion
  [500, "Syntax error, command unrecognized."],
  [501, "Syntax error in parameters or arguments."],
  [502, "Command not implemented."],
  [503, "Bad sequence of commands."],
  [504, "Command not implemented for that parameter."],
  [522, "Network protocol not supported, use (1,2)."],
  [530, "Not logged in."],
  [532, "Need account for storing files."],
  [533, "Command protection level denied for policy reasons."],
  [534, "Request denied for policy reasons."],
  [535, "Failed security check."],
  [536, "Requested PROT level not supported by mechanism."],
  [550, "Requested action not taken. File unavailable."],
  [551, "Requested action aborted: page type unknown."],
  [552, "Requested file action aborted. Exceeded storage allocation."],
  [553, "Requested action not taken. File name not allowed."],
  // 6yz: protected replies (RFC 2228)
  [631, "Integrity protected reply."],
  [632, "Confidentiality and integrity protected reply."],
  [633, "Confidentiality protected reply."],
]);

/** Text used for a code that is not in the table, by its first digit. */
const FALLBACK_TEXTS: readonly string[] = [
  "",
  "Action started.",
  "Action completed.",
  "More information required.",
  "Action not taken; try again later.",
  "Action not taken.",
  "Protected reply.",
];

/** What the first digit of a reply code says (RFC 959 §4.2.1; 6 from RFC 2228). */
export type ReplyKind = "preliminary" | "completion" | "intermediate" | "transient" | "permanent" | "protected";

/** What the second digit of a reply code says (RFC 959 §4.2.1). */
export type ReplyGroup = "syntax" | "information" | "connections" | "authentication" | "unspecified" | "file-system";

const KINDS: readonly ReplyKind[] = ["preliminary", "completion", "intermediate", "transient", "permanent", "protected"];
const GROUPS: readonly ReplyGroup[] = ["syntax", "information", "connections", "authentication", "unspecified", "file-system"];

function firstDigit(code: number): number {
  if (!Number.isInteger(code) || code < 100 || code > 699) {
    throw new FtpInvalidArgumentError(`Not an FTP reply code: ${String(code)}`);
  }
  return Math.floor(code / 100);
}

/** The default text for `code`; a generic text by first digit when the table has none. */
export function replyText(code: number): string {
  const text = REPLY_TEXTS.get(code);
  if (text !== undefined) return text;
  return FALLBACK_TEXTS[firstDigit(code)] ?? "";
}

/** Classify by first digit. Throws FtpInvalidArgumentError outside 100–699. */
export function replyKind(code: number): ReplyKind {
  return KINDS[firstDigit(code) - 1] as ReplyKind;
}

/**
 * Classify by second digit. RFC 959 leaves x4z unspecified and defines no
 * digit above 5, so 4 and 6–9 all map to "unspecified" rather than throwing:
 * servers do send such codes and a client must still be able to look at them.
 */
export function replyGroup(code: number): ReplyGroup {
  firstDigit(code);
  const second = Math.floor(code / 10) % 10;
  return GROUPS[second] ?? "unspecified";
}

/** 1yz: the command was accepted; another reply follows. */
export function isPreliminary(code: number): boolean {
  return code >= 100 && code <= 199;
}

/** 2yz: the command succeeded. */
export function isCompletion(code: number): boolean {
  return code >= 200 && code <= 299;
}

/** 3yz: the command was accepted but needs another command (PASS after USER, RNTO after RNFR). */
export function isIntermediate(code: number): boolean {
  return code >= 300 && code <= 399;
}

/** 4yz: failed, but the same command may succeed later. */
export function isTransient(code: number): boolean {
  return code >= 400 && code <= 499;
}

/** 5yz: failed, and repeating the command will fail again. */
export function isPermanent(code: number): boolean {
  return code >= 500 && code <= 599;
}

/** 6yz: a protected (RFC 2228) reply wrapping another one. */
export function isProtected(code: number): boolean {
  return code >= 600 && code <= 699;
}

/**
 * 4yz or 5yz. Protected 6yz replies are not failures by themselves: they
 * wrap an encoded reply that has its own code.
 */
export function isFailure(code: number): boolean {
  return code >= 400 && code <= 599;
}

// ---- What a reply means for the next step ----
// Named so that every caller (fallback strategies, the coming retry and
// reconnect rules) decides the same way. Each takes a reply code.

/**
 * 500 or 502: the server does not know the command at all (RFC 959: "syntax
 * error, command unrecognized" / "command not implemented"). What an
 * optional extension (HOST, PBSZ on an implicit-only server) answers when
 * it is absent; the caller may carry on without it.
 */
export function isUnknownCommand(code: number): boolean {
  return code === 500 || code === 502;
}

/**
 * 500, 501, 502 or 504: this command, or this form of it, is not supported
 * here. An alternative is worth trying (MLSD → LIST, MLST → SIZE + MDTM).
 * 501 counts because servers that lack an extension often answer it as a
 * syntax error in the arguments.
 */
export function isCommandNotSupported(code: number): boolean {
  return code === 500 || code === 501 || code === 502 || code === 504;
}

/**
 * 522 (RFC 2428 §2-3): the network protocol asked for (EPRT/EPSV) is not
 * supported: the other address form (PORT/PASV) is worth trying.
 */
export function isNetworkProtocolNotSupported(code: number): boolean {
  return code === 522;
}

/**
 * The command is refused until the session is protected: 521 ("data
 * connection cannot be opened with this PROT setting", RFC 4217 §9), 533
 * ("command protection level denied for policy reasons", RFC 2228) and 534
 * ("request denied for policy reasons", RFC 4217 §11). Servers also say so
 * with 530 or 550 and a text; no code-based rule can see those.
 */
export function needsTls(code: number): boolean {
  return code === 521 || code === 533 || code === 534;
}

/** 421: the server is closing the control connection (RFC 959 §4.2), whatever command it answers. */
export function isServiceClosing(code: number): boolean {
  return code === 421;
}

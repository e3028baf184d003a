/**
 * Storage failures → FTP replies. The client sees a code and a fixed text
 * chosen here, never the error's own message or stack: those can name real
 * paths on the server's disk.
 */

export interface ErrorReplyText {
  readonly code: number;
  readonly text: string;
}

/** RFC 959's own words for 550. */
const UNAVAILABLE = "File unavailable (not found or no access)";

const BY_ERRNO: ReadonlyMap<string, ErrorReplyText> = new Map([
  // One text for "missing" and "not allowed": a different answer for a path
  // behind a symlink out of the root would tell what exists outside it.
  ["ENOENT", { code: 550, text: UNAVAILABLE }],
  ["EACCES", { code: 550, text: UNAVAILABLE }],
  ["EPERM", { code: 550, text: UNAVAILABLE }],
  ["EROFS", { code: 550, text: "Permission denied" }],
  ["EEXIST", { code: 550, text: "File exists" }],
  ["ENOTDIR", { code: 550, text: "Not a directory" }],
  ["EISDIR", { code: 550, text: "Is a directory" }],
  ["ENOTEMPTY", { code: 550, text: "Directory not empty" }],
  ["EBUSY", { code: 450, text: "File busy" }],
  ["ELOOP", { code: 550, text: "Too many levels of symbolic links" }],
  ["EXDEV", { code: 550, text: "Cannot move across devices" }],
  ["ENOSPC", { code: 452, text: "Insufficient storage space" }],
  ["EDQUOT", { code: 552, text: "Exceeded storage allocation" }],
  ["EFBIG", { code: 552, text: "Exceeded storage allocation" }],
  ["ENAMETOOLONG", { code: 553, text: "File name not allowed" }],
  ["EINVAL", { code: 553, text: "File name not allowed" }],
  // Node's own validation, e.g. a NUL byte inside a path.
  ["ERR_INVALID_ARG_VALUE", { code: 553, text: "File name not allowed" }],
  ["ERR_INVALID_ARG_TYPE", { code: 553, text: "File name not allowed" }],
]);

const UNKNOWN: ErrorReplyText = { code: 451, text: "Requested action aborted: local error in processing" };

/** The reply for a storage error; unknown errors give 451 (transient). */
export function storageErrorReply(error: unknown): ErrorReplyText {
  const code = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
  return (typeof code === "string" && BY_ERRNO.get(code)) || UNKNOWN;
}

/**
 * The reply for a storage failure once a transfer's 150 went out: RFC 959
 * allows 451, 551 and 552 (and 452) there, not 550, so "file unavailable"
 * becomes "451 Transfer aborted: …"; 452 and 552 keep their own meaning.
 */
export function transferStorageErrorReply(error: unknown): ErrorReplyText {
  const reply = storageErrorReply(error);
  return reply.code === 550 ? { code: 451, text: `Transfer aborted: ${reply.text}` } : reply;
}

/** True when the error is one a storage implementation raised on purpose (a known errno). */
export function isKnownStorageError(error: unknown): boolean {
  return storageErrorReply(error) !== UNKNOWN;
}

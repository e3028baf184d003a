/**
 * Which failures a client call retries, and how long it waits before the
 * next attempt. Pure: no sockets, no timers (the loop that sleeps is
 * `runWithRetry` in retry-loop.ts). The rules are documented in
 * docs/client.md, "Jobs that survive the network".
 *
 * Transient (worth another attempt on a fresh or the same connection):
 * - replies 421 (closing), 425 (no data connection), 426 (transfer aborted),
 *   450 (file busy), 451 (local error); 452 (no storage) except for uploads,
 *   where a full disk does not free itself within a backoff window;
 * - the control connection lost (ERR_FTP_CLOSED) or a data connection
 *   broken (ERR_FTP_DATA_CONNECTION), and the errno codes ECONNRESET, EPIPE,
 *   ETIMEDOUT, ECONNREFUSED (and their kin) that lie under them;
 * - control, reply and data timeouts (ERR_FTP_TIMEOUT).
 * Never: 530 and every other 5xx, TLS failures (a certificate will not
 * become valid by waiting), an abort, bad options or arguments, a peer that
 * broke the protocol, and errors of the caller's own side (a local file).
 */
import { FtpError, FtpInvalidOptionError } from "../errors.js";
import { isServiceClosing, isTransient } from "../protocol/reply-codes.js";

export interface RetryOptions {
  /**
   * Further attempts after the first failure (so 3 means up to 4 tries).
   * 0, the default, is the behaviour without retry: a lost connection ends
   * the client and the call rejects.
   */
  attempts?: number;
  /** Delay before the first retry, ms; it doubles with each further retry. Default 250. */
  minDelayMs?: number;
  /** Upper bound of one delay, ms. Default 10 000. */
  maxDelayMs?: number;
}

export interface ResolvedRetryOptions {
  readonly attempts: number;
  readonly minDelayMs: number;
  readonly maxDelayMs: number;
}

export const RETRY_DEFAULTS: ResolvedRetryOptions = Object.freeze({ attempts: 0, minDelayMs: 250, maxDelayMs: 10_000 });

/** Validates `retry` (bad values fail at construction, like every client option). */
export function resolveRetryOptions(raw: RetryOptions | undefined): ResolvedRetryOptions {
  if (raw === undefined) return RETRY_DEFAULTS;
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new FtpInvalidOptionError("retry must be an object { attempts, minDelayMs, maxDelayMs }");
  }
  const attempts = raw.attempts ?? RETRY_DEFAULTS.attempts;
  if (!Number.isSafeInteger(attempts) || attempts < 0 || attempts > 1000) {
    throw new FtpInvalidOptionError(`retry.attempts must be a whole number from 0 to 1000, got ${String(attempts)}`);
  }
  const minDelayMs = delayOption("retry.minDelayMs", raw.minDelayMs, RETRY_DEFAULTS.minDelayMs);
  const maxDelayMs = delayOption("retry.maxDelayMs", raw.maxDelayMs, Math.max(minDelayMs, RETRY_DEFAULTS.maxDelayMs));
  if (minDelayMs > maxDelayMs) throw new FtpInvalidOptionError("retry.minDelayMs is above retry.maxDelayMs");
  return Object.freeze({ attempts, minDelayMs, maxDelayMs });
}

function delayOption(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new FtpInvalidOptionError(`${name} must be a non-negative number of milliseconds, got ${String(value)}`);
  }
  return value;
}

/**
 * The wait before retry number `attempt` (1-based): exponential from
 * `minDelayMs`, capped at `maxDelayMs`, then "equal jitter" — a random
 * point in the upper half — so that many clients cut by one outage do not
 * come back in lockstep, while each still waits at least half its step.
 * `random` returns [0, 1) (Math.random; tests pass a fixed one).
 */
export function retryDelay(attempt: number, options: ResolvedRetryOptions, random: () => number = Math.random): number {
  const step = Math.min(options.maxDelayMs, options.minDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(step / 2 + (step / 2) * random());
}

/** What the failed attempt was doing: an upload treats 452 (no space) as final. */
export type RetryContext = "upload" | "other";

/** Errno codes of a network that failed under us (the socket's error, found in an FtpError's cause chain). */
const TRANSIENT_ERRNO: ReadonlySet<string> = new Set([
  "ECONNRESET", "EPIPE", "ETIMEDOUT", "ECONNREFUSED", "ECONNABORTED", "EHOSTUNREACH", "ENETUNREACH", "ENETDOWN", "EAI_AGAIN",
]);

/**
 * Reply codes retried (see the module comment). 421 says the server closes
 * the session; a fresh connection may find it willing again.
 */
export function isTransientReply(code: number, context: RetryContext): boolean {
  if (isServiceClosing(code)) return true;
  if (!isTransient(code)) return false;
  if (code === 452) return context !== "upload";
  return code === 425 || code === 426 || code === 450 || code === 451;
}

/** True when `error` is a failure another attempt may get past. */
export function isRetryable(error: unknown, context: RetryContext = "other"): boolean {
  if (!(error instanceof FtpError)) return hasTransientErrno(error);
  switch (error.code as string) {
    case "ERR_FTP_ABORTED":
    case "ERR_FTP_TLS":
    case "ERR_FTP_INVALID_OPTION":
    case "ERR_FTP_INVALID_ARGUMENT":
    case "ERR_FTP_PROTOCOL":
    case "ERR_FTP_LINE_TOO_LONG":
    case "ERR_FTP_LISTING_TOO_LARGE":
    case "ERR_FTP_UNSUPPORTED":
    case "ERR_FTP_VERIFY":
    case "ERR_FTP_NOT_RESUMABLE":
      return false;
    case "ERR_FTP_TIMEOUT":
    case "ERR_FTP_DATA_CONNECTION":
      return true;
    case "ERR_FTP_CLOSED":
    case "ERR_FTP_CONNECT":
      // A 421 or a 530 that closed the session decides by its code; a TLS failure under it stays final.
      if (error.replyCode !== undefined) return isTransientReply(error.replyCode, context);
      return !hasCause(error, (e) => e instanceof FtpError && e.code === "ERR_FTP_TLS");
    case "ERR_FTP_REPLY":
      return error.replyCode !== undefined && isTransientReply(error.replyCode, context);
    default:
      return false;
  }
}

function hasTransientErrno(error: unknown): boolean {
  return hasCause(error, (e) => typeof (e as { code?: unknown }).code === "string" && TRANSIENT_ERRNO.has((e as { code: string }).code));
}

/** Walks `error` and its `cause` chain (bounded: a cycle must not hang us). */
function hasCause(error: unknown, test: (e: object) => boolean): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && typeof current === "object" && current !== null; depth++) {
    if (test(current)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * True when the error means the control connection is gone (so the next
 * attempt needs a new one): the client's reconnect then takes over.
 */
export function isConnectionLoss(error: unknown): boolean {
  return error instanceof FtpError && ((error.code as string) === "ERR_FTP_CLOSED" || (error.code as string) === "ERR_FTP_CONNECT");
}

/**
 * True when the previous try failed in a way that may have lost the reply
 * to a command the server did carry out (the connection broke, or a reply
 * timed out): a non-idempotent command retried after it may find its work
 * done (a DELE answering 550, an MKD whose directory exists).
 */
export function replyMayBeLost(previous: unknown): boolean {
  return isConnectionLoss(previous) || (previous instanceof FtpError && previous.code === "ERR_FTP_TIMEOUT");
}

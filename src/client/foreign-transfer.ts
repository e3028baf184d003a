/**
 * A transfer command whose data connection this client never touches: one
 * side of a server-to-server transfer (FXP), where PASV/PORT pointed the
 * server at another server. The client only follows the replies — the 1xx
 * that says the server started, then the final one — and can still abort:
 * ABOR, then the same resynchronization as an ordinary transfer.
 */
import { FtpError, FtpProtocolError, FtpReplyError } from "../errors.js";
import type { Reply } from "../protocol/types.js";
import { resynchronize } from "./transfer.js";
import { abortError, throwIfAborted, type Session } from "./session.js";

export interface ForeignTransferOptions {
  readonly signal?: AbortSignal | undefined;
  /** TYPE to be in before the command (default "I"); set through the session, so its TYPE cache stays true. */
  readonly type?: "I" | "A" | undefined;
  /** Called with each preliminary (1xx) reply, e.g. the 150 that says the transfer started. */
  readonly onPreliminary?: ((reply: Reply) => void) | undefined;
  /**
   * Sends STAT every `intervalMs` while the transfer runs (RFC 959 §4.1.3:
   * STAT during a transfer reports its status), one at a time; each 211/212/213
   * that arrives before the final reply goes to `onStatus`. Servers that read
   * no commands during a transfer answer after it: a NOOP sentinel then
   * brings the session back in step.
   */
  readonly status?: { readonly intervalMs: number; readonly onStatus: (reply: Reply) => void } | undefined;
}

const STATUS_CODES: ReadonlySet<number> = new Set([211, 212, 213]);
/** Syntax and sequence refusals: the answer to a STAT the server will not take during a transfer. */
const STAT_REFUSED_CODES: ReadonlySet<number> = new Set([500, 501, 502, 503, 504]);
/** Replies read past, at most, to find the sentinel NOOP's 200. */
const SENTINEL_READ_LIMIT = 10;

export async function runForeignTransfer(session: Session, verb: string, arg: string | undefined, options: ForeignTransferOptions): Promise<Reply> {
  throwIfAborted(options.signal);
  await session.setType(options.type ?? "I");
  const { channel } = session;
  const command = arg === undefined ? verb : `${verb} ${arg}`;
  let abortWith: ((error: Error) => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    abortWith = reject;
  });
  aborted.catch(() => {});
  const onUserAbort = () => abortWith?.(abortError(options.signal));
  options.signal?.addEventListener("abort", onUserAbort, { once: true });
  session.activeTransfer = { abort: (reason) => abortWith?.(reason) };
  let pending: Promise<Reply> | undefined;
  let answered = false;
  let pollTimer: NodeJS.Timeout | undefined;
  let statusOutstanding = 0;
  try {
    throwIfAborted(options.signal);
    channel.write(verb, arg);
    pending = channel.nextReply();
    const first = await Promise.race([pending, aborted]);
    if (first.code < 100) throw new FtpProtocolError(`Unexpected reply ${first.code} to ${verb}`, { reply: first });
    let final = first;
    if (first.code < 200) {
      options.onPreliminary?.(first);
      // The other server moves the bytes, for as long as the file takes: only the caller's signal ends the wait.
      channel.suspendTimeout();
      const { status } = options;
      if (status && status.intervalMs > 0) {
        pollTimer = setInterval(() => {
          if (statusOutstanding > 0 || channel.isClosed) return;
          channel.write("STAT");
          statusOutstanding++;
        }, status.intervalMs);
      }
      for (;;) {
        pending = channel.finalReply(options.onPreliminary);
        final = await Promise.race([pending, aborted]);
        if (statusOutstanding === 0) break;
        if (STATUS_CODES.has(final.code)) {
          statusOutstanding--;
          status?.onStatus(final);
        } else if (STAT_REFUSED_CODES.has(final.code)) {
          // pure-ftpd under TLS: "500 Unknown command" to a STAT mid-transfer. A transfer that already
          // had its 1xx never ends with these, so it is the STAT's answer: stop polling.
          statusOutstanding--;
          clearInterval(pollTimer);
        } else break;
      }
    }
    clearInterval(pollTimer);
    answered = true;
    if (statusOutstanding > 0) await sentinel(session);
    if (final.code >= 400) throw new FtpReplyError(final, { command });
    return final;
  } catch (error) {
    if (!answered && pending && !channel.isClosed && !(error instanceof FtpError && error.code === "ERR_FTP_CLOSED")) {
      await resynchronize(session, pending).catch((syncError: unknown) => {
        channel.close(syncError instanceof FtpError ? syncError : new FtpProtocolError("Could not resynchronize after ABOR", { cause: syncError }));
      });
    }
    throw error;
  } finally {
    clearInterval(pollTimer);
    options.signal?.removeEventListener("abort", onUserAbort);
    session.activeTransfer = undefined;
    channel.resumeTimeout();
  }
}

/** A STAT is still unanswered after the final reply: NOOP, then read until its 200 (the STAT's reply, if any, comes first). */
async function sentinel(session: Session): Promise<void> {
  const { channel } = session;
  channel.resumeTimeout();
  channel.write("NOOP");
  for (let i = 0; i < SENTINEL_READ_LIMIT; i++) {
    if ((await channel.nextReply()).code === 200) return;
  }
  throw new FtpProtocolError("No NOOP reply after STAT: the session is out of step");
}

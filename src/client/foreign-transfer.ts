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
}

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
      pending = channel.finalReply(options.onPreliminary);
      final = await Promise.race([pending, aborted]);
    }
    answered = true;
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
    options.signal?.removeEventListener("abort", onUserAbort);
    session.activeTransfer = undefined;
    channel.resumeTimeout();
  }
}

/**
 * One transfer on one session: prepare the data connection, send the
 * command, pump bytes, and resolve only when the data side has finished
 * **and** the final reply has arrived (the rendezvous). Backpressure is the
 * streams' own (stream.pipeline); the data timeout owns the clock while bytes
 * flow, the control timeout before and after.
 *
 * Cancelling (AbortSignal, `Client.abort()`, a consumer destroying a stream,
 * a local write error) sends ABOR with Telnet IP+Synch and reads replies
 * until the session is provably back in step (see `resynchronize`).
 */
import type { Socket } from "node:net";
import { FtpDataConnectionError, FtpError, FtpProtocolError, FtpReplyError, FtpTimeoutError, FtpTlsError } from "../errors.js";
import { ByteCounter } from "../data/byte-counter.js";
import { needsTls } from "../protocol/reply-codes.js";
import type { Reply } from "../protocol/types.js";
import { localFailure } from "./local-failure.js";
import { connectPassive, passiveAccepted, passiveTarget, passiveVerb, pipelinablePassive, prepareData, type PendingData } from "./data-strategies.js";
import { abortError, debug, throwIfAborted, type ProgressInfo, type Session } from "./session.js";

export interface TransferSpec {
  readonly verb: string;
  readonly arg: string;
  /** Remote path, for events. */
  readonly path: string;
  readonly direction: "upload" | "download" | "list";
  readonly total?: number | undefined;
  readonly signal?: AbortSignal | undefined;
  readonly onProgress?: ((info: ProgressInfo) => void) | undefined;
  /** Commands to send (in order) after the data connection is prepared and before `verb`, e.g. REST. */
  readonly before?: ReadonlyArray<{ verb: string; arg?: string; expect: number }>;
  /**
   * Moves the bytes once the server accepted the command. Resolves when the
   * local side is done (download: the destination finished; upload: our end
   * of the socket was flushed and closed).
   */
  pump(socket: Socket, counter: ByteCounter): Promise<void>;
  /**
   * The local side (the upload's source, the download's destination): `is`
   * is true for its errors. The pipeline destroys the data socket with such
   * an error, so without this it would be reported as a data-connection
   * failure; it leaves as FtpLocalError (`what`: the cause's message).
   */
  readonly local?: { readonly is: (error: unknown) => boolean; readonly what: string; readonly path?: string | undefined } | undefined;
  /** Resumes before this attempt (with `retry`), reported on the "end" event and in the result. */
  readonly resumes?: number | undefined;
}

export interface TransferResult {
  readonly reply: Reply;
  readonly bytes: number;
  /** How many times the transfer was resumed after an interruption (with `retry`). */
  readonly resumes?: number | undefined;
}

export async function runTransfer(session: Session, spec: TransferSpec): Promise<TransferResult> {
  throwIfAborted(spec.signal);
  const { channel } = session;
  const control = new AbortController();
  const onUserAbort = () => control.abort(abortError(spec.signal));
  spec.signal?.addEventListener("abort", onUserAbort, { once: true });
  session.activeTransfer = { abort: (reason) => control.abort(reason) };

  let pending: PendingData | undefined;
  let connecting: Promise<PendingData> | undefined;
  let socket: Socket | undefined;
  let commandSent = false;
  let finalReply: Reply | undefined;
  let finalPromise: Promise<Reply> | undefined;
  let socketError: Error | undefined;
  const progress = progressReporter(session, spec);
  const counter = new ByteCounter(progress.onBytes);
  const onAbortDuringTransfer = () => socket?.destroy(control.signal.reason instanceof Error ? control.signal.reason : abortError(undefined));
  control.signal.addEventListener("abort", onAbortDuringTransfer, { once: true });

  session.observer.transfer({ phase: "start", path: spec.path, direction: spec.direction, bytes: 0 });
  let failure: unknown;
  try {
    const strategy = spec.before?.length ? undefined : pipelinablePassive(session);
    if (strategy) {
      // EPSV and RETR/STOR in one write: the connect runs while the server
      // already handles the transfer command (one round trip per transfer
      // instead of two). Not with REST: a refused REST must stop the STOR.
      writeTogether(session, [[passiveVerb(strategy)], [spec.verb, spec.arg]]);
      commandSent = true;
      const passive = await channel.nextReply();
      let target;
      try {
        if (!passiveAccepted(passive)) throw new FtpReplyError(passive, { command: passiveVerb(strategy) });
        target = passiveTarget(session, strategy, passive);
      } catch (error) {
        // The transfer command is answered too (a refusal, or a 1xx that ABOR then ends): read it to stay in step.
        const answer = await channel.nextReply();
        if (answer.code >= 200) commandSent = false; // answered: nothing left to resynchronize
        throw error;
      }
      connecting = connectPassive(session, target, control.signal);
      connecting.catch(() => {}); // awaited below, or disposed in `finally`
    } else {
      pending = await prepareData(session, control.signal);
      for (const step of spec.before ?? []) {
        const reply = await session.request(step.verb, step.arg);
        if (reply.code !== step.expect) throw new FtpReplyError(reply, { command: `${step.verb}${step.arg ? ` ${step.arg}` : ""}` });
      }
      throwIfAborted(control.signal);
      channel.write(spec.verb, spec.arg);
      commandSent = true;
    }
    const first = await channel.nextReply();
    if (first.code >= 400) {
      finalReply = first;
      throw new FtpReplyError(first, { command: `${spec.verb} ${spec.arg}`.trim() });
    }
    if (first.code >= 200) finalReply = first; // some servers skip the 1xx
    else if (first.code >= 100) finalPromise = channel.finalReply();
    else throw new FtpProtocolError(`Unexpected reply ${first.code} to ${spec.verb}`, { reply: first });

    throwIfAborted(control.signal);
    pending ??= await connecting!;
    socket = await pending.socket(control.signal);
    // A reset or broken pipe on the data side (not one of our own destroy() reasons).
    socket.on("error", (error: Error) => {
      if (!(error instanceof FtpError)) socketError ??= error;
    });
    // While bytes flow the data connection's silence is what matters.
    channel.suspendTimeout();
    const dataTimeout = session.options.timeouts.data;
    if (dataTimeout > 0) {
      socket.setTimeout(dataTimeout, () => socket?.destroy(new FtpTimeoutError(`No data for ${dataTimeout} ms on the data connection`)));
    }
    const dataSocket = socket;
    // A failure reply while bytes still flow ends the data side at once.
    finalPromise?.then(
      (reply) => {
        finalReply = reply;
        if (reply.code >= 400) dataSocket.destroy(new FtpReplyError(reply, { command: `${spec.verb} ${spec.arg}`.trim() }));
      },
      (error: unknown) => dataSocket.destroy(error instanceof Error ? error : undefined),
    );
    await spec.pump(dataSocket, counter);
    channel.resumeTimeout();
    if (finalPromise) finalReply = await finalPromise;
    const reply = finalReply!;
    if (reply.code >= 400) throw new FtpReplyError(reply, { command: `${spec.verb} ${spec.arg}`.trim() });
    throwIfAborted(control.signal);
    progress.final(counter.bytes);
    const resumes = spec.resumes ?? 0;
    session.observer.transfer({ phase: "end", path: spec.path, direction: spec.direction, bytes: counter.bytes, resumes });
    return { reply, bytes: counter.bytes, resumes };
  } catch (error) {
    const local = spec.local?.is(error) === true;
    if (!local && error === socketError && finalPromise && finalReply === undefined && !control.signal.aborted) {
      // The data connection broke; the server's final reply usually says why
      // (426, or 522 when it refused our TLS data session): worth a short wait.
      await Promise.race([
        finalPromise.then((reply) => {
          finalReply = reply;
        }, () => {}),
        new Promise((resolve) => setTimeout(resolve, FINAL_REPLY_GRACE_MS).unref()),
      ]);
    }
    failure = local ? localFailure(error, spec.local!.what, spec.local!.path) : typedFailure(session, spec, chooseError(error, control.signal, finalReply), socketError);
    throw failure;
  } finally {
    spec.signal?.removeEventListener("abort", onUserAbort);
    control.signal.removeEventListener("abort", onAbortDuringTransfer);
    session.activeTransfer = undefined;
    socket?.destroy();
    if (pending) pending.dispose();
    else void connecting?.then((late) => late.dispose(), () => {});
    channel.resumeTimeout();
    if (failure !== undefined) {
      session.observer.transfer({
        phase: "end", path: spec.path, direction: spec.direction, bytes: counter.bytes,
        error: failure instanceof Error ? failure : undefined, resumes: spec.resumes ?? 0,
      });
      // The command is out but its final reply is not in: bring the session back in step.
      if (commandSent && finalReply === undefined && !channel.isClosed) {
        await resynchronize(session, finalPromise).catch((error: unknown) => {
          channel.close(error instanceof FtpError ? error : new FtpProtocolError("Could not resynchronize after ABOR", { cause: error }));
        });
      }
    }
  }
}

/** Writes several commands in one segment (the control socket is in no-delay mode). */
function writeTogether(session: Session, commands: ReadonlyArray<readonly [verb: string, arg?: string]>): void {
  const socket = session.channel.currentSocket;
  socket.cork();
  try {
    for (const [verb, arg] of commands) session.channel.write(verb, arg);
  } finally {
    socket.uncork();
  }
}

/** How long a broken data connection waits for the final reply that explains it. */
const FINAL_REPLY_GRACE_MS = 1000;

/**
 * Failures of the data connection leave as FtpErrors: a 522 to a TLS
 * transfer is the server refusing our TLS data connection (RFC 4217 §10,
 * e.g. vsftpd's "session reuse required") → ERR_FTP_TLS, and so is a reply
 * saying the transfer needs protection first (521/533/534, `needsTls`); an error of the
 * data socket itself (reset, broken pipe) → ERR_FTP_DATA_CONNECTION. Local errors (a destination file that
 * cannot be written) never come here: they leave as ERR_FTP_LOCAL.
 */
function typedFailure(session: Session, spec: TransferSpec, error: unknown, socketError: Error | undefined): unknown {
  const command = `${spec.verb} ${spec.arg}`.trim();
  const tlsData = session.tls?.dataProtection === "private";
  if (tlsData && error instanceof FtpReplyError && error.replyCode === 522) {
    return new FtpTlsError(`The server refused the TLS data connection: 522 ${error.reply.message}`, { reply: error.reply, command, cause: error.cause ?? error });
  }
  if (error instanceof FtpReplyError && needsTls(error.replyCode)) {
    return new FtpTlsError(`The server wants a protected data connection: ${error.replyCode} ${error.reply.message}`, { reply: error.reply, command, cause: error.cause ?? error });
  }
  if (error !== undefined && error === socketError && spec.local?.is(error) !== true) {
    const what = tlsData ? "The TLS data connection" : "The data connection";
    return new FtpDataConnectionError(`${what} failed: ${socketError.message}`, { command, cause: error });
  }
  return error;
}

/** The error to report: a closed connection beats everything, then an abort, then a failure reply. */
function chooseError(error: unknown, signal: AbortSignal, finalReply: Reply | undefined): unknown {
  if (error instanceof FtpError && (error.code === "ERR_FTP_CLOSED" || error.code === "ERR_FTP_TIMEOUT")) return error;
  if (signal.aborted) return signal.reason instanceof FtpError ? signal.reason : abortError(signal);
  if (finalReply && finalReply.code >= 400 && !(error instanceof FtpReplyError)) return new FtpReplyError(finalReply, { cause: error });
  return error;
}

/**
 * Servers answer an abort in incompatible ways: 426 + 226 (RFC 959), only
 * 225/226, nothing at all for an IAC-prefixed ABOR once the transfer is over
 * (pure-ftpd), or even a stray 1xx instead of a final reply (pure-ftpd when
 * the data connection broke). And some discard control input that arrives
 * together with an ABOR during a transfer. So: send ABOR; wait until the
 * server says anything (or a short quiet period passes); only then send a
 * NOOP, and read until its 200. Whatever came before is the transfer's and
 * ABOR's replies; after the 200 the session is provably in step.
 */
const ABOR_SETTLE_MS = 1000;

export async function resynchronize(session: Session, finalPromise: Promise<Reply> | undefined): Promise<void> {
  const { channel } = session;
  debug("aborting the transfer");
  // Any reply counts as "the server has left its transfer loop", a stray 1xx included.
  let onReply!: () => void;
  let settleTimer: NodeJS.Timeout | undefined;
  const answered = new Promise<boolean>((resolve) => {
    onReply = () => resolve(true);
    settleTimer = setTimeout(() => resolve(false), ABOR_SETTLE_MS);
  });
  channel.on("reply", onReply);
  channel.writeAbort();
  // The oldest waiter gets the next reply: the transfer's final one if it is still expected.
  const first = finalPromise ?? channel.nextReply();
  const settled = await Promise.race([answered, first.then(() => true)]).finally(() => {
    clearTimeout(settleTimer);
    channel.off("reply", onReply);
  });
  debug("abort: %s; sending the NOOP sentinel", settled ? "server answered" : "server silent");
  channel.write("NOOP");
  let reply = await first;
  for (let i = 0; reply.code !== 200; i++) {
    if (i >= 10) throw new FtpProtocolError("No NOOP reply after ABOR: the session is out of step");
    reply = await channel.nextReply();
  }
}

/** Per chunk, but at most every `progressInterval` ms; `final` always reports unless nothing changed. */
function progressReporter(session: Session, spec: TransferSpec): { onBytes: (bytes: number) => void; final: (bytes: number) => void } {
  let lastTime = 0;
  let lastBytes = -1;
  const interval = session.options.progressInterval;
  const emit = (bytes: number) => {
    lastBytes = bytes;
    const info: ProgressInfo = { path: spec.path, direction: spec.direction, bytes, total: spec.total };
    spec.onProgress?.(info);
    session.observer.progress(info);
  };
  return {
    onBytes: (bytes) => {
      const now = Date.now();
      if (now - lastTime < interval) return;
      lastTime = now;
      emit(bytes);
    },
    final: (bytes) => {
      if (bytes !== lastBytes) emit(bytes);
    },
  };
}

/**
 * Opening a session: TCP connect, greeting (120 → wait, 421 → refused),
 * HOST, USER/PASS/ACCT, FEAT, OPTS UTF8 ON, TYPE I. Every step is bounded by
 * a timeout and rejects with a typed error; on failure the socket is closed.
 *
 * FTPS: implicit TLS upgrades the channel before the greeting, explicit
 * AUTH TLS between the greeting and HOST/USER (so HOST, the password and
 * everything after travel protected; SNI names the host to the TLS layer).
 * PBSZ 0 + PROT P/C follow the login.
 */
import type { Duplex } from "node:stream";
import { connectSocket } from "../data/data-connect.js";
import { FtpConnectError, FtpConnectionClosedError, FtpError, FtpInvalidOptionError, FtpProtocolError, FtpReplyError, FtpTimeoutError } from "../errors.js";
import { ReplyChannel, type ClientControlSocket } from "../control/client-channel.js";
import { abortable } from "../io/abortable.js";
import { parseFeatReply } from "../protocol/features.js";
import { isFailure, isUnknownCommand } from "../protocol/reply-codes.js";
import type { Reply } from "../protocol/types.js";
import { authTls, negotiateProtection, secureImplicit } from "./ftps.js";
import type { ClientCredentials, ResolvedClientOptions } from "./options.js";
import { Session, abortError, debug, type SessionObserver } from "./session.js";

export interface OpenSessionHooks {
  /** Called as soon as the channel exists, so the Client can forward its events during login. */
  onChannel?(channel: ReplyChannel): void;
  signal?: AbortSignal | undefined;
}

export async function openSession(
  options: ResolvedClientOptions,
  credentials: ClientCredentials,
  observer: SessionObserver,
  hooks: OpenSessionHooks = {},
): Promise<Session> {
  const { signal } = hooks;
  if (signal?.aborted) throw abortError(signal);
  const socket = await openSocket(options, signal);
  const channel = new ReplyChannel(socket, {
    timeoutMs: options.timeouts.control,
    replyTimeoutMs: options.timeouts.reply,
    encoding: options.encoding,
    maxLineLength: options.limits.maxReplyLineLength,
    maxReplyLines: options.limits.maxReplyLines,
    maxReplyBytes: options.limits.maxReplyBytes,
  });
  hooks.onChannel?.(channel);
  const session = new Session(channel, options, observer);
  // One deadline for the whole login: the connect timeout covers greeting and handshake too.
  const deadline = options.timeouts.connect > 0
    ? setTimeout(() => channel.close(new FtpTimeoutError(`Login did not finish within ${options.timeouts.connect} ms`)), options.timeouts.connect)
    : undefined;
  const onAbort = () => channel.close(abortError(signal));
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    if (options.secure === "implicit") session.tls = await secureImplicit(channel, options);
    await readGreeting(channel);
    if (options.secure === "explicit") session.tls = await authTls(channel, options);
    if (options.virtualHost !== undefined) {
      const reply = await channel.request("HOST", options.virtualHost);
      // The server does not know HOST: carry on as RFC 7151 §3 allows.
      if (isFailure(reply.code) && !isUnknownCommand(reply.code)) throw new FtpReplyError(reply, { command: `HOST ${options.virtualHost}` });
    }
    await login(session, credentials);
    if (session.tls) await negotiateProtection(session, session.tls);
    session.features = parseFeatReply(await channel.request("FEAT"));
    if (options.encoding === "utf8" && session.has("UTF8")) {
      // Some servers (vsftpd) are always UTF-8 and answer 200 or 501/502; either way lines are decoded as UTF-8.
      await channel.request("OPTS", "UTF8 ON");
    }
    await session.setType("I");
    if (options.path !== undefined) await session.command("CWD", options.path);
    return session;
  } catch (error) {
    const failure = error instanceof FtpError ? error : new FtpConnectionClosedError("Login failed", { cause: error });
    // A refusal the server stated (421/530 reply) says more than the close that followed it.
    const reason = failure instanceof FtpReplyError ? failure : channel.closeError ?? failure;
    channel.close(reason);
    throw reason;
  } finally {
    if (deadline) clearTimeout(deadline);
    signal?.removeEventListener("abort", onAbort);
  }
}

function openSocket(options: ResolvedClientOptions, signal: AbortSignal | undefined): Promise<ClientControlSocket> {
  if (options.createSocket) return suppliedSocket(options, signal);
  return connectSocket({
    host: options.host,
    port: options.port,
    family: options.family,
    timeoutMs: options.timeouts.connect,
    signal,
    failure: (message, cause) => new FtpConnectError(options.host, options.port, message, { cause }),
    aborted: () => abortError(signal),
  });
}

/**
 * The control connection from `options.createSocket`, bounded by the connect
 * timeout and the caller's signal like a TCP connect; a socket that comes
 * after either is destroyed.
 */
async function suppliedSocket(options: ResolvedClientOptions, signal: AbortSignal | undefined): Promise<ClientControlSocket> {
  const { host, port, family } = options;
  const ms = options.timeouts.connect;
  const stop = new AbortController();
  const timer = ms > 0 ? setTimeout(() => stop.abort(new FtpTimeoutError(`createSocket did not give a connection to ${host} port ${port} within ${ms} ms`)), ms) : undefined;
  const onAbort = () => stop.abort(abortError(signal));
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    const made = (async () => options.createSocket!({ host, port, family, signal: stop.signal }))();
    const socket = await abortable(made, stop.signal, { discard: (late) => destroyQuietly(late) });
    if (!isDuplex(socket)) {
      throw new FtpInvalidOptionError("createSocket must give a Duplex (a net.Socket, a tunnel, a test stream)");
    }
    if (socket.destroyed) throw new FtpConnectError(host, port, `The socket from createSocket for ${host} port ${port} is already destroyed`);
    return socket;
  } catch (error) {
    throw error instanceof FtpError ? error : new FtpConnectError(host, port, `createSocket failed for ${host} port ${port}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  } finally {
    if (timer) clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
  }
}

/** Duck-typed: a Duplex from another stream implementation (readable-stream) is welcome too. */
function isDuplex(value: unknown): value is Duplex {
  const v = value as Partial<Duplex> | null;
  return typeof v === "object" && v !== null && typeof v.write === "function" && typeof v.on === "function" && typeof v.destroy === "function" && typeof v.end === "function";
}

function destroyQuietly(value: unknown): void {
  if (isDuplex(value)) {
    value.on("error", () => {});
    value.destroy();
  }
}

async function readGreeting(channel: ReplyChannel): Promise<void> {
  // 120 "ready in nnn minutes" may come first; the connect deadline bounds the wait for 220.
  for (let i = 0; i < 100; i++) {
    const reply: Reply = await channel.nextReply();
    if (reply.code === 120) continue;
    if (reply.code === 220) return;
    if (isFailure(reply.code)) throw new FtpReplyError(reply, { command: "(greeting)" });
    throw new FtpProtocolError(`Unexpected greeting ${reply.code} ${reply.message}`, { reply });
  }
  throw new FtpProtocolError("Too many 120 replies before the greeting");
}

async function login(session: Session, credentials: ClientCredentials): Promise<void> {
  const { user } = session.options;
  const { password, account } = credentials;
  let reply = await session.request("USER", user);
  if (reply.code === 331) reply = await session.request("PASS", password);
  if (reply.code === 332) {
    if (account === undefined) throw new FtpReplyError(reply, { command: "PASS ***" });
    reply = await session.request("ACCT", account);
  }
  if (reply.code === 230 || reply.code === 202) {
    if (debug.enabled) debug("logged in as %s", user);
    return;
  }
  throw new FtpReplyError(reply, { command: reply.code === 331 ? "USER" : "PASS ***" });
}

/**
 * How a data connection is made, as small strategies tried in order:
 * passive EPSV then PASV, active EPRT then PORT. The first that the server
 * accepts is remembered for the session. Every data socket, whichever way it
 * was made, passes through `secureDataSocket` — the one place where PROT P
 * wraps it in TLS. That happens when the transfer claims the socket, i.e.
 * after the server answered the transfer command (see ftps.ts for why).
 */
import type { Socket } from "node:net";
import { isIP } from "node:net";
import { FtpDataConnectionError, FtpProtocolError, FtpReplyError } from "../errors.js";
import { connectData } from "../data/data-connect.js";
import { DataListener } from "../data/data-listener.js";
import { formatEprtArg, formatPortArg, parseEpsvReply, parsePasvReply, unmapIPv4 } from "../protocol/host-port.js";
import { isCommandNotSupported, isCompletion, isNetworkProtocolNotSupported } from "../protocol/reply-codes.js";
import type { Reply } from "../protocol/types.js";
import { secureDataConnection } from "./ftps.js";
import { abortError, debug, type ActiveStrategy, type PassiveStrategy, type Session } from "./session.js";

/** A data connection being set up: `socket()` yields it once the peer is there. */
export interface PendingData {
  socket(signal?: AbortSignal): Promise<Socket>;
  /** Releases whatever is still open (listener or unclaimed socket). */
  dispose(): void;
}

/** Replies that make the next strategy worth trying: EPSV/EPRT unknown, or their network protocol refused. */
function unsupported(reply: Reply): boolean {
  return isCommandNotSupported(reply.code) || isNetworkProtocolNotSupported(reply.code);
}

/** Prepares a data connection before the transfer command is sent. */
export function prepareData(session: Session, signal?: AbortSignal): Promise<PendingData> {
  return session.options.mode === "active" ? prepareActive(session) : preparePassive(session, signal);
}

async function preparePassive(session: Session, signal?: AbortSignal): Promise<PendingData> {
  const order: PassiveStrategy[] = session.passiveStrategy ? [session.passiveStrategy] : ["epsv", "pasv"];
  let lastReply: Reply | undefined;
  for (const strategy of order) {
    const reply = await session.request(passiveVerb(strategy));
    if (passiveAccepted(reply)) {
      const target = passiveTarget(session, strategy, reply);
      session.passiveStrategy = strategy;
      return connectPassive(session, target, signal);
    }
    lastReply = reply;
    if (!unsupported(reply)) break;
  }
  if (lastReply) throw new FtpReplyError(lastReply, { command: order.length > 1 ? "PASV" : order[0]!.toUpperCase() });
  throw new FtpDataConnectionError("No passive mode available");
}

/**
 * The passive command may travel in the same write as the transfer command
 * once a passive strategy has worked on this session: the server reads them
 * in order, so the transfer waits for our connection instead of for another
 * round trip. Not for active mode (the listener must exist first).
 */
export function pipelinablePassive(session: Session): PassiveStrategy | undefined {
  return session.options.mode === "active" ? undefined : session.passiveStrategy;
}

export function passiveVerb(strategy: PassiveStrategy): "EPSV" | "PASV" {
  return strategy === "epsv" ? "EPSV" : "PASV";
}

export function passiveAccepted(reply: Reply): boolean {
  return reply.code === 229 || reply.code === 227;
}

/** Where a 229/227 says to connect; throws FtpProtocolError for a reply that names no port. */
export function passiveTarget(session: Session, strategy: PassiveStrategy, reply: Reply): PassiveTarget {
  return strategy === "epsv" ? epsvTarget(session, reply) : pasvTarget(session, reply);
}

export interface PassiveTarget {
  readonly host: string;
  readonly port: number;
}

/** Connects to a passive target (its host already checked, see pasvTarget). */
export async function connectPassive(session: Session, target: PassiveTarget, signal?: AbortSignal): Promise<PendingData> {
  debug("passive → %s port %d", target.host, target.port);
  const raw = tune(await connectData({ host: target.host, port: target.port, timeoutMs: session.options.timeouts.data, signal }));
  let claimed = false;
  return {
    socket: (claimSignal) => {
      claimed = true;
      return secureDataSocket(session, raw, claimSignal);
    },
    dispose: () => {
      if (!claimed) raw.destroy();
    },
  };
}

/**
 * The control connection's peer address. A control socket from
 * `createSocket` (a tunnel) may have none: then the host the options name,
 * which is where the tunnel leads.
 */
function controlPeer(session: Session): string {
  const address = session.channel.remoteAddress;
  if (address) return unmapIPv4(address);
  if (session.options.createSocket) return session.options.host;
  throw new FtpDataConnectionError("The control connection has no remote address");
}

function epsvTarget(session: Session, reply: Reply): { host: string; port: number } {
  // EPSV names only a port: the host is always the control peer (RFC 2428 §3).
  return { host: controlPeer(session), port: parseEpsvReply(reply.message) };
}

function pasvTarget(session: Session, reply: Reply): { host: string; port: number } {
  const announced = parsePasvReply(reply.message);
  const peer = controlPeer(session);
  // A server behind NAT often announces its private address; trusting it also
  // lets a hostile server aim our data connection elsewhere (RFC 2577).
  if (announced.host !== peer && !session.options.usePassiveReplyAddress) {
    debug("PASV named %s, using the control peer %s", announced.host, peer);
    return { host: peer, port: announced.port };
  }
  return { host: announced.host, port: announced.port };
}

async function prepareActive(session: Session): Promise<PendingData> {
  const local = session.options.active.address ?? unmapIPv4(session.channel.localAddress ?? "");
  if (!isIP(local)) throw new FtpDataConnectionError(`No local address to listen on for active mode (got ${JSON.stringify(local)})`);
  const listener = await DataListener.open({
    host: local,
    portRange: session.options.active.portRange,
    // A tunnel to a host given by name cannot say which address will connect back: any peer then.
    acceptFrom: isIP(controlPeer(session)) ? controlPeer(session) : undefined,
    timeoutMs: session.options.timeouts.data,
  });
  try {
    const order: ActiveStrategy[] = session.activeStrategy
      ? [session.activeStrategy]
      : isIP(local) === 6 ? ["eprt"] : ["eprt", "port"];
    let lastReply: Reply | undefined;
    let accepted = false;
    for (const strategy of order) {
      const reply = strategy === "eprt"
        ? await session.request("EPRT", formatEprtArg({ host: local, port: listener.port }))
        : await session.request("PORT", formatPortArg({ host: local, port: listener.port }));
      if (isCompletion(reply.code)) {
        session.activeStrategy = strategy;
        accepted = true;
        break;
      }
      lastReply = reply;
      if (!unsupported(reply)) break;
    }
    if (!accepted) {
      if (lastReply) throw new FtpReplyError(lastReply, { command: "PORT" });
      throw new FtpProtocolError("Active mode refused");
    }
  } catch (error) {
    listener.close();
    throw error;
  }
  return {
    socket: async (signal) => {
      const raw = tune(await listener.accept(signal));
      return secureDataSocket(session, raw, signal);
    },
    dispose: () => listener.close(),
  };
}

/**
 * The seam every data socket passes through when the transfer claims it:
 * clear under PROT C (or without TLS), else the TLS handshake resuming the
 * control connection's session. `signal` ends a handshake that hangs.
 */
export async function secureDataSocket(session: Session, socket: Socket, signal?: AbortSignal): Promise<Socket> {
  const tls = session.tls;
  if (!tls || tls.dataProtection !== "private") return socket;
  if (signal?.aborted) {
    socket.destroy();
    throw abortError(signal);
  }
  const onAbort = () => socket.destroy();
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    const secured = await secureDataConnection(session, tls, socket);
    secured.on("error", ignore);
    return secured;
  } catch (error) {
    throw signal?.aborted ? abortError(signal) : error;
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
}

function tune(socket: Socket): Socket {
  socket.setNoDelay(true);
  // A server may reset a data connection nobody reads yet (proftpd after a
  // 550): that must not be an unhandled 'error'. Pipelines add their own
  // listener and still see every error.
  socket.on("error", ignore);
  return socket;
}

function ignore(): void {}

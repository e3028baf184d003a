/**
 * The server half of the data-channel manager: one per session. It holds at
 * most one pending data connection setup — a passive listener (PASV/EPSV)
 * or an active target (PORT/EPRT) — and turns it into a socket when a
 * transfer starts. Every data socket passes through `secureDataSocket()`,
 * the single seam where FTPS (PROT P) will wrap it in TLS.
 */
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import createDebug from "debug";
import { FtpDataConnectionError } from "../errors.js";
import { connectData } from "../data/data-connect.js";
import { DataListener } from "../data/data-listener.js";
import { unmapIPv4 } from "../protocol/host-port.js";

const debug = createDebug("ftpwire:data");

/** A data socket as transfers see it: plain TCP now, TLS once PROT P exists. */
export type DataSocket = Socket | Duplex;

export interface DataChannelContext {
  /** Local address of the control connection (unmapped). */
  readonly localAddress: string;
  /** Remote address of the control connection (unmapped): the only peer allowed on the data port. */
  readonly remoteAddress: string;
  readonly portRange: readonly [number, number] | undefined;
  readonly timeoutMs: number;
}

/**
 * The seam for data-connection security: today it returns the socket as
 * is; FTPS will make it `tls.connect({ socket, ... })` / a TLS server
 * socket depending on PROT, reusing the control connection's TLS session.
 */
export async function secureDataSocket(socket: Socket, _context: DataChannelContext): Promise<DataSocket> {
  return socket;
}

export class ServerDataChannel {
  private listener: DataListener | undefined;
  private active: { host: string; port: number } | undefined;
  private readonly context: DataChannelContext;

  constructor(context: DataChannelContext) {
    this.context = context;
  }

  /** True when PASV/EPSV/PORT/EPRT prepared a connection for the next transfer. */
  get prepared(): boolean {
    return this.listener !== undefined || this.active !== undefined;
  }

  /** Opens a passive listener on the control connection's local address (replacing any previous setup). */
  async listen(): Promise<DataListener> {
    this.close();
    const listener = await DataListener.open({
      host: this.context.localAddress,
      portRange: this.context.portRange,
      acceptFrom: this.context.remoteAddress,
      timeoutMs: this.context.timeoutMs,
    });
    listener.on("rejected", (address) => debug("refused data connection from foreign address %s", address));
    this.listener = listener;
    return listener;
  }

  /** Remembers where to connect for the next transfer (replacing any previous setup). */
  connectTo(host: string, port: number): void {
    this.close();
    this.active = { host: unmapIPv4(host), port };
  }

  /** The data socket for one transfer; the setup is used up either way. */
  async open(signal: AbortSignal): Promise<DataSocket> {
    const listener = this.listener;
    const active = this.active;
    this.listener = undefined;
    this.active = undefined;
    let socket: Socket;
    if (listener) {
      try {
        socket = await listener.accept(signal);
      } finally {
        listener.close();
      }
    } else if (active) {
      socket = await connectData({
        host: active.host,
        port: active.port,
        localAddress: this.context.localAddress,
        timeoutMs: this.context.timeoutMs,
        signal,
      });
    } else {
      throw new FtpDataConnectionError("No data connection was prepared (PASV/EPSV/PORT/EPRT)");
    }
    socket.setNoDelay(true);
    return secureDataSocket(socket, this.context);
  }

  /** Drops any pending setup (closes a passive listener). */
  close(): void {
    this.listener?.close();
    this.listener = undefined;
    this.active = undefined;
  }
}

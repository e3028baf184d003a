/**
 * A one-shot listener for a data connection: the server's PASV/EPSV port and
 * the client's PORT/EPRT port are the same thing seen from two roles. It
 * binds a port (from a range when one is configured), accepts exactly one
 * connection from the expected peer address, destroys anyone else's, and
 * gives up after a timeout. A connection that arrives before `accept()` is
 * called is held (paused, so its bytes wait in the socket) until claimed.
 */
import { EventEmitter } from "node:events";
import { createServer, type Server, type Socket } from "node:net";
import createDebug from "debug";
import { FtpAbortError, FtpDataConnectionError, FtpInvalidOptionError, FtpTimeoutError } from "../errors.js";
import { unmapIPv4 } from "../protocol/host-port.js";

const debug = createDebug("ftpwire:data");

export interface DataListenerOptions {
  /** Local address to bind, e.g. "127.0.0.1" or "::1". */
  readonly host: string;
  /** Inclusive port range; a random port in it is tried first, then the following ones. */
  readonly portRange?: readonly [number, number] | undefined;
  /** When set, only a peer with this address may connect (IPv4-mapped forms are unmapped first). */
  readonly acceptFrom?: string | undefined;
  /** How long to wait for the peer, counted from `open()`. */
  readonly timeoutMs: number;
}

type Waiter = { resolve: (socket: Socket) => void; reject: (error: Error) => void };

export interface DataListenerEvents {
  /** A connection from a foreign address was refused. */
  rejected: [remoteAddress: string];
}

export class DataListener extends EventEmitter<DataListenerEvents> {
  readonly host: string;
  readonly port: number;
  private readonly server: Server;
  private readonly acceptFrom: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private ready: Socket | undefined;
  private waiter: Waiter | undefined;
  private failure: Error | undefined;

  private constructor(server: Server, host: string, port: number, options: DataListenerOptions) {
    super();
    this.server = server;
    this.host = host;
    this.port = port;
    this.acceptFrom = options.acceptFrom === undefined ? undefined : unmapIPv4(options.acceptFrom);
    server.on("connection", (socket) => this.onConnection(socket));
    server.on("error", (error) => this.fail(new FtpDataConnectionError("Data listener failed", { cause: error })));
    this.timer = setTimeout(
      () => this.fail(new FtpTimeoutError(`No data connection within ${options.timeoutMs} ms`)),
      options.timeoutMs,
    );
    this.timer.unref?.();
  }

  /** Binds a port and starts waiting. */
  static async open(options: DataListenerOptions): Promise<DataListener> {
    const server = createServer({ pauseOnConnect: true, noDelay: true });
    const port = await bindInRange(server, options.host, options.portRange);
    debug("listening on %s port %d", options.host, port);
    return new DataListener(server, options.host, port, options);
  }

  /** Resolves with the peer's socket (paused), once. */
  accept(signal?: AbortSignal): Promise<Socket> {
    if (this.ready) {
      const socket = this.ready;
      this.ready = undefined;
      return Promise.resolve(socket);
    }
    if (this.failure) return Promise.reject(this.failure);
    if (this.waiter) return Promise.reject(new FtpDataConnectionError("accept() is already pending"));
    if (signal?.aborted) return Promise.reject(new FtpAbortError());
    return new Promise<Socket>((resolve, reject) => {
      const onAbort = () => this.fail(new FtpAbortError("Waiting for the data connection was aborted"));
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiter = {
        resolve: (socket) => {
          signal?.removeEventListener("abort", onAbort);
          resolve(socket);
        },
        reject: (error) => {
          signal?.removeEventListener("abort", onAbort);
          reject(error);
        },
      };
    });
  }

  /** Stops listening; an unclaimed connection is destroyed, a pending accept() rejects. */
  close(): void {
    this.fail(new FtpDataConnectionError("Data listener closed"));
  }

  private onConnection(socket: Socket): void {
    const remote = unmapIPv4(socket.remoteAddress ?? "");
    if (this.failure || this.ready || (this.acceptFrom !== undefined && remote !== this.acceptFrom)) {
      debug("refused data connection from %s (expected %s)", remote, this.acceptFrom);
      socket.destroy();
      if (!this.failure && !this.ready) this.emit("rejected", remote);
      return;
    }
    socket.setNoDelay(true);
    this.stopListening();
    // An error on the socket before anyone claims it must not crash the process;
    // the claimant sees the socket's state when it starts reading.
    const swallow = () => {};
    socket.on("error", swallow);
    const waiter = this.waiter;
    this.waiter = undefined;
    if (waiter) {
      socket.off("error", swallow);
      waiter.resolve(socket);
    } else {
      this.ready = socket;
      socket.once("close", () => socket.off("error", swallow));
    }
  }

  private fail(error: Error): void {
    if (!this.failure) this.failure = error;
    this.stopListening();
    if (this.ready) {
      this.ready.destroy();
      this.ready = undefined;
    }
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.reject(error);
  }

  private stopListening(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.server.listening) this.server.close();
  }
}

async function bindInRange(server: Server, host: string, range: readonly [number, number] | undefined): Promise<number> {
  if (!range) return listenOn(server, host, 0);
  const [low, high] = range;
  if (!Number.isInteger(low) || !Number.isInteger(high) || low < 1 || high > 65535 || low > high) {
    throw new FtpInvalidOptionError(`Invalid port range [${low}, ${high}]`);
  }
  const size = high - low + 1;
  const first = Math.floor(Math.random() * size);
  for (let i = 0; i < size; i++) {
    const port = low + ((first + i) % size);
    try {
      return await listenOn(server, host, port);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== "EADDRINUSE" && code !== "EACCES") {
        throw new FtpDataConnectionError(`Cannot listen on ${host} port ${port}`, { cause: error });
      }
    }
  }
  throw new FtpDataConnectionError(`No free port in range ${low}-${high}`);
}

function listenOn(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => {
      server.off("listening", onListening);
      reject(error);
    };
    const onListening = () => {
      server.off("error", onError);
      const address = server.address();
      resolve(typeof address === "object" && address ? address.port : port);
    };
    server.once("error", onError);
    server.once("listening", onListening);
    server.listen({ host, port, exclusive: true });
  });
}

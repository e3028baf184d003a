/**
 * A listener for a data connection: the server's PASV/EPSV port and the
 * client's PORT/EPRT port are the same thing seen from two roles. It binds a
 * port (from a range when one is configured), accepts exactly one connection
 * from the expected peer address, destroys anyone else's, and gives up after
 * a timeout. A reusable listener keeps its port for the next connection
 * (`rearm()`) and refuses every connection in between. A connection that arrives before `accept()` is
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
  /** How long to wait for the peer, counted from `open()` (and from each `rearm()`). */
  readonly timeoutMs: number;
  /**
   * Keep the port after a connection: `rearm()` waits for the next one on
   * the same port (the server's passive port, kept for a session's next
   * transfers). Between arms every connection is refused.
   */
  readonly reusable?: boolean;
  /**
   * For a peer whose address is not `acceptFrom`: whether it may be accepted
   * after all (a trusted load balancer relaying the client, say). It may read
   * from the socket (a PROXY header) before deciding; a rejection refuses.
   */
  readonly vouch?: ((socket: Socket, remoteAddress: string) => Promise<boolean>) | undefined;
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
  private readonly vouch: DataListenerOptions["vouch"];
  private timer: NodeJS.Timeout | undefined;
  private ready: Socket | undefined;
  private waiter: Waiter | undefined;
  private failure: Error | undefined;
  private readonly reusable: boolean;
  private readonly timeoutMs: number;
  /** Waiting for a connection (always, for a one-shot listener until it has one). */
  private armed = true;

  private constructor(server: Server, host: string, port: number, options: DataListenerOptions) {
    super();
    this.server = server;
    this.host = host;
    this.port = port;
    this.acceptFrom = options.acceptFrom === undefined ? undefined : unmapIPv4(options.acceptFrom);
    this.reusable = options.reusable ?? false;
    this.timeoutMs = options.timeoutMs;
    this.vouch = options.vouch;
    server.on("connection", (socket) => this.onConnection(socket));
    server.on("error", (error) => {
      this.fail(new FtpDataConnectionError("Data listener failed", { cause: error }));
      this.stopListening();
    });
    this.startTimer();
  }

  /** Still bound to its port (a reusable listener until `close()`). */
  get listening(): boolean {
    return this.server.listening;
  }

  /** A reusable listener waits for one more connection, with a fresh timeout. */
  rearm(): void {
    if (!this.reusable || !this.server.listening) throw new FtpDataConnectionError("This data listener cannot be rearmed");
    // Only a wait still open needs ending (an error per transfer costs a stack trace for nothing).
    if (this.armed || this.ready || this.waiter) this.disarm();
    this.failure = undefined;
    this.armed = true;
    this.startTimer();
  }

  /**
   * Ends the current wait of a reusable listener without closing its port:
   * an unclaimed connection is destroyed, a pending accept() rejects, and
   * connections are refused until the next `rearm()`.
   */
  disarm(): void {
    if (!this.reusable) return this.close();
    this.fail(new FtpDataConnectionError("Data connection setup dropped"));
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
    this.stopListening();
  }

  private onConnection(socket: Socket, vouched = false): void {
    const remote = unmapIPv4(socket.remoteAddress ?? "");
    const foreign = !vouched && this.acceptFrom !== undefined && remote !== this.acceptFrom;
    const waiting = this.armed && !this.failure && !this.ready;
    if (foreign && waiting && this.vouch) {
      socket.on("error", () => {});
      this.vouch(socket, remote).then(
        (ok) => (ok ? this.onConnection(socket, true) : this.refuse(socket, remote)),
        () => this.refuse(socket, remote),
      );
      return;
    }
    if (!waiting || foreign) {
      debug("refused data connection from %s (expected %s)", remote, this.acceptFrom);
      socket.destroy();
      if (this.armed && !this.failure && !this.ready) this.emit("rejected", remote);
      return;
    }
    socket.setNoDelay(true);
    this.armed = false;
    this.clearTimer();
    if (!this.reusable) this.stopListening();
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

  private refuse(socket: Socket, remote: string): void {
    debug("refused data connection from %s (not vouched for)", remote);
    socket.destroy();
    if (this.armed && !this.failure && !this.ready) this.emit("rejected", remote);
  }

  /** Ends the current wait (the listener itself stays open when reusable; `close()` stops it). */
  private fail(error: Error): void {
    if (!this.failure) this.failure = error;
    this.armed = false;
    this.clearTimer();
    if (!this.reusable) this.stopListening();
    if (this.ready) {
      this.ready.destroy();
      this.ready = undefined;
    }
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.reject(error);
  }

  private startTimer(): void {
    this.clearTimer();
    // A peer that never came is not coming: even a reusable port is given back.
    this.timer = setTimeout(() => {
      this.fail(new FtpTimeoutError(`No data connection within ${this.timeoutMs} ms`));
      this.stopListening();
    }, this.timeoutMs);
    this.timer.unref?.();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private stopListening(): void {
    this.clearTimer();
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

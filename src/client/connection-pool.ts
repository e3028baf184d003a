/**
 * Parallel work over several connections (FTP runs one transfer per
 * connection; interleaving on one socket is impossible). Connections are
 * opened lazily up to `size` through `open`, reused, and replaced when one
 * dies. Knows nothing of Client itself, so that the client's own tree
 * transfers can use it without an import cycle (ClientPool builds on it).
 */
import { FtpConnectionClosedError, FtpInvalidOptionError } from "../errors.js";
import { abortError } from "./session.js";

/** What the pool needs of a connection. */
export interface PooledConnection {
  readonly connected: boolean;
  close(): Promise<void>;
  once(event: "close", listener: () => void): unknown;
}

interface Waiter<C> {
  resolve: (connection: C) => void;
  reject: (error: unknown) => void;
}

export class ConnectionPool<C extends PooledConnection> {
  /** Most connections open at once. */
  readonly size: number;
  readonly #open: (signal?: AbortSignal) => Promise<C>;
  readonly #idle: C[] = [];
  readonly #all = new Set<C>();
  #opening = 0;
  readonly #waiters: Array<Waiter<C>> = [];
  #closed = false;

  constructor(size: number, open: (signal?: AbortSignal) => Promise<C>) {
    if (!Number.isInteger(size) || size < 1 || size > 1000) {
      throw new FtpInvalidOptionError(`connections must be an integer from 1 to 1000, got ${String(size)}`);
    }
    this.size = size;
    this.#open = open;
  }

  /** Runs `task` on a free connection (opening one if allowed, else waiting for one). */
  async run<T>(task: (connection: C) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const connection = await this.#acquire(signal);
    try {
      return await task(connection);
    } finally {
      this.#release(connection);
    }
  }

  /** Closes every connection; waiting and later runs reject with ERR_FTP_CLOSED. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const waiter of this.#waiters.splice(0)) waiter.reject(new FtpConnectionClosedError("The pool is closed"));
    await Promise.all([...this.#all].map((c) => c.close()));
    this.#all.clear();
    this.#idle.length = 0;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async #acquire(signal?: AbortSignal): Promise<C> {
    if (this.#closed) throw new FtpConnectionClosedError("The pool is closed");
    if (signal?.aborted) throw abortError(signal);
    for (;;) {
      const connection = this.#idle.pop();
      if (!connection) break;
      if (connection.connected) return connection;
      this.#all.delete(connection);
    }
    if (this.#all.size + this.#opening < this.size) {
      this.#opening++;
      try {
        const connection = await this.#open(signal);
        if (this.#closed) {
          await connection.close();
          throw new FtpConnectionClosedError("The pool is closed");
        }
        this.#all.add(connection);
        connection.once("close", () => this.#all.delete(connection));
        return connection;
      } finally {
        this.#opening--;
      }
    }
    return new Promise<C>((resolve, reject) => {
      const waiter: Waiter<C> = { resolve, reject };
      const onAbort = () => {
        const index = this.#waiters.indexOf(waiter);
        if (index !== -1) this.#waiters.splice(index, 1);
        reject(abortError(signal));
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      waiter.resolve = (connection) => {
        signal?.removeEventListener("abort", onAbort);
        resolve(connection);
      };
      this.#waiters.push(waiter);
    });
  }

  #release(connection: C): void {
    if (this.#closed) return;
    if (!connection.connected) {
      this.#all.delete(connection);
      // A waiter may now open a fresh connection in its place.
      const waiter = this.#waiters.shift();
      if (waiter) this.#acquire().then(waiter.resolve, waiter.reject);
      return;
    }
    const waiter = this.#waiters.shift();
    if (waiter) waiter.resolve(connection);
    else this.#idle.push(connection);
  }
}

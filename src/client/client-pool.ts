/**
 * Parallel work over several control connections (FTP runs one transfer
 * per connection; interleaving on one socket is impossible). Connections are
 * opened lazily up to `connections`, reused, and replaced when one dies.
 */
import { FtpConnectionClosedError, FtpInvalidOptionError } from "../errors.js";
import { Client } from "./client.js";
import { resolveClientOptions, type ClientOptions } from "./options.js";
import type { DownloadDestination, DownloadOptions, UploadOptions, UploadSource } from "./file-transfers.js";
import { abortError } from "./session.js";

export interface ClientPoolOptions {
  /** Maximum number of control connections. Default 4. */
  connections?: number;
}

interface Waiter {
  resolve: (client: Client) => void;
  reject: (error: unknown) => void;
}

export class ClientPool {
  readonly size: number;
  private readonly input: string | ClientOptions;
  private readonly overrides: Partial<ClientOptions>;
  private readonly idle: Client[] = [];
  private readonly all = new Set<Client>();
  private opening = 0;
  private readonly waiters: Waiter[] = [];
  private closed = false;

  constructor(input: string | ClientOptions, options: ClientPoolOptions & Partial<ClientOptions> = {}) {
    const { connections = 4, ...overrides } = options;
    if (!Number.isInteger(connections) || connections < 1 || connections > 1000) {
      throw new FtpInvalidOptionError(`connections must be an integer from 1 to 1000, got ${String(connections)}`);
    }
    // Validate once, up front: a bad option fails here, not on the first run().
    resolveClientOptions(input, overrides);
    this.size = connections;
    this.input = input;
    this.overrides = overrides;
  }

  /** Runs `task` on a free connection (opening one if allowed, else waiting for one). */
  async run<T>(task: (client: Client) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const client = await this.acquire(signal);
    try {
      return await task(client);
    } finally {
      this.release(client);
    }
  }

  upload(source: UploadSource, remotePath: string, options: UploadOptions = {}): Promise<{ bytes: number }> {
    return this.run((c) => c.upload(source, remotePath, options), options.signal);
  }

  download(remotePath: string, destination: DownloadDestination, options: DownloadOptions = {}): Promise<{ bytes: number }> {
    return this.run((c) => c.download(remotePath, destination, options), options.signal);
  }

  /** Closes every connection; waiting and later runs reject with ERR_FTP_CLOSED. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const waiter of this.waiters.splice(0)) waiter.reject(new FtpConnectionClosedError("The pool is closed"));
    await Promise.all([...this.all].map((c) => c.close()));
    this.all.clear();
    this.idle.length = 0;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private async acquire(signal?: AbortSignal): Promise<Client> {
    if (this.closed) throw new FtpConnectionClosedError("The pool is closed");
    if (signal?.aborted) throw abortError(signal);
    for (;;) {
      const client = this.idle.pop();
      if (!client) break;
      if (client.connected) return client;
      this.all.delete(client);
    }
    if (this.all.size + this.opening < this.size) {
      this.opening++;
      try {
        const client = await Client.connect(this.input, { ...this.overrides, signal });
        if (this.closed) {
          await client.close();
          throw new FtpConnectionClosedError("The pool is closed");
        }
        this.all.add(client);
        client.once("close", () => this.all.delete(client));
        return client;
      } finally {
        this.opening--;
      }
    }
    return new Promise<Client>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject };
      const onAbort = () => {
        const index = this.waiters.indexOf(waiter);
        if (index !== -1) this.waiters.splice(index, 1);
        reject(abortError(signal));
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      waiter.resolve = (client) => {
        signal?.removeEventListener("abort", onAbort);
        resolve(client);
      };
      this.waiters.push(waiter);
    });
  }

  private release(client: Client): void {
    if (this.closed) return;
    if (!client.connected) {
      this.all.delete(client);
      // A waiter may now open a fresh connection in its place.
      const waiter = this.waiters.shift();
      if (waiter) this.acquire().then(waiter.resolve, waiter.reject);
      return;
    }
    const waiter = this.waiters.shift();
    if (waiter) waiter.resolve(client);
    else this.idle.push(client);
  }
}

/**
 * A pool of Clients to one server: `ConnectionPool` with the connections
 * opened by `Client.connect` from one set of options.
 */
import { Client } from "./client.js";
import { ConnectionPool } from "./connection-pool.js";
import type { DownloadDestination, DownloadOptions, DownloadResult, UploadOptions, UploadResult, UploadSource } from "./file-transfers.js";
import { resolveClientOptions, type ClientOptions } from "./options.js";
import { sync, type SyncOptions, type SyncReport } from "./sync.js";

export interface ClientPoolOptions {
  /** Maximum number of control connections. Default 4. */
  connections?: number;
}

export class ClientPool extends ConnectionPool<Client> {
  constructor(input: string | ClientOptions, options: ClientPoolOptions & Partial<ClientOptions> = {}) {
    const { connections = 4, ...overrides } = options;
    // Validate once, up front: a bad option fails here, not on the first run().
    resolveClientOptions(input, overrides);
    // The options (password included) live only in this closure: not on the pool, not in util.inspect(pool).
    super(connections, (signal) => Client.connect(input, { ...overrides, signal }));
  }

  /** `Client.upload` on a free connection; resolves with the same result. */
  upload(source: UploadSource, remotePath: string, options: UploadOptions = {}): Promise<UploadResult> {
    return this.run((c) => c.upload(source, remotePath, options), options.signal);
  }

  /**
   * `Client.sync` over the pool: one connection walks the trees, the others
   * move the files (`concurrency` defaults to the pool's size minus one).
   */
  sync(localDir: string, remoteDir: string, options: SyncOptions): Promise<SyncReport> {
    return this.run((main) => {
      if (this.size === 1) return sync(main, (task) => task(main), localDir, remoteDir, options);
      const concurrency = options.concurrency ?? this.size - 1;
      return sync(main, (task) => this.run(task, options.signal), localDir, remoteDir, { ...options, concurrency });
    }, options.signal);
  }

  /** `Client.download` on a free connection; resolves with the same result. */
  download(remotePath: string, destination: DownloadDestination, options: DownloadOptions = {}): Promise<DownloadResult> {
    return this.run((c) => c.download(remotePath, destination, options), options.signal);
  }
}

// The two Node FTP clients behind one small interface, so every job in
// worker.ts runs the same steps whichever library is measured. Each adapter
// uses the library's own high-level calls, as an application would.
import { Writable } from "node:stream";
import type { Readable } from "node:stream";

export type ClientLib = "ftpwire" | "basic-ftp";

export interface Login {
  host: string;
  port: number;
  user: string;
  password: string;
}

export interface BenchClient {
  download(remote: string, destination: string | Writable): Promise<void>;
  upload(source: string | Readable, remote: string): Promise<void>;
  /** Upload a local folder's files into `remote` with `connections` control connections. */
  uploadDir(local: string, remote: string, connections: number): Promise<void>;
  downloadDir(remote: string, local: string, connections: number): Promise<void>;
  /** Fetches and parses a listing; returns the number of entries. */
  list(path: string, method: "LIST" | "MLSD"): Promise<number>;
  /** QUIT and close. */
  close(): Promise<void>;
}

/** A Writable that drops everything (what a download "to memory" costs without the memory). */
export function nullSink(): Writable {
  return new Writable({
    write(_chunk: Buffer, _enc, cb) {
      cb();
    },
  });
}

async function connectFtpwire(login: Login, timeoutMs: number): Promise<BenchClient> {
  const ftpwire = await import("../../src/index.js");
  if (typeof ftpwire.Client !== "function") throw new Error("ftpwire API not ready (Client not exported)");
  const client = new ftpwire.Client({
    host: login.host,
    port: login.port,
    user: login.user,
    password: login.password,
    timeouts: { connect: timeoutMs, control: timeoutMs, data: timeoutMs },
  });
  await client.connect();
  return {
    async download(remote, destination) {
      await client.download(remote, destination);
    },
    async upload(source, remote) {
      await client.upload(source, remote);
    },
    async uploadDir(local, remote, connections) {
      await client.uploadDir(local, remote, { concurrency: connections });
    },
    async downloadDir(remote, local, connections) {
      await client.downloadDir(remote, local, { concurrency: connections });
    },
    async list(path, method) {
      return (await client.list(path, { method })).length;
    },
    async close() {
      await client.close();
    },
  };
}

async function connectBasicFtp(login: Login, timeoutMs: number): Promise<BenchClient> {
  const { Client } = await import("basic-ftp");
  const client = new Client(timeoutMs);
  await client.access({ host: login.host, port: login.port, user: login.user, password: login.password, secure: false });
  return {
    async download(remote, destination) {
      await client.downloadTo(destination, remote);
    },
    async upload(source, remote) {
      await client.uploadFrom(source, remote);
    },
    async uploadDir(local, remote, connections) {
      if (connections !== 1) throw new Error("basic-ftp uses one connection");
      await client.uploadFromDir(local, remote);
    },
    async downloadDir(remote, local, connections) {
      if (connections !== 1) throw new Error("basic-ftp uses one connection");
      await client.downloadToDir(local, remote);
    },
    async list(path, method) {
      // basic-ftp picks MLSD when offered; pin the command the row measures.
      client.availableListCommands = [method];
      return (await client.list(path)).length;
    },
    async close() {
      try {
        await client.send("QUIT");
      } catch {
        // the server may close before or right after its 221
      }
      client.close();
    },
  };
}

export function connectClient(lib: ClientLib, login: Login, timeoutMs = 60_000): Promise<BenchClient> {
  return lib === "ftpwire" ? connectFtpwire(login, timeoutMs) : connectBasicFtp(login, timeoutMs);
}

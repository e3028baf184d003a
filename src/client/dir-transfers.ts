/**
 * Whole directory trees: uploadDir / downloadDir. Directories are created
 * on the calling client (in order, parents first); files go over a
 * ConnectionPool of `concurrency` extra connections (opened by the client,
 * which alone holds its password) when concurrency > 1, otherwise over the
 * calling client itself.
 */
import { mkdir as fsMkdir, readdir } from "node:fs/promises";
import { join } from "node:path";
import { FtpInvalidOptionError } from "../errors.js";
import type { Client } from "./client.js";
import { ConnectionPool } from "./connection-pool.js";
import { joinRemote } from "./dir-ops.js";
import { locally } from "./local-failure.js";
import type { ProgressInfo } from "./session.js";

export interface DirTransferOptions {
  /** Files moved in parallel over extra connections. Default 1 (the client itself). */
  concurrency?: number;
  onProgress?: (info: ProgressInfo) => void;
  signal?: AbortSignal;
}

/** What `uploadDir()` and `downloadDir()` resolve with. */
export interface DirTransferResult {
  /** Files moved. */
  readonly files: number;
  /** Bytes moved, over all files. */
  readonly bytes: number;
}

/** Opens one more connection like the calling client's (same options and login), for parallel files. */
export type OpenSibling = (signal?: AbortSignal) => Promise<Client>;

const MAX_DEPTH = 256;

interface Job {
  local: string;
  remote: string;
}

function checkConcurrency(value: number | undefined): number {
  const n = value ?? 1;
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new FtpInvalidOptionError(`concurrency must be an integer from 1 to 64, got ${String(value)}`);
  return n;
}

/** Makes a remote path absolute, so pooled connections (which start elsewhere) find it. */
async function absoluteRemote(client: Client, path: string, signal: AbortSignal | undefined): Promise<string> {
  if (path.startsWith("/")) return path;
  const cwd = await client.pwd({ signal });
  return path === "" || path === "." ? cwd : joinRemote(cwd, path);
}

async function runJobs(
  client: Client,
  openSibling: OpenSibling,
  jobs: readonly Job[],
  concurrency: number,
  move: (c: Client, job: Job) => Promise<{ bytes: number }>,
): Promise<number> {
  let bytes = 0;
  if (concurrency === 1 || jobs.length <= 1) {
    for (const job of jobs) {
      const moved = (await move(client, job)).bytes;
      bytes += moved;
    }
    return bytes;
  }
  const pool = new ConnectionPool(Math.min(concurrency, jobs.length), openSibling);
  try {
    let next = 0;
    const worker = async () => {
      while (next < jobs.length) {
        const job = jobs[next++]!;
        // Await first, then add: `bytes += await …` reads `bytes` before the
        // await, and parallel workers would overwrite each other's sums.
        const moved = (await pool.run((c) => move(c, job))).bytes;
        bytes += moved;
      }
    };
    await Promise.all(Array.from({ length: pool.size }, worker));
  } finally {
    await pool.close();
  }
  return bytes;
}

export async function uploadDir(client: Client, openSibling: OpenSibling, localDir: string, remoteDir: string, options: DirTransferOptions = {}): Promise<DirTransferResult> {
  const concurrency = checkConcurrency(options.concurrency);
  const { signal, onProgress } = options;
  // A missing or unreadable local folder fails before anything is created on the server.
  await locally(() => readdir(localDir), `Cannot read the folder ${localDir}`, localDir);
  const root = await absoluteRemote(client, remoteDir, signal);
  await client.mkdir(root, { recursive: true, signal });
  const jobs: Job[] = [];
  const walk = async (local: string, remote: string, depth: number): Promise<void> => {
    if (depth > MAX_DEPTH) throw new FtpInvalidOptionError(`${local}: directory tree deeper than ${MAX_DEPTH}`);
    const entries = await locally(() => readdir(local, { withFileTypes: true }), `Cannot read the folder ${local}`, local);
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const l = join(local, entry.name);
      const r = joinRemote(remote, entry.name);
      if (entry.isDirectory()) {
        await client.mkdir(r, { signal });
        await walk(l, r, depth + 1);
      } else if (entry.isFile()) jobs.push({ local: l, remote: r });
    }
  };
  await walk(localDir, root, 0);
  const bytes = await runJobs(client, openSibling, jobs, concurrency, (c, job) => c.upload(job.local, job.remote, { signal, onProgress }));
  return { files: jobs.length, bytes };
}

export async function downloadDir(client: Client, openSibling: OpenSibling, remoteDir: string, localDir: string, options: DirTransferOptions = {}): Promise<DirTransferResult> {
  const concurrency = checkConcurrency(options.concurrency);
  const { signal, onProgress } = options;
  const root = await absoluteRemote(client, remoteDir, signal);
  const jobs: Job[] = [];
  const walk = async (remote: string, local: string, depth: number): Promise<void> => {
    if (depth > MAX_DEPTH) throw new FtpInvalidOptionError(`${remote}: directory tree deeper than ${MAX_DEPTH}`);
    await locally(() => fsMkdir(local, { recursive: true }), `Cannot create the folder ${local}`, local);
    for (const entry of await client.list(remote, { signal })) {
      // Names with a path separator would escape localDir: refuse rather than write outside.
      if (entry.name.includes("/") || entry.name.includes("\\") || entry.name === "." || entry.name === "..") continue;
      const r = joinRemote(remote, entry.name);
      const l = join(local, entry.name);
      if (entry.type === "directory") await walk(r, l, depth + 1);
      else if (entry.type === "file") jobs.push({ local: l, remote: r });
    }
  };
  await walk(root, localDir, 0);
  const bytes = await runJobs(client, openSibling, jobs, concurrency, (c, job) => c.download(job.remote, job.local, { signal, onProgress }));
  return { files: jobs.length, bytes };
}

/**
 * `sync()`: make one tree (remote or local) match the other, transferring
 * only what differs, one directory at a time.
 *
 * Memory: the walk holds one directory at a time, and of it one listing:
 * the remote one (a `list()`, retried like any call when a cut breaks it)
 * while the local entries stream past it (opendir, lstat one by one), plus
 * the files of that directory still to move and the stack of directories
 * still to visit. Never the whole tree, never two listings of a directory.
 *
 * Compare (`compare`): "size" — equal sizes are the same file;
 * "size+mtime" (default) — equal sizes and a destination not older than
 * the source (1 s tolerance: FTP times have whole seconds); after each
 * transfer the destination gets the source's mtime (MFMT remotely when
 * offered, utimes locally), so a finished file compares equal next time;
 * "hash" — equal sizes and equal SHA-256 (server: HASH/XSHA256, see hash.ts),
 * falling back to size+mtime, with a note in the report, when the server
 * offers neither.
 *
 * Restart: a destination file shorter than its source and not older than
 * it is taken for the partial result of an interrupted run and resumed
 * (REST), not started over; the complete ones compare equal and are skipped.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { lstat, mkdir as fsMkdir, opendir, rm, utimes } from "node:fs/promises";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { FtpError, FtpInvalidOptionError, FtpUnsupportedError } from "../errors.js";
import type { FileInfo } from "../protocol/types.js";
import type { Client } from "./client.js";
import { joinRemote } from "./dir-ops.js";
import { compileGlob } from "./glob.js";
import { throwIfAborted } from "./session.js";

export type SyncCompare = "size" | "size+mtime" | "hash";

export interface SyncEntry {
  readonly type: "file" | "directory";
  readonly size?: number | undefined;
  readonly modifiedAt?: Date | undefined;
}

export interface SyncOptions {
  /** "upload": the remote tree is made to match the local one; "download": the other way. */
  direction: "upload" | "download";
  /** How two files are judged the same. Default "size+mtime". */
  compare?: SyncCompare;
  /** Remove from the destination what the source lacks (within the filter). Default false. */
  delete?: boolean;
  /** Decide and report, but change nothing. Default false. */
  dryRun?: boolean;
  /**
   * Which entries take part. A glob (see glob.ts; it applies to files, every
   * directory is walked) or a function of the relative path ("a/b.txt") and
   * the source entry, which can also prune directories.
   */
  filter?: string | ((relativePath: string, entry: SyncEntry) => boolean);
  /** Files moved at once, over extra connections when above 1. Default 1. */
  concurrency?: number;
  signal?: AbortSignal;
  onProgress?: (progress: SyncProgress) => void;
}

export interface SyncProgress {
  readonly filesDone: number;
  /** Files to transfer found so far (the walk streams, so this grows until it is over). */
  readonly filesTotal: number;
  readonly bytesDone: number;
  /** Bytes to transfer found so far. */
  readonly bytesTotal: number;
  /** Bytes per second since the start. */
  readonly rate: number;
  /** Milliseconds left at that rate for what is known so far; undefined before any byte moved. */
  readonly etaMs: number | undefined;
  /** The file that moved last. */
  readonly path: string;
}

export interface SyncFailure {
  /** Relative path ("a/b.txt"). */
  readonly path: string;
  readonly error: Error;
}

export interface SyncReport {
  /** Relative paths transferred (resumed ones included). */
  readonly transferred: string[];
  /** Of those, the ones continued from a partial destination file. */
  readonly resumed: string[];
  readonly skipped: string[];
  readonly deleted: string[];
  readonly failed: SyncFailure[];
  /** Bytes transferred. */
  readonly bytes: number;
  readonly durationMs: number;
  /** Decisions worth knowing, e.g. that `hash` fell back to size+mtime. */
  readonly notes: string[];
  readonly dryRun: boolean;
}

/** Runs file work on some connection (the client itself, or one of a pool). */
export type SyncWorkers = <T>(task: (client: Client) => Promise<T>) => Promise<T>;

const MTIME_TOLERANCE_MS = 1000;
const MAX_DEPTH = 256;

interface FileJob {
  readonly rel: string;
  readonly local: string;
  readonly remote: string;
  readonly size: number;
  readonly modifiedAt: Date | undefined;
  readonly resume: boolean;
}

function checkOptions(options: SyncOptions): { compare: SyncCompare; concurrency: number; filter: (rel: string, entry: SyncEntry) => boolean } {
  if (options.direction !== "upload" && options.direction !== "download") {
    throw new FtpInvalidOptionError(`direction must be "upload" or "download", got ${String(options.direction)}`);
  }
  const compare = options.compare ?? "size+mtime";
  if (compare !== "size" && compare !== "size+mtime" && compare !== "hash") {
    throw new FtpInvalidOptionError(`compare must be "size", "size+mtime" or "hash", got ${String(compare)}`);
  }
  const concurrency = options.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
    throw new FtpInvalidOptionError(`concurrency must be an integer from 1 to 64, got ${String(options.concurrency)}`);
  }
  const raw = options.filter;
  let filter: (rel: string, entry: SyncEntry) => boolean = () => true;
  if (typeof raw === "string") {
    const glob = compileGlob(raw);
    filter = (rel, entry) => entry.type === "directory" || glob(rel);
  } else if (typeof raw === "function") filter = raw;
  else if (raw !== undefined) throw new FtpInvalidOptionError("filter must be a glob string or a function");
  return { compare, concurrency, filter };
}

/** A name a listing may carry that must never become a local path. */
function unsafeName(name: string): boolean {
  return name === "" || name === "." || name === ".." || name.includes("/") || name.includes("\\") || name.includes("\0");
}

/**
 * `main` lists and creates directories and deletes; `workers` move the files
 * (the same client when concurrency is 1).
 */
export async function sync(main: Client, workers: SyncWorkers, localDir: string, remoteDir: string, options: SyncOptions): Promise<SyncReport> {
  const { compare, filter } = checkOptions(options);
  const { direction, signal } = options;
  const dryRun = options.dryRun === true;
  const started = Date.now();
  const report = { transferred: [] as string[], resumed: [] as string[], skipped: [] as string[], deleted: [] as string[], failed: [] as SyncFailure[], bytes: 0, notes: [] as string[] };
  let useHash = compare === "hash";
  const mfmt = main.features().has("MFMT");
  if (direction === "upload" && compare !== "size" && !mfmt) {
    report.notes.push("The server offers no MFMT: remote times are upload times, so size+mtime means 'not older than the local file'");
  }
  const totals = { filesDone: 0, filesTotal: 0, bytesDone: 0, bytesTotal: 0 };
  const progress = (path: string, inFlight = 0) => {
    if (!options.onProgress) return;
    const elapsed = Math.max(1, Date.now() - started);
    const done = totals.bytesDone + inFlight;
    const rate = (done * 1000) / elapsed;
    options.onProgress({
      filesDone: totals.filesDone, filesTotal: totals.filesTotal, bytesDone: done, bytesTotal: totals.bytesTotal,
      rate, etaMs: rate > 0 ? ((totals.bytesTotal - done) * 1000) / rate : undefined, path,
    });
  };

  /** Same file? Only asked when both sizes are equal. */
  const same = async (job: { local: string; remote: string }, source: SyncEntry, dest: SyncEntry): Promise<boolean> => {
    if (compare === "size") return true;
    if (useHash) {
      try {
        const remote = await main.hash(job.remote, { algorithm: "sha-256", signal });
        return remote.hash === (await localSha256(job.local));
      } catch (error) {
        if (!(error instanceof FtpUnsupportedError)) throw error;
        useHash = false;
        report.notes.push(`compare "hash": the server offers no HASH or XSHA256; compared by size+mtime instead`);
      }
    }
    if (!source.modifiedAt || !dest.modifiedAt) return true; // no time on one side: the sizes decide
    return dest.modifiedAt.getTime() >= source.modifiedAt.getTime() - MTIME_TOLERANCE_MS;
  };

  const transfer = async (job: FileJob): Promise<void> => {
    totals.filesTotal++;
    totals.bytesTotal += job.size;
    if (dryRun) {
      report.transferred.push(job.rel);
      if (job.resume) report.resumed.push(job.rel);
      return;
    }
    try {
      const result = await workers(async (c) => {
        const onProgress = (info: { bytes: number }) => progress(job.rel, info.bytes);
        if (direction === "upload") {
          const r = await c.upload(job.local, job.remote, { resume: job.resume, signal, onProgress });
          if (mfmt && job.modifiedAt) await c.setLastModified(job.remote, job.modifiedAt, { signal }).catch(() => {});
          return r;
        }
        const r = await c.download(job.remote, job.local, { resume: job.resume, signal, onProgress });
        if (job.modifiedAt) await utimes(job.local, job.modifiedAt, job.modifiedAt);
        return r;
      });
      report.transferred.push(job.rel);
      if (job.resume) report.resumed.push(job.rel);
      report.bytes += result.bytes;
      totals.bytesDone += result.bytes;
      totals.filesDone++;
      progress(job.rel);
    } catch (error) {
      if (signal?.aborted) throw error;
      report.failed.push({ path: job.rel, error: error instanceof Error ? error : new Error(String(error)) });
    }
  };

  /** Decides one source file against its destination entry (undefined: absent there). */
  const decide = async (rel: string, local: string, remote: string, source: SyncEntry, dest: SyncEntry | undefined): Promise<FileJob | undefined> => {
    const size = source.size ?? 0;
    const base = { rel, local, remote, size, modifiedAt: source.modifiedAt };
    if (dest === undefined || dest.type !== "file" || dest.size === undefined) return { ...base, resume: false };
    if (dest.size === size && (await same({ local, remote }, source, dest))) {
      report.skipped.push(rel);
      return undefined;
    }
    // Shorter, and written after the source last changed: the partial file of an interrupted run.
    const partial = dest.size > 0 && dest.size < size && (!source.modifiedAt || !dest.modifiedAt || dest.modifiedAt >= source.modifiedAt);
    return { ...base, resume: partial };
  };

  const removeDest = async (rel: string, local: string, remote: string, entry: SyncEntry): Promise<void> => {
    try {
      if (!dryRun) {
        if (direction === "upload") {
          if (entry.type === "directory") await main.rmdir(remote, { recursive: true, signal });
          else await main.remove(remote, { signal });
        } else await rm(local, { recursive: true, force: true });
      }
      report.deleted.push(rel);
    } catch (error) {
      report.failed.push({ path: rel, error: error instanceof Error ? error : new Error(String(error)) });
    }
  };

  const root = await absoluteRemote(main, remoteDir, signal);
  // `exists`: what the parent's listing said of the destination directory (unknown for the root).
  const stack: Array<{ rel: string; depth: number; exists: boolean | undefined }> = [{ rel: "", depth: 0, exists: undefined }];
  while (stack.length > 0) {
    throwIfAborted(signal);
    const { rel: dirRel, depth, exists } = stack.pop()!;
    if (depth > MAX_DEPTH) throw new FtpInvalidOptionError(`${dirRel}: directory tree deeper than ${MAX_DEPTH}`);
    const localDirPath = dirRel === "" ? localDir : join(localDir, ...dirRel.split("/"));
    const remoteDirPath = dirRel === "" ? root : joinRemote(root, dirRel);
    const jobs: Array<{ rel: string; local: string; remote: string; source: SyncEntry; dest: SyncEntry | undefined }> = [];
    const subdirs: Array<{ name: string; exists: boolean }> = [];
    try {
      const plan = direction === "upload"
        ? await uploadPlan(main, localDirPath, remoteDirPath, exists, signal)
        : await downloadPlan(main, remoteDirPath, localDirPath, signal);
      if (!plan.destExists && !dryRun) {
        if (direction === "upload") await main.mkdir(remoteDirPath, { recursive: true, signal });
        else await fsMkdir(localDirPath, { recursive: true });
      }
      for await (const [name, entry] of plan.sources) {
        if (unsafeName(name)) continue;
        const rel = dirRel === "" ? name : `${dirRel}/${name}`;
        if (!filter(rel, entry)) continue;
        const there = await plan.dest(name);
        if (entry.type === "directory") {
          if (there && there.type !== "directory" && !dryRun) {
            // A file where the source has a directory: only `delete` may replace it.
            if (!options.delete) {
              report.failed.push({ path: rel, error: new FtpError("ERR_FTP_REPLY", `${rel}: a file on the destination where the source has a directory (use delete: true to replace it)`) });
              continue;
            }
            await removeDest(rel, join(localDirPath, name), joinRemote(remoteDirPath, name), there);
          }
          subdirs.push({ name, exists: there?.type === "directory" });
        } else if (entry.type === "file") {
          // Decided after the listing is over: a remote source's listing holds the main connection.
          jobs.push({ rel, local: join(localDirPath, name), remote: joinRemote(remoteDirPath, name), source: entry, dest: there });
        }
      }
      if (options.delete) {
        for await (const [name, entry] of plan.leftovers()) {
          const rel = dirRel === "" ? name : `${dirRel}/${name}`;
          if (unsafeName(name) || !filter(rel, entry)) continue;
          await removeDest(rel, join(localDirPath, name), joinRemote(remoteDirPath, name), entry);
        }
      }
    } catch (error) {
      if (signal?.aborted) throw error;
      report.failed.push({ path: dirRel === "" ? "." : dirRel, error: error instanceof Error ? error : new Error(String(error)) });
      continue;
    }
    const decided: FileJob[] = [];
    for (const job of jobs) {
      try {
        const d = await decide(job.rel, job.local, job.remote, job.source, job.dest);
        if (d) decided.push(d);
      } catch (error) {
        if (signal?.aborted) throw error;
        report.failed.push({ path: job.rel, error: error instanceof Error ? error : new Error(String(error)) });
      }
    }
    await runBounded(decided, options.concurrency ?? 1, transfer);
    throwIfAborted(signal);
    // Depth first, in name order (pushed in reverse so the first name comes off the stack first).
    subdirs.sort((a, b) => (a.name < b.name ? 1 : a.name > b.name ? -1 : 0));
    for (const { name, exists: known } of subdirs) stack.push({ rel: dirRel === "" ? name : `${dirRel}/${name}`, depth: depth + 1, exists: known });
  }
  return { ...report, durationMs: Date.now() - started, dryRun };
}

async function runBounded<T>(items: readonly T[], concurrency: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await run(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

async function absoluteRemote(client: Client, path: string, signal: AbortSignal | undefined): Promise<string> {
  if (path.startsWith("/")) return path;
  const cwd = await client.pwd({ signal });
  return path === "" || path === "." ? cwd : joinRemote(cwd, path);
}

function toEntry(info: FileInfo): SyncEntry | undefined {
  if (info.type !== "file" && info.type !== "directory") return undefined;
  return { type: info.type, size: info.size, modifiedAt: info.modifiedAt };
}

/**
 * One directory's comparison: the source entries (streamed where the side
 * allows), the destination entry of a name, and, once the source is
 * exhausted, the destination entries the source lacks.
 */
interface DirectoryPlan {
  readonly destExists: boolean;
  readonly sources: AsyncIterable<[string, SyncEntry]>;
  dest(name: string): Promise<SyncEntry | undefined>;
  leftovers(): AsyncIterable<[string, SyncEntry]>;
}

/**
 * Upload: the remote directory's listing is the one held (a Map, emptied
 * as the local entries stream past it); `list()` rather than `listIter()`
 * so that a cut listing is retried like any call.
 */
async function uploadPlan(client: Client, localPath: string, remotePath: string, exists: boolean | undefined, signal: AbortSignal | undefined): Promise<DirectoryPlan> {
  // Not listed when the parent's listing showed it absent; and an empty listing is no proof it exists
  // (vsftpd answers LIST of a missing path with 226 and nothing), so the root is then made sure of.
  const listing = exists === false ? undefined : await remoteListing(client, remotePath, signal);
  const destExists = listing !== undefined && (listing.length > 0 || exists === true);
  const map = new Map<string, SyncEntry>();
  for (const info of listing ?? []) {
    const entry = toEntry(info);
    if (entry) map.set(info.name, entry);
  }
  return {
    destExists,
    sources: localSource(localPath),
    dest: async (name) => {
      const entry = map.get(name);
      map.delete(name);
      return entry;
    },
    leftovers: async function* () {
      yield* map;
    },
  };
}

/** Download: the remote listing is the one held; local entries are looked up one by one and streamed for deletes. */
async function downloadPlan(client: Client, remotePath: string, localPath: string, signal: AbortSignal | undefined): Promise<DirectoryPlan> {
  const listing = (await client.list(remotePath, { signal })).flatMap((info): Array<[string, SyncEntry]> => {
    const entry = toEntry(info);
    return entry ? [[info.name, entry]] : [];
  });
  const destExists = await lstat(localPath).then((s) => s.isDirectory(), () => false);
  return {
    destExists,
    sources: (async function* () {
      yield* listing;
    })(),
    dest: (name) => localEntry(join(localPath, name)),
    leftovers: async function* () {
      if (!destExists) return;
      const names = new Set(listing.map(([name]) => name));
      for await (const [name, entry] of localSource(localPath)) if (!names.has(name)) yield [name, entry];
    },
  };
}

/** A remote directory's entries; undefined when it does not exist (a permanent failure to list it). */
async function remoteListing(client: Client, path: string, signal: AbortSignal | undefined): Promise<FileInfo[] | undefined> {
  try {
    return await client.list(path, { signal });
  } catch (error) {
    if (error instanceof FtpError && error.replyCode !== undefined && error.replyCode >= 500 && !(await client.exists(path, { signal }))) return undefined;
    throw error;
  }
}

async function* localSource(path: string): AsyncGenerator<[string, SyncEntry]> {
  const dir = await opendir(path);
  for await (const dirent of dir) {
    const entry = await localEntry(join(path, dirent.name));
    if (entry) yield [dirent.name, entry];
  }
}

/** Files and directories only (symbolic links are not followed: they could leave the tree). */
async function localEntry(path: string): Promise<SyncEntry | undefined> {
  const s = await lstat(path).catch(() => undefined);
  if (!s) return undefined;
  if (s.isDirectory()) return { type: "directory" };
  if (s.isFile()) return { type: "file", size: s.size, modifiedAt: s.mtime };
  return undefined;
}

async function localSha256(path: string): Promise<string> {
  const hash = createHash("sha256");
  await pipeline(createReadStream(path), hash);
  return hash.digest("hex");
}

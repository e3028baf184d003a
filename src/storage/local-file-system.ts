/**
 * Serves a folder of the local disk. Every virtual path is mapped under
 * `root`, and the *real* path (after following symlinks) must stay inside the
 * root's real path, so a symlink inside the folder cannot expose the rest of
 * the disk. All calls are async (a listing lstats cached entries synchronously
 * in short slices between yields, see lstatAll); reads use large chunks.
 */
import { randomBytes } from "node:crypto";
import { close as closeFd, lstat, lstatSync, type Stats } from "node:fs";
import * as fsp from "node:fs/promises";
import { basename, dirname, join, posix, resolve as resolvePath, sep } from "node:path";
import type { Readable, Writable } from "node:stream";
import { FtpInvalidOptionError } from "../errors.js";
import { FileReader } from "../io/file-reader.js";
import { FileWriter } from "../io/file-writer.js";
import { SmallCalls } from "../io/small-calls.js";
import type { FileInfo } from "../protocol/types.js";
import { FileSystemError, type FileSystem, type FileSystemReadOptions, type FileSystemWriteOptions } from "./file-system.js";

export interface LocalFileSystemOptions {
  /**
   * Write uploads to a hidden temporary file in the same folder and rename it
   * into place only when the upload completed; a failed or aborted upload
   * leaves the previous file untouched. Default false (write in place, which
   * keeps partial files so clients can resume them).
   */
  readonly atomicUploads?: boolean;
  /** Chunk size for reads. Default 1 MiB. */
  readonly readChunkSize?: number;
  /**
   * Whether small file-system calls (path lookups, open, close, reads and
   * writes of up to 64 KiB) may run on the event loop. "auto" (default):
   * yes while each takes under 1 ms (a warm cache answers in microseconds,
   * a thread-pool round trip costs far more), and in the thread pool for 5 s
   * after a slower one. "never": always in the thread pool, for storage where
   * any call may block for long (a network file system).
   */
  readonly eventLoopIo?: "auto" | "never";
}

const DEFAULT_READ_CHUNK = 1 << 20;
const TEMP_PREFIX = ".ftpwire-upload-";

type Resolve = "existing" | "create" | "entry";

export class LocalFileSystem implements FileSystem {
  readonly root: string;
  private readonly atomicUploads: boolean;
  private readonly readChunkSize: number;
  private realRoot: Promise<string> | undefined;
  private readonly meta: SmallCalls;

  constructor(root: string, options: LocalFileSystemOptions = {}) {
    if (typeof root !== "string" || root === "") throw new FtpInvalidOptionError("LocalFileSystem needs a root folder");
    const chunk = options.readChunkSize ?? DEFAULT_READ_CHUNK;
    if (!Number.isInteger(chunk) || chunk < 1024) throw new FtpInvalidOptionError("readChunkSize must be an integer >= 1024");
    this.root = root;
    this.atomicUploads = options.atomicUploads ?? false;
    this.readChunkSize = chunk;
    const io = options.eventLoopIo ?? "auto";
    if (io !== "auto" && io !== "never") throw new FtpInvalidOptionError('eventLoopIo must be "auto" or "never"');
    this.meta = new SmallCalls({ mode: io === "auto" ? "auto" : "async" });
  }

  async stat(path: string): Promise<FileInfo> {
    const real = await this.resolve(path, "existing");
    return toFileInfo(path === "/" ? "/" : posix.basename(path), await this.meta.stat(real));
  }

  async list(path: string): Promise<FileInfo[]> {
    const real = await this.resolve(path, "existing");
    const names = await fsp.readdir(real);
    // Each Stats becomes its FileInfo at once, so 100,000 Stats objects are never held together.
    const described = await lstatAll(real, names, toFileInfo);
    const infos: FileInfo[] = [];
    let rootReal: string | undefined;
    for (const info of described) {
      if (info === undefined) continue; // vanished between readdir and lstat
      if (info.type !== "symlink") {
        infos.push(info);
        continue;
      }
      // Describe a link by what it points to, but only when that stays inside the root;
      // the target's text is never shown (it may name real paths). Links are rare, so
      // these few awaits in sequence cost nothing next to the batched lstat above.
      try {
        const target = await fsp.realpath(join(real, info.name)).catch(() => undefined);
        rootReal ??= await this.rootReal();
        if (target !== undefined && this.contains(rootReal, target)) {
          infos.push(toFileInfo(info.name, await fsp.stat(target)));
        } else {
          infos.push({ ...info, size: 0 });
        }
      } catch {
        // vanished (or became unreadable) meanwhile: leave it out
      }
    }
    return infos;
  }

  async read(path: string, options: FileSystemReadOptions = {}): Promise<Readable> {
    const real = await this.resolve(path, "existing");
    // Open and stat side by side: at most one thread-pool round trip, not two.
    const [opened, stated] = await Promise.allSettled([this.meta.open(real, "r"), this.meta.stat(real)]);
    const fd = opened.status === "fulfilled" ? opened.value : undefined;
    try {
      if (opened.status === "rejected") throw opened.reason;
      if (stated.status === "rejected") throw stated.reason;
      if (stated.value.isDirectory()) throw new FileSystemError("EISDIR");
    } catch (error) {
      if (fd !== undefined) closeFd(fd, () => {});
      throw error;
    }
    return new FileReader(fd!, { start: options.start ?? 0, size: stated.value.size, chunkSize: this.readChunkSize, calls: this.meta });
  }

  async write(path: string, options: FileSystemWriteOptions = {}): Promise<Writable> {
    const { real, existing } = await this.resolveTarget(path);
    if (existing?.isDirectory()) throw new FileSystemError("EISDIR");
    const start = options.start ?? 0;
    const keepContent = options.append === true || start > 0;
    if (!this.atomicUploads) {
      const flags = options.append ? "a" : start > 0 && existing ? "r+" : "w";
      const fd = await this.meta.open(real, flags);
      return new FileWriter(fd, { position: options.append ? null : start, calls: this.meta });
    }
    const temp = join(dirname(real), `${TEMP_PREFIX}${randomBytes(6).toString("hex")}.tmp`);
    if (keepContent && existing) await fsp.copyFile(real, temp);
    const fd = await this.meta.open(temp, options.append ? "a" : keepContent && existing ? "r+" : "w");
    // The writer closes the file before it commits (rename) or discards (unlink) the temporary copy.
    return new FileWriter(fd, {
      position: options.append ? null : start,
      calls: this.meta,
      commit: () => fsp.rename(temp, real),
      discard: () => fsp.unlink(temp).catch(() => undefined),
    });
  }

  /** Every LocalFileSystem over the same folder shares upload locks (FileSystem.lockKey). */
  lockKey(path: string): string {
    return `local:${resolvePath(this.root)}${posix.normalize(`/${path}`)}`;
  }

  async mkdir(path: string): Promise<void> {
    await fsp.mkdir(await this.resolve(path, "create"));
  }

  async rmdir(path: string): Promise<void> {
    await fsp.rmdir(await this.resolve(path, "entry"));
  }

  async unlink(path: string): Promise<void> {
    const real = await this.resolve(path, "entry");
    const st = await fsp.lstat(real);
    if (st.isDirectory()) throw new FileSystemError("EISDIR");
    await fsp.unlink(real);
  }

  async rename(from: string, to: string): Promise<void> {
    const source = await this.resolve(from, "entry");
    const target = await this.resolve(to, "entry");
    await fsp.rename(source, target);
  }

  async setModifiedTime(path: string, date: Date): Promise<void> {
    const real = await this.resolve(path, "existing");
    const st = await fsp.stat(real);
    await fsp.utimes(real, st.atime, date);
  }

  async chmod(path: string, mode: number): Promise<void> {
    await fsp.chmod(await this.resolve(path, "existing"), mode);
  }

  private rootReal(): Promise<string> {
    this.realRoot ??= fsp.realpath(this.root);
    return this.realRoot;
  }

  private contains(root: string, real: string): boolean {
    return real === root || root === sep || real.startsWith(root + sep);
  }

  /** The root's real path and the virtual path joined under it (no `..` can survive normalizing). */
  private async underRoot(virtualPath: string): Promise<{ root: string; full: string }> {
    const normalized = posix.normalize(`/${virtualPath}`);
    if (normalized.split("/").includes("..")) throw new FileSystemError("EACCES");
    const root = await this.rootReal();
    return { root, full: join(root, normalized.slice(1)) };
  }

  /**
   * Maps a virtual path to a real one and checks containment.
   * - existing: the path must exist; symlinks are followed.
   * - create: the path may be missing (its folder is checked); an existing target is followed.
   * - entry: the entry itself (a symlink is not followed); its folder is checked.
   */
  private async resolve(virtualPath: string, mode: Resolve): Promise<string> {
    const { root, full } = await this.underRoot(virtualPath);
    if (mode === "entry") {
      if (full === root) throw new FileSystemError("EACCES");
      const parent = await this.meta.realpath(dirname(full));
      if (!this.contains(root, parent)) throw new FileSystemError("EACCES");
      return join(parent, basename(full));
    }
    if (mode === "create" && full !== root) return (await this.createTarget(root, full)).real;
    const real = await this.meta.realpath(full);
    if (!this.contains(root, real)) throw new FileSystemError("EACCES");
    return real;
  }

  /** `resolve(path, "create")`, plus what is there now (followed when it is a symlink). */
  private async resolveTarget(virtualPath: string): Promise<{ real: string; existing: Stats | undefined }> {
    const { root, full } = await this.underRoot(virtualPath);
    if (full === root) return { real: root, existing: await this.meta.stat(root) };
    return this.createTarget(root, full);
  }

  /**
   * A path that may not exist yet: the folder's real path and the entry
   * itself are looked up side by side (one thread-pool round trip for the
   * common case, a new or plain file). A symlink is followed only when its
   * target exists inside the root: a dangling one could point anywhere.
   */
  private async createTarget(root: string, full: string): Promise<{ real: string; existing: Stats | undefined }> {
    const [parent, entry] = await Promise.all([this.meta.realpath(dirname(full)), this.meta.lstatOrUndefined(full)]);
    if (!this.contains(root, parent)) throw new FileSystemError("EACCES");
    if (!entry?.isSymbolicLink()) return { real: join(parent, basename(full)), existing: entry };
    const real = await this.meta.realpath(full).catch(() => {
      throw new FileSystemError("EACCES");
    });
    if (!this.contains(root, real)) throw new FileSystemError("EACCES");
    return { real, existing: await this.meta.stat(real) };
  }
}

/** How many lstat calls are in flight at once when listing goes through the thread pool. */
const LIST_STAT_CONCURRENCY = 64;
/** The first synchronous slice is tiny, so a cold disk blocks the event loop only briefly. */
const FIRST_SYNC_SLICE = 8;
const MAX_SYNC_SLICE = 512;
/**
 * A slice taking longer than this per entry looks like real disk I/O (a cached
 * lstat takes 1-2 µs). A slow first slice, or two slow slices in a row, send
 * the rest through the thread pool; one alone after fast ones may just be a
 * GC pause or a busy CPU.
 */
const SLOW_STAT_MS = 0.05;
/** Slices grow only while they stay under this, so other sessions still get the event loop. */
const SYNC_SLICE_BUDGET_MS = 2;

/**
 * `describe(name, lstat)` of every name in `dir`, in order; `undefined` for a
 * name whose lstat failed (vanished). Right after readdir the inodes are usually cached, and then a
 * synchronous lstat costs a microsecond or two, several times less than a
 * thread-pool round trip (one promise per entry for a 100,000-entry folder
 * was slower still). So entries are statted synchronously in slices, with a
 * yield to the event loop between slices; the slices start small, grow while
 * they stay cheap, and as soon as one looks like real disk I/O the rest go
 * through the thread pool instead, so a cold disk never stalls other sessions.
 */
async function lstatAll<T>(dir: string, names: readonly string[], describe: (name: string, st: Stats) => T): Promise<(T | undefined)[]> {
  const out = new Array<T | undefined>(names.length);
  const prefix = dir.endsWith(sep) ? dir : dir + sep;
  let index = 0;
  let slice = FIRST_SYNC_SLICE;
  let slowSlices = 0;
  let warm = false; // a fast slice has been seen: the inodes are cached
  while (index < names.length) {
    const started = performance.now();
    const end = Math.min(names.length, index + slice);
    const count = end - index;
    for (; index < end; index++) {
      const name = names[index]!;
      try {
        const st = lstatSync(prefix + name, { throwIfNoEntry: false });
        out[index] = st === undefined ? undefined : describe(name, st);
      } catch {
        out[index] = undefined; // unreadable meanwhile: left out like a vanished entry
      }
    }
    if (index >= names.length) break;
    const elapsed = performance.now() - started;
    if (elapsed > count * SLOW_STAT_MS) {
      if (++slowSlices >= 2 || !warm) {
        await lstatPool(prefix, names, index, describe, out);
        break;
      }
      slice = FIRST_SYNC_SLICE; // keep the next (maybe slow) slice short
    } else {
      slowSlices = 0;
      warm = true;
      if (elapsed * 2 < SYNC_SLICE_BUDGET_MS && slice < MAX_SYNC_SLICE) slice *= 2;
    }
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return out;
}

/** lstat of names[from..] into `out` through the thread pool, a bounded number at a time. */
function lstatPool<T>(
  prefix: string,
  names: readonly string[],
  from: number,
  describe: (name: string, st: Stats) => T,
  out: (T | undefined)[],
): Promise<void> {
  return new Promise((resolve) => {
    let next = from;
    let done = from;
    // The callback API, not fs/promises: no promise per entry.
    const startNext = (): void => {
      const index = next++;
      if (index >= names.length) return;
      const name = names[index]!;
      lstat(prefix + name, (error, st) => {
        out[index] = error ? undefined : describe(name, st);
        if (++done === names.length) resolve();
        else startNext();
      });
    };
    for (let k = 0; k < LIST_STAT_CONCURRENCY && from + k < names.length; k++) startNext();
  });
}


function toFileInfo(name: string, st: Stats): FileInfo {
  return {
    name,
    type: st.isDirectory() ? "directory" : st.isFile() ? "file" : st.isSymbolicLink() ? "symlink" : "unknown",
    size: st.isDirectory() ? 0 : st.size,
    modifiedAt: st.mtime,
    mode: st.mode & 0o7777,
    hardLinks: st.nlink,
  };
}

/**
 * Serves a folder of the local disk. Every virtual path is mapped under
 * `root`, and the *real* path (after following symlinks) must stay inside the
 * root's real path, so a symlink inside the folder cannot expose the rest of
 * the disk. All calls are async; reads use large chunks for throughput.
 */
import { randomBytes } from "node:crypto";
import { writev, type Stats } from "node:fs";
import * as fsp from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";
import { basename, dirname, join, posix, sep } from "node:path";
import { Writable, type Readable } from "node:stream";
import { FtpInvalidOptionError } from "../errors.js";
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
}

const DEFAULT_READ_CHUNK = 1 << 20;
const TEMP_PREFIX = ".ftpwire-upload-";

type Resolve = "existing" | "create" | "entry";

export class LocalFileSystem implements FileSystem {
  readonly root: string;
  private readonly atomicUploads: boolean;
  private readonly readChunkSize: number;
  private realRoot: Promise<string> | undefined;

  constructor(root: string, options: LocalFileSystemOptions = {}) {
    if (typeof root !== "string" || root === "") throw new FtpInvalidOptionError("LocalFileSystem needs a root folder");
    const chunk = options.readChunkSize ?? DEFAULT_READ_CHUNK;
    if (!Number.isInteger(chunk) || chunk < 1024) throw new FtpInvalidOptionError("readChunkSize must be an integer >= 1024");
    this.root = root;
    this.atomicUploads = options.atomicUploads ?? false;
    this.readChunkSize = chunk;
  }

  async stat(path: string): Promise<FileInfo> {
    const real = await this.resolve(path, "existing");
    return toFileInfo(path === "/" ? "/" : posix.basename(path), await fsp.stat(real));
  }

  async list(path: string): Promise<FileInfo[]> {
    const real = await this.resolve(path, "existing");
    const entries = await fsp.readdir(real, { withFileTypes: true });
    const infos = await Promise.all(
      entries.map(async (entry): Promise<FileInfo | undefined> => {
        const full = join(real, entry.name);
        try {
          if (!entry.isSymbolicLink()) return toFileInfo(entry.name, await fsp.lstat(full));
          // Describe a link by what it points to, but only when that stays inside the root;
          // the target's text is never shown (it may name real paths).
          const target = await fsp.realpath(full).catch(() => undefined);
          if (target !== undefined && this.contains(await this.rootReal(), target)) {
            return toFileInfo(entry.name, await fsp.stat(target));
          }
          return { ...toFileInfo(entry.name, await fsp.lstat(full)), type: "symlink", size: 0 };
        } catch {
          return undefined; // vanished between readdir and stat
        }
      }),
    );
    return infos.filter((info): info is FileInfo => info !== undefined);
  }

  async read(path: string, options: FileSystemReadOptions = {}): Promise<Readable> {
    const real = await this.resolve(path, "existing");
    const handle = await fsp.open(real, "r");
    try {
      const st = await handle.stat();
      if (st.isDirectory()) throw new FileSystemError("EISDIR");
    } catch (error) {
      await handle.close();
      throw error;
    }
    return handle.createReadStream({ start: options.start ?? 0, highWaterMark: this.readChunkSize, autoClose: true });
  }

  async write(path: string, options: FileSystemWriteOptions = {}): Promise<Writable> {
    const real = await this.resolve(path, "create");
    const existing = await fsp.stat(real).catch(() => undefined);
    if (existing?.isDirectory()) throw new FileSystemError("EISDIR");
    const start = options.start ?? 0;
    const keepContent = options.append === true || start > 0;
    if (!this.atomicUploads) {
      const flags = options.append ? "a" : start > 0 && existing ? "r+" : "w";
      const handle = await fsp.open(real, flags);
      return new HandleWriteStream(handle, options.append ? null : start, undefined, undefined);
    }
    const temp = join(dirname(real), `${TEMP_PREFIX}${randomBytes(6).toString("hex")}.tmp`);
    if (keepContent && existing) await fsp.copyFile(real, temp);
    const handle = await fsp.open(temp, options.append ? "a" : keepContent && existing ? "r+" : "w");
    return new HandleWriteStream(
      handle,
      options.append ? null : start,
      () => fsp.rename(temp, real),
      () => fsp.unlink(temp).catch(() => undefined),
    );
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

  /**
   * Maps a virtual path to a real one and checks containment.
   * - existing: the path must exist; symlinks are followed.
   * - create: the path may be missing (its folder is checked); an existing target is followed.
   * - entry: the entry itself (a symlink is not followed); its folder is checked.
   */
  private async resolve(virtualPath: string, mode: Resolve): Promise<string> {
    const normalized = posix.normalize(`/${virtualPath}`);
    if (normalized.split("/").includes("..")) throw new FileSystemError("EACCES");
    const root = await this.rootReal();
    const relative = normalized.slice(1);
    const full = join(root, relative);
    if (mode === "entry") {
      if (relative === "" || relative === "/") throw new FileSystemError("EACCES");
      const parent = await fsp.realpath(dirname(full));
      if (!this.contains(root, parent)) throw new FileSystemError("EACCES");
      return join(parent, basename(full));
    }
    try {
      const real = await fsp.realpath(full);
      if (!this.contains(root, real)) throw new FileSystemError("EACCES");
      return real;
    } catch (error) {
      if (mode === "existing" || (error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
    // create: a dangling symlink could point anywhere, so refuse to write through it.
    const link = await fsp.lstat(full).catch(() => undefined);
    if (link) throw new FileSystemError("EACCES");
    const parent = await fsp.realpath(dirname(full));
    if (!this.contains(root, parent)) throw new FileSystemError("EACCES");
    return join(parent, basename(full));
  }
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

/**
 * A Writable over an open FileHandle that writes at an explicit position
 * (never truncating what is past it), batches queued chunks into one
 * writev, and commits (rename) or discards (unlink) an atomic upload.
 */
class HandleWriteStream extends Writable {
  private position: number | null;
  private handleClosed = false;
  private committed = false;

  constructor(
    private readonly handle: FileHandle,
    start: number | null,
    private readonly commit: (() => Promise<void>) | undefined,
    private readonly discard: (() => Promise<unknown>) | undefined,
  ) {
    super({ highWaterMark: 1 << 20 });
    this.position = start;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.writeFully([chunk]).then(() => callback(), callback);
  }

  override _writev(chunks: Array<{ chunk: Buffer }>, callback: (error?: Error | null) => void): void {
    this.writeFully(chunks.map((c) => c.chunk)).then(() => callback(), callback);
  }

  /**
   * One writev for the batch (the callback API: measurably faster than
   * FileHandle.writev here); loops on the rare short write instead of losing bytes.
   */
  private async writeFully(buffers: Buffer[]): Promise<void> {
    let pending = buffers;
    for (let round = 0; pending.length > 0; round++) {
      const total = pending.reduce((n, b) => n + b.length, 0);
      const bytesWritten = await new Promise<number>((resolve, reject) =>
        writev(this.handle.fd, pending, this.position ?? null, (error, written) => (error ? reject(error) : resolve(written))),
      );
      if (this.position !== null) this.position += bytesWritten;
      if (bytesWritten >= total) return;
      if (bytesWritten === 0 && round > 8) throw Object.assign(new Error("short write"), { code: "EIO" });
      let skip = bytesWritten;
      const rest: Buffer[] = [];
      for (const b of pending) {
        if (skip >= b.length) skip -= b.length;
        else {
          rest.push(skip > 0 ? b.subarray(skip) : b);
          skip = 0;
        }
      }
      pending = rest;
    }
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.handleClosed = true;
    this.handle
      .close()
      .then(() => this.commit?.())
      .then(() => {
        this.committed = true;
        callback();
      }, callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const close = this.handleClosed ? Promise.resolve() : this.handle.close().catch(() => undefined);
    this.handleClosed = true;
    close
      .then(() => (this.committed ? undefined : this.discard?.()))
      .then(() => callback(error), () => callback(error));
  }
}

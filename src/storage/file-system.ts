/**
 * The storage seam of the server. A session never touches `fs`: it holds a
 * `FileSystem` chosen by the `authenticate` hook and calls it with paths it
 * has already resolved — absolute, normalized, virtual POSIX paths that can
 * never rise above "/". Implementations map those onto whatever they store
 * (a folder, memory, S3, another FTP server).
 *
 * Errors: throw (or reject with) an error whose `code` is a Node errno name
 * (`ENOENT`, `EACCES`, `EEXIST`, `ENOTDIR`, `EISDIR`, `ENOTEMPTY`, `ENOSPC`,
 * `EDQUOT`, `EROFS`, `EPERM`); the session maps it to the right reply and
 * never shows the client the error's message (it may name real paths).
 * `FileSystemError` below is a convenient way to make one.
 */
import type { Readable, Writable } from "node:stream";
import type { FileInfo } from "../protocol/types.js";

export interface FileSystemReadOptions {
  /** Byte offset to start reading from (REST). Default 0. */
  readonly start?: number;
}

export interface FileSystemWriteOptions {
  /**
   * Byte offset to start writing at (REST + STOR). The bytes before it are
   * kept as they are and the file is not truncated before writing; bytes past
   * the end of what is written are kept too.
   */
  readonly start?: number;
  /** Append to the end of the file (APPE); creates the file when missing. */
  readonly append?: boolean;
}

/**
 * What the session expects of storage. All methods are async. Streams:
 * - `read()` resolves a Readable the session pipes to the data connection;
 *   the session destroys it when the transfer is aborted. It must refuse a
 *   directory with `EISDIR` (RETR relies on it, without a stat first).
 * - `write()` resolves a Writable the session pipes the data connection
 *   into. The upload counts as stored only when the Writable emits
 *   `finish` after `end()`; when the transfer fails the session calls
 *   `destroy(error)` and the implementation must not make a partial file
 *   look complete (e.g. an atomic upload discards its temporary file).
 * Optional methods: when one is missing its command answers 502.
 */
export interface FileSystem {
  /** Information about one path; `name` is its last component ("/" for the root). */
  stat(path: string): Promise<FileInfo>;
  /** The entries of a directory (without "." and ".."). */
  list(path: string): Promise<FileInfo[]>;
  read(path: string, options?: FileSystemReadOptions): Promise<Readable>;
  write(path: string, options?: FileSystemWriteOptions): Promise<Writable>;
  mkdir(path: string): Promise<void>;
  /** Removes an empty directory. */
  rmdir(path: string): Promise<void>;
  /** Removes a file (not a directory). */
  unlink(path: string): Promise<void>;
  /** Renames a file or directory; the destination must not be inside the source. */
  rename(from: string, to: string): Promise<void>;
  setModifiedTime?(path: string, date: Date): Promise<void>;
  chmod?(path: string, mode: number): Promise<void>;
  /**
   * The name of the stored object behind `path`, equal for every FileSystem
   * object that shares the same storage (LocalFileSystem: root + path). The
   * server allows one upload per name at a time in this process; a second
   * one gets 450. Without it, uploads are serialized per object and path.
   */
  lockKey?(path: string): string;
  /**
   * For storage shared by several processes: take an exclusive write lock
   * on `path` for the length of an upload, or throw `EBUSY` (→ 450) when
   * another process holds it. Called after the in-process lock was taken.
   */
  lock?(path: string): Promise<FileSystemLock>;
}

/** A lock from `FileSystem.lock()`; released when the upload ends, whatever its outcome. */
export interface FileSystemLock {
  release(): Promise<void>;
}

/**
 * Node errno names the session knows how to answer: each has its own reply
 * in `error-replies.ts` (EIO and any other code give 451). Kept beside that
 * table by test/storage/file-system-error-codes.test.ts.
 */
export const FILE_SYSTEM_ERROR_CODES = [
  "ENOENT",
  "EACCES",
  "EPERM",
  "EEXIST",
  "ENOTDIR",
  "EISDIR",
  "ENOTEMPTY",
  "ENOSPC",
  "EDQUOT",
  "EFBIG",
  "EROFS",
  "EINVAL",
  "ENAMETOOLONG",
  "ELOOP",
  "EXDEV",
  "EBUSY",
  "EIO",
] as const;

/** Node errno names the session knows how to answer. */
export type FileSystemErrorCode = (typeof FILE_SYSTEM_ERROR_CODES)[number];

export { SEND_TO_SOCKET, type SendsToSocket } from "../io/send-to-socket.js";

/** Marks a FileSystemError of any copy of ftpwire (ESM or CJS build), as src/errors.ts brands FtpError. */
const FILE_SYSTEM_ERROR_BRAND = Symbol.for("ftpwire.error.FileSystemError");

/** An error a `FileSystem` implementation can throw; its message never reaches the client. */
export class FileSystemError extends Error {
  /** True for a FileSystemError made by either build of ftpwire; a prototype check for subclasses of your own. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this !== FileSystemError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[FILE_SYSTEM_ERROR_BRAND] === true;
  }

  override name = "FileSystemError";
  readonly code: FileSystemErrorCode;
  constructor(code: FileSystemErrorCode, message: string = code) {
    super(message);
    this.code = code;
    Object.defineProperty(this, FILE_SYSTEM_ERROR_BRAND, { value: true });
  }
}

/**
 * One writer per stored file (issue 11, defect 4). Two uploads to the same
 * path at once (STOR racing APPE, two STORs under atomicUploads) would
 * interleave or silently replace each other while both clients get 226.
 * The second writer is refused at once with 450 ("file busy", RFC 959: a
 * transient failure the client may retry) instead of waiting: a waiting
 * upload would hold its data connection and a session slot for as long as
 * the first one runs, with no reply the client can act on.
 *
 * The table is process-wide on purpose: two servers in one process (or two
 * sessions with different `FileSystem` objects over one folder) share the
 * disk, so they share the locks. A `FileSystem` names the stored object with
 * `lockKey()` (LocalFileSystem: its root and the path); without it, the
 * object and the path are the key. Storage shared by several processes can
 * add `lock()` as well (see FileSystem).
 */
import { FileSystemError, type FileSystem, type FileSystemLock } from "../storage/file-system.js";

const held = new Set<string>();
const instanceIds = new WeakMap<FileSystem, number>();
let nextInstance = 1;

function keyOf(fs: FileSystem, path: string): string {
  const own = fs.lockKey?.(path);
  if (typeof own === "string") return `k:${own}`;
  let id = instanceIds.get(fs);
  if (id === undefined) instanceIds.set(fs, (id = nextInstance++));
  return `i:${id}:${path}`;
}

/** A held upload lock; `release()` is idempotent. */
export interface UploadLock {
  release(): Promise<void>;
}

/**
 * Takes the write lock of `path`, or throws `EBUSY` (→ 450) when another
 * upload holds it, here or (through `fs.lock`) in another process.
 */
export async function lockForUpload(fs: FileSystem, path: string): Promise<UploadLock> {
  const key = keyOf(fs, path);
  if (held.has(key)) throw new FileSystemError("EBUSY");
  held.add(key);
  let shared: FileSystemLock | undefined;
  try {
    shared = fs.lock ? await fs.lock(path) : undefined;
  } catch (error) {
    held.delete(key);
    throw error;
  }
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      held.delete(key);
      await shared?.release();
    },
  };
}

/** How many upload locks are held in this process (tests check nothing leaks). */
export function heldUploadLocks(): number {
  return held.size;
}

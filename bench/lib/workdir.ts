// The bench's scratch space: one directory on /dev/shm (tmpfs), so disk speed
// never enters the figures. TMPDIR points inside it while the bench runs, so
// the peer launchers from test/support put their roots there too. Removed at
// the end of each suite, and on exit if a suite crashed.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statfsSync } from "node:fs";
import { join } from "node:path";
import { formatBytes } from "./stats.js";

const SHM = "/dev/shm";
let current: string | undefined;
let previousTmpdir: string | undefined;
let hooked = false;

/** Bytes free on /dev/shm. */
export function shmFree(): number {
  const s = statfsSync(SHM);
  return s.bavail * s.bsize;
}

/** Throws a readable error when a suite would need more tmpfs space than there is. */
export function requireShm(bytes: number): void {
  const free = shmFree();
  if (free < bytes) throw new Error(`needs ${formatBytes(bytes)} on ${SHM}, only ${formatBytes(free)} free`);
}

/** TMPDIR as it was before the bench changed it (for child processes). */
export function originalTmpdir(): string | undefined {
  return current ? previousTmpdir : process.env.TMPDIR;
}

/** Creates (once) and returns the work dir; TMPDIR now points at `<dir>/tmp`. */
export function workDir(): string {
  if (current) return current;
  const dir = mkdtempSync(join(SHM, "ftpwire-bench-"));
  // Peers that drop privileges (vsftpd) must be able to traverse into their roots.
  chmodSync(dir, 0o755);
  const tmp = join(dir, "tmp");
  mkdirSync(tmp, { mode: 0o755 });
  previousTmpdir = process.env.TMPDIR;
  process.env.TMPDIR = tmp;
  current = dir;
  onCleanup(removeWorkDir);
  return dir;
}

const cleanups = new Set<() => void>();

/**
 * Registers a synchronous cleanup run at exit and on SIGINT/SIGTERM/SIGHUP
 * (after which the process dies of that signal — unless another handler,
 * like the peer launchers' one, is still there to do it).
 */
export function onCleanup(fn: () => void): void {
  cleanups.add(fn);
  if (hooked) return;
  hooked = true;
  const runAll = (): void => {
    for (const f of cleanups) {
      try {
        f();
      } catch {
        // best effort: the next cleanup still runs
      }
    }
  };
  process.once("exit", runAll);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(signal, () => {
      runAll();
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
  }
}

/** A fresh sub-directory of the work dir. */
export function workSubdir(name: string): string {
  const dir = join(workDir(), name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  return dir;
}

export function removeWorkDir(): void {
  if (!current) return;
  rmSync(current, { recursive: true, force: true });
  current = undefined;
  if (previousTmpdir === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = previousTmpdir;
}

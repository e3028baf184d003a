// Starting a peer process and knowing when it is ready: spawn it in its own
// process group, wait until the control port answers 220, stop it by PID
// (with its group and every descendant, since some session processes leave
// the group), and never leave one behind when the test process exits.
import { spawn, type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import { connect } from "node:net";
import { setTimeout as delay } from "node:timers/promises";

const OUTPUT_LIMIT = 64 * 1024;
const STOP_GRACE_MS = 1_500;

/** Peers still running in this process, killed synchronously at exit. */
const live = new Map<number, { dirs: string[] }>();
let exitHookInstalled = false;

function killAllLive(): void {
  for (const [pid, { dirs }] of live) {
    killPeerTree(pid, "SIGKILL");
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
  live.clear();
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", killAllLive);
  // Peers run in their own process groups, so Ctrl-C or the test runner's
  // SIGTERM would not reach them: kill them, then die of the same signal.
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(signal, () => {
      killAllLive();
      process.kill(process.pid, signal);
    });
  }
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // group already gone
  }
}

interface ProcEntry {
  pid: number;
  ppid: number;
  pgid: number;
  /** Start time in clock ticks since boot: tells a reused PID apart. */
  start: string;
}

/** Every live process from /proc (Linux), synchronously so the exit hook can use it. */
function readProcTable(): ProcEntry[] {
  const entries: ProcEntry[] = [];
  let names: string[] = [];
  try {
    names = readdirSync("/proc");
  } catch {
    return entries;
  }
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "latin1");
      // Fields after "(comm)": state ppid pgrp session ... starttime is field 22.
      const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (rest[0] === "Z") continue; // already dead, only waiting to be reaped
      entries.push({ pid: Number(name), ppid: Number(rest[1]), pgid: Number(rest[2]), start: rest[19] ?? "" });
    } catch {
      // exited while we looked
    }
  }
  return entries;
}

/**
 * The peer's processes: its process group plus every descendant. Some peers'
 * session processes call setsid() (vsftpd), leaving the group, so the tree
 * walk is what finds them.
 */
function peerProcesses(pid: number): ProcEntry[] {
  const table = readProcTable();
  const found = new Map<number, ProcEntry>();
  for (const e of table) if (e.pid === pid || e.pgid === pid) found.set(e.pid, e);
  for (let grew = true; grew; ) {
    grew = false;
    for (const e of table) {
      if (!found.has(e.pid) && found.has(e.ppid)) {
        found.set(e.pid, e);
        grew = true;
      }
    }
  }
  return [...found.values()];
}

function signalAll(entries: readonly ProcEntry[], signal: NodeJS.Signals): void {
  const now = new Map(readProcTable().map((e) => [e.pid, e.start]));
  for (const e of entries) {
    // Only the very process we saw: same PID *and* same start time.
    if (now.get(e.pid) !== e.start) continue;
    try {
      process.kill(e.pid, signal);
    } catch {
      // gone
    }
  }
}

/** Kills the peer and everything it started: group, descendants, setsid'd sessions. */
function killPeerTree(pid: number, signal: NodeJS.Signals, known: ProcEntry[] = []): ProcEntry[] {
  const seen = new Map<number, ProcEntry>();
  for (const e of [...known, ...peerProcesses(pid)]) seen.set(e.pid, e);
  const all = [...seen.values()];
  killGroup(pid, signal);
  signalAll(all, signal);
  return all;
}

/** PIDs of the peer's processes still alive (not zombies) — for tests asserting a clean stop. */
export function livePeerProcesses(pid: number, known: readonly number[] = []): number[] {
  const table = readProcTable();
  const ids = new Set(peerProcesses(pid).map((e) => e.pid));
  for (const k of known) if (table.some((e) => e.pid === k)) ids.add(k);
  return [...ids];
}

export interface LaunchSpec {
  label: string;
  command: string;
  args: readonly string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Temp dirs removed when the peer stops (or the test process exits). */
  dirs: readonly string[];
  /** Log files whose contents help explain a failure. */
  logFiles?: readonly string[];
}

export interface LaunchedProcess {
  pid: number;
  child: ChildProcess;
  exited: Promise<void>;
  hasExited(): boolean;
  /** Last 64 KiB of stdout+stderr, then the log files. */
  output(): Promise<string>;
  /** Resolves with the first stdout line matching `re` (bounded). */
  waitForStdout(re: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
  stop(): Promise<void>;
}

export function launch(spec: LaunchSpec): LaunchedProcess {
  installExitHook();
  const child = spawn(spec.command, [...spec.args], {
    cwd: spec.cwd,
    env: spec.env ? { ...process.env, ...spec.env } : process.env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let captured = "";
  let stdoutText = "";
  const watchers = new Set<() => void>();
  const append = (chunk: Buffer): void => {
    captured = (captured + chunk.toString("utf8")).slice(-OUTPUT_LIMIT);
  };
  child.stdout?.on("data", (chunk: Buffer) => {
    append(chunk);
    stdoutText = (stdoutText + chunk.toString("utf8")).slice(-OUTPUT_LIMIT);
    for (const w of watchers) w();
  });
  child.stderr?.on("data", append);
  let exitedFlag = false;
  let spawnError: Error | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once("exit", (code, signal) => {
      exitedFlag = true;
      captured += `\n[${spec.label} exited with ${code ?? signal}]`;
      for (const w of watchers) w();
      resolve();
    });
    child.once("error", (e) => {
      spawnError = e;
      exitedFlag = true;
      captured += `\n[cannot start ${spec.command}: ${e.message}]`;
      for (const w of watchers) w();
      resolve();
    });
  });
  const pid = child.pid ?? -1;
  if (pid > 0) live.set(pid, { dirs: [...spec.dirs] });

  const output = async (): Promise<string> => {
    let text = captured;
    for (const f of spec.logFiles ?? []) {
      const log = await readFile(f, "utf8").catch(() => undefined);
      if (log) text += `\n--- ${f} ---\n${log.slice(-OUTPUT_LIMIT)}`;
    }
    return text;
  };

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (pid > 0) {
        // Note the whole tree before the leader dies: orphans are reparented
        // to init and could no longer be found by ancestry.
        const tree = killPeerTree(pid, "SIGTERM");
        await Promise.race([exited, delay(STOP_GRACE_MS)]);
        // Whatever ignored SIGTERM or outlived the leader.
        killPeerTree(pid, "SIGKILL", tree);
        await Promise.race([exited, delay(STOP_GRACE_MS)]);
        live.delete(pid);
      }
      for (const d of spec.dirs) await rm(d, { recursive: true, force: true });
    })();
    return stopping;
  };

  const waitForStdout = (re: RegExp, timeoutMs: number): Promise<RegExpMatchArray> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const m = stdoutText.match(re);
        if (m) {
          done();
          resolve(m);
        } else if (exitedFlag) {
          done();
          reject(spawnError ?? new Error(`${spec.label} exited before printing ${re}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${spec.label} printed nothing matching ${re} within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        watchers.delete(check);
      };
      watchers.add(check);
      check();
    });

  return { pid, child, exited, hasExited: () => exitedFlag, output, waitForStdout, stop };
}

/** Why a start attempt failed: "port-taken" attempts are retried on a new port. */
export class PeerStartError extends Error {
  constructor(
    message: string,
    readonly reason: "port-taken" | "failed",
  ) {
    super(message);
    this.name = "PeerStartError";
  }
}

/**
 * Connects to the control port until a complete 220 reply arrives (multi-line
 * greetings included), then sends QUIT. Fails early when the process exits,
 * and with reason "port-taken" when the greeting lacks `token` (another
 * program owns the port) or the process reports the address in use.
 */
export async function waitForGreeting(
  proc: LaunchedProcess,
  label: string,
  port: number,
  timeoutMs: number,
  token?: string,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let lastError = "";
  for (let attempt = 0; Date.now() < deadline && attempt < 10_000; attempt++) {
    if (proc.hasExited()) {
      const out = await proc.output();
      const taken = /address already in use|EADDRINUSE|unable to bind|Address in use/i.test(out);
      throw new PeerStartError(
        `${label} exited during start on port ${port}\n--- output ---\n${out}`,
        taken ? "port-taken" : "failed",
      );
    }
    try {
      const greeting = await readGreeting(port, Math.max(100, Math.min(3_000, deadline - Date.now())));
      if (!greeting.startsWith("220")) {
        throw new PeerStartError(`${label} greeted with "${greeting}" instead of 220\n${await proc.output()}`, "failed");
      }
      if (token !== undefined && !greeting.includes(token)) {
        throw new PeerStartError(`port ${port} answered with someone else's greeting: ${greeting}`, "port-taken");
      }
      return greeting;
    } catch (e) {
      if (e instanceof PeerStartError) throw e;
      lastError = (e as Error).message;
      await delay(20);
    }
  }
  throw new PeerStartError(
    `${label} did not answer 220 on 127.0.0.1:${port} within ${timeoutMs} ms (last: ${lastError})\n` +
      `--- output ---\n${await proc.output()}`,
    "failed",
  );
}

function readGreeting(port: number, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port });
    let text = "";
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error("greeting timed out"));
    }, timeoutMs);
    socket.on("data", (chunk: Buffer) => {
      text += chunk.toString("latin1");
      // The reply ends with a line "ddd text" (a space after the code).
      // Only whole lines count: every element but the last one of the split.
      const lines = text.split(/\r?\n/).slice(0, -1);
      const last = lines.findIndex((l) => /^\d{3}( |$)/.test(l));
      if (last >= 0) {
        clearTimeout(timer);
        socket.removeAllListeners("close");
        socket.end("QUIT\r\n");
        setTimeout(() => socket.destroy(), 200).unref();
        resolve(lines.slice(0, last + 1).join("\n"));
      }
      if (text.length > 16_384) {
        clearTimeout(timer);
        socket.destroy();
        reject(new Error("greeting too long"));
      }
    });
    socket.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    socket.on("close", () => {
      clearTimeout(timer);
      reject(new Error(`closed before a greeting: ${JSON.stringify(text)}`));
    });
  });
}

/**
 * Runs `attemptStart` up to `attempts` times while it fails with reason
 * "port-taken" (the free-port race), rethrowing anything else.
 */
export async function withPortRetries<T>(attempts: number, attemptStart: () => Promise<T>): Promise<T> {
  let last: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      return await attemptStart();
    } catch (e) {
      last = e;
      if (!(e instanceof PeerStartError && e.reason === "port-taken")) throw e;
    }
  }
  throw last;
}

// Process accounting from /proc (Linux): CPU time of a process tree and
// peak/current resident memory. Used for servers and tools that run as
// child processes, so their figures are not mixed with the bench's own.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

let clockTicks: number | undefined;
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

interface StatEntry {
  pid: number;
  ppid: number;
  /** utime + stime + cutime + cstime, in seconds: own CPU plus that of reaped children. */
  cpuSeconds: number;
}

function readStat(pid: number): StatEntry | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined; // exited meanwhile
  }
  // The command name may contain spaces and parentheses: fields start after the last ")".
  const rest = text.slice(text.lastIndexOf(")") + 2).split(" ");
  const n = (i: number): number => Number(rest[i] ?? 0);
  // rest[0] is field 3 (state); utime is field 14 → rest[11].
  return { pid, ppid: n(1), cpuSeconds: (n(11) + n(12) + n(13) + n(14)) / ticksPerSecond() };
}

function allStats(): StatEntry[] {
  const out: StatEntry[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const s = readStat(Number(name));
    if (s) out.push(s);
  }
  return out;
}

/** The pid and every live descendant. */
export function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const s of allStats()) {
    const list = children.get(s.ppid);
    if (list) list.push(s.pid);
    else children.set(s.ppid, [s.pid]);
  }
  const out: number[] = [];
  const stack = [pid];
  while (stack.length > 0 && out.length < 100_000) {
    const p = stack.pop()!;
    out.push(p);
    stack.push(...(children.get(p) ?? []));
  }
  return out;
}

/**
 * CPU seconds used so far by a process tree. A child's time moves into its
 * parent's cutime/cstime when the parent reaps it, so this sum does not drop
 * when a session process exits (vsftpd forks one or two per session).
 */
export function treeCpuSeconds(pid: number): number {
  let total = 0;
  for (const p of processTree(pid)) total += readStat(p)?.cpuSeconds ?? 0;
  return total;
}

function statusField(pid: number, field: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, "utf8");
  } catch {
    return undefined;
  }
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(text);
  return m ? Number(m[1]) * 1024 : undefined;
}

/** Peak resident set size (VmHWM) in bytes, summed over the tree. */
export function treePeakRss(pid: number): number {
  let total = 0;
  for (const p of processTree(pid)) total += statusField(p, "VmHWM") ?? 0;
  return total;
}

/** Current resident set size (VmRSS) in bytes, summed over the tree. */
export function treeRss(pid: number): number {
  let total = 0;
  for (const p of processTree(pid)) total += statusField(p, "VmRSS") ?? 0;
  return total;
}

/** This process's own peak RSS (for child workers reporting about themselves). */
export function selfPeakRss(): number {
  return statusField(process.pid, "VmHWM") ?? 0;
}

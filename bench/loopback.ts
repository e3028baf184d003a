// Suite "loopback": the ceiling for any Node-to-Node transfer on this
// machine — one TCP socket over 127.0.0.1 moving 1 GiB (256 MiB with
// --quick). Measured between two processes (sender and receiver, like the
// client/server rows) and, for reference, inside one process.
import { forkChild, runJob, type ChildMessage } from "./lib/children.js";
import { sized } from "./lib/options.js";
import { suiteBody, hasRow, recordRow } from "./lib/results.js";
import { medianOf, row } from "./lib/suite.js";
import { formatBytes, formatNumber, GiB, mbPerSecond, MiB } from "./lib/stats.js";

const SUITE = "loopback";

interface SinkResult extends ChildMessage {
  bytes: number;
  ms: number;
  cpu: number;
}

export function loopbackBytes(): number {
  return sized(GiB, 256 * MiB);
}

async function twoProcesses(bytes: number): Promise<{ mbps: number; cpuPerGiB: number }> {
  const sink = await forkChild("clients/loopback.ts", { role: "sink", bytes });
  try {
    const { port } = await sink.next<ChildMessage & { port: number }>("ready", 20_000);
    const sourceDone = runJob<ChildMessage & { cpu: number }>(
      { role: "source", bytes, port },
      120_000,
      "clients/loopback.ts",
    );
    const [s, src] = await Promise.all([sink.next<SinkResult>("result", 120_000), sourceDone]);
    if (s.bytes !== bytes) throw new Error(`sink got ${s.bytes} bytes, expected ${bytes}`);
    return { mbps: mbPerSecond(bytes, s.ms), cpuPerGiB: (s.cpu + src.cpu) / (bytes / GiB) };
  } finally {
    await sink.stop();
  }
}

async function oneProcess(bytes: number): Promise<{ mbps: number; cpuPerGiB: number }> {
  const r = await runJob<SinkResult>({ role: "both", bytes }, 120_000, "clients/loopback.ts");
  if (r.bytes !== bytes) throw new Error(`got ${r.bytes} bytes, expected ${bytes}`);
  return { mbps: mbPerSecond(bytes, r.ms), cpuPerGiB: r.cpu / (bytes / GiB) };
}

function details(cpuPerGiB: number, runs: number): string {
  return `${formatNumber(cpuPerGiB, 2)} CPU s/GiB (both ends); ${runs} runs`;
}

/** Measures the two-process ceiling unless this run already has it (the large suite needs it). */
export async function ensureLoopback(): Promise<void> {
  if (hasRow("loopback:2proc")) return;
  const bytes = loopbackBytes();
  await row(SUITE, "loopback:2proc", `Node socket → Node socket, 2 processes, ${formatBytes(bytes)}`, async () => {
    const m = await medianOf(() => twoProcesses(bytes));
    recordRow({
      suite: SUITE,
      key: "loopback:2proc",
      label: `Node socket → Node socket, 2 processes, ${formatBytes(bytes)}`,
      result: `${formatNumber(m.mbps)} MB/s`,
      details: details(m.cpuPerGiB, m.runs),
      values: m,
    });
  });
}

export function run(): Promise<void> {
  return suiteBody(SUITE, async () => {
    await ensureLoopback();
    const bytes = loopbackBytes();
    const label = `Node socket → Node socket, 1 process, ${formatBytes(bytes)}`;
    await row(SUITE, "loopback:1proc", label, async () => {
      const m = await medianOf(() => oneProcess(bytes));
      recordRow({ suite: SUITE, key: "loopback:1proc", label, result: `${formatNumber(m.mbps)} MB/s`, details: details(m.cpuPerGiB, m.runs), values: m });
    });
  });
}

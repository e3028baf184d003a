// Suite "sessions": 1,000 concurrent sessions (200 with --quick) from one
// client process — login, LIST, RETR of a 64 KiB file, QUIT — against each
// server in its own process: wall time, failed sessions, the server's peak
// RSS (VmHWM) and its growth per session: (peak − RSS before the load) /
// sessions, the measure of issue 6. Then, on a fresh server, the same number
// of idle logged-in sessions: (RSS with them − RSS before) / sessions, after
// a full GC for Node servers (retained memory, for context). The load client is basic-ftp unless --sessions-client ftpwire.
import { setTimeout as delay } from "node:timers/promises";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { randomPassiveRange } from "../test/support/ports.js";
import { forkChild, runJob, type ChildMessage } from "./lib/children.js";
import { options, sized } from "./lib/options.js";
import { treePeakRss, treeRss } from "./lib/proc.js";
import { suiteBody, recordRow } from "./lib/results.js";
import { SERVER_LABEL, startServer, type BenchServer, type ServerKind } from "./lib/servers.js";
import { medianOf, row } from "./lib/suite.js";
import { formatBytes, formatNumber, KiB } from "./lib/stats.js";

const SUITE = "sessions";
const SERVERS: readonly ServerKind[] = ["ftpwire", "ftp-srv", "pyftpdlib"];

interface CrowdResult extends ChildMessage {
  wallMs: number;
  failures: number;
  errors: [string, number][];
}

async function start(kind: ServerKind, count: number): Promise<BenchServer> {
  // Limits raised for this load (pyftpdlib's max_cons / max_cons_per_ip too),
  // and enough passive ports for every session to hold one at once.
  const server = await startServer(kind, { maxConnections: count * 2 + 50, passivePorts: randomPassiveRange(Math.max(400, count * 2)) });
  try {
    await writeFile(join(server.root, "f64k.bin"), Buffer.alloc(64 * KiB, 0x5a));
    return server;
  } catch (e) {
    await server.stop();
    throw e;
  }
}

function rssNow(server: BenchServer): Promise<number> {
  return server.gc ? server.gc() : Promise.resolve(treeRss(server.pid));
}

async function crowd(kind: ServerKind, count: number): Promise<{ wallMs: number; failures: number; peakRss: number; idleRss: number; errors: string }> {
  const server = await start(kind, count);
  try {
    await delay(300);
    // The server's RSS before the load, without a forced GC: the same state its peak grows from.
    const idleRss = treeRss(server.pid);
    const r = await runJob<CrowdResult>(
      { op: "sessions", lib: options().sessionsClient, count, file: "/f64k.bin", host: server.host, port: server.port, user: server.user, password: server.password },
      600_000,
    );
    await delay(200);
    return {
      wallMs: r.wallMs,
      failures: r.failures,
      peakRss: treePeakRss(server.pid),
      idleRss,
      errors: r.errors.map(([m, n]) => `${n}× ${m}`).join("; "),
    };
  } finally {
    await server.stop();
  }
}

async function idle(kind: ServerKind, count: number): Promise<{ perSession: number; opened: number }> {
  const server = await start(kind, count);
  try {
    await delay(300);
    const before = await rssNow(server);
    const holder = await forkChild("clients/worker.ts", {
      op: "idle", lib: options().sessionsClient, count, host: server.host, port: server.port, user: server.user, password: server.password,
    });
    try {
      const ready = await holder.next<ChildMessage & { opened: number; failures: number; firstError: string }>("ready", 300_000);
      if (ready.opened === 0) throw new Error(`no idle session could log in: ${ready.firstError}`);
      await delay(500);
      const after = await rssNow(server);
      holder.send({ type: "close" });
      await holder.next("result", 60_000);
      return { perSession: (after - before) / ready.opened, opened: ready.opened };
    } finally {
      await holder.stop();
    }
  } finally {
    await server.stop();
  }
}

export function run(): Promise<void> {
  return suiteBody(SUITE, async () => {
    const count = sized(1000, 200);
    const client = options().sessionsClient;
    for (const kind of SERVERS) {
      const key = `sessions:${kind}`;
      const label = `${formatNumber(count)} sessions (${client}) → ${SERVER_LABEL[kind]}`;
      await row(SUITE, key, label, async () => {
        const notes = new Set<string>();
        const m = await medianOf(async () => {
          const c = await crowd(kind, count);
          if (c.errors) notes.add(c.errors);
          const i = await idle(kind, count);
          if (i.opened < count) notes.add(`only ${i.opened} idle sessions logged in`);
          // Issue 6's measure: (peak RSS − idle RSS) / sessions, over the whole login-LIST-RETR-QUIT load.
          const growthPerSession = (c.peakRss - c.idleRss) / count;
          return { wallMs: c.wallMs, failures: c.failures, peakRss: c.peakRss, growthPerSession, perSession: i.perSession };
        });
        recordRow({
          suite: SUITE,
          key,
          label,
          result: `${formatNumber(m.wallMs)} ms, ${formatNumber(m.failures)} failed`,
          details: `server peak RSS ${formatBytes(m.peakRss)}, growth ${formatNumber(m.growthPerSession / KiB, 1)} KiB per session; ${formatNumber(m.perSession / KiB, 1)} KiB per idle logged-in session; ${m.runs} runs${notes.size ? `; errors: ${[...notes].join("; ").slice(0, 200)}` : ""}`,
          values: m,
        });
      });
    }
  });
}

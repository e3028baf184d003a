// One client job in its own process (so its CPU time and peak RSS are its
// own): a transfer, a folder of small files, a listing, or a crowd of
// sessions. Timing starts after the login, except for the sessions jobs
// whose point is the login. Reports {type:"result", ...} to the parent.
import { Readable } from "node:stream";
import { childArg, failToParent, onParentMessage, sendToParent } from "../lib/child-side.js";
import { selfPeakRss } from "../lib/proc.js";
import { connectClient, nullSink, type BenchClient, type ClientLib, type Login } from "./adapters.js";

type Job =
  | ({ op: "retr"; lib: ClientLib; remote: string; local: string } & Login)
  | ({ op: "stor"; lib: ClientLib; remote: string; local: string; generatedBytes?: number } & Login)
  | ({ op: "small"; lib: ClientLib; connections: number; localDir: string; remoteDir: string; downloadDir: string } & Login)
  | ({ op: "list"; lib: ClientLib; path: string; method: "LIST" | "MLSD" } & Login)
  | ({ op: "sessions"; lib: ClientLib; count: number; file: string } & Login)
  | ({ op: "idle"; lib: ClientLib; count: number } & Login);

const job = childArg<Job>();

function cpuSeconds(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1e6;
}

/** A stream of `bytes` bytes that re-sends one 1 MiB buffer: no source file, constant memory. */
function generated(bytes: number): Readable {
  const block = Buffer.alloc(1024 * 1024, 0x61);
  let left = bytes;
  return new Readable({
    highWaterMark: block.length,
    read() {
      if (left <= 0) {
        this.push(null);
        return;
      }
      const n = Math.min(left, block.length);
      left -= n;
      this.push(n === block.length ? block : block.subarray(0, n));
    },
  });
}

async function timed(client: BenchClient, work: () => Promise<void>): Promise<{ ms: number; cpu: number }> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await work();
  const ms = performance.now() - t0;
  const cpu = cpuSeconds(cpu0);
  await client.close();
  return { ms, cpu };
}

function errorText(e: unknown): string {
  return e instanceof Error ? `${(e as { code?: string }).code ?? e.name}: ${e.message}` : String(e);
}

/** Every session at once: login, LIST, RETR (into a null sink), QUIT. */
async function crowd(j: Extract<Job, { op: "sessions" }>): Promise<void> {
  const errors = new Map<string, number>();
  let failures = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: j.count }, async () => {
      let client: BenchClient | undefined;
      try {
        client = await connectClient(j.lib, j, 120_000);
        await client.list("/", "LIST");
        await client.download(j.file, nullSink());
        await client.close();
      } catch (e) {
        failures++;
        const key = errorText(e).slice(0, 120);
        errors.set(key, (errors.get(key) ?? 0) + 1);
        await client?.close().catch(() => {});
      }
    }),
  );
  const wallMs = performance.now() - t0;
  await sendToParent({ type: "result", wallMs, failures, errors: [...errors].slice(0, 3), peakRss: selfPeakRss() });
}

/** Opens `count` logged-in sessions (100 logins at a time), reports, holds them until told to close. */
async function idle(j: Extract<Job, { op: "idle" }>): Promise<void> {
  const clients: BenchClient[] = [];
  let failures = 0;
  let firstError = "";
  for (let i = 0; i < j.count; i += 100) {
    const batch = await Promise.allSettled(
      Array.from({ length: Math.min(100, j.count - i) }, () => connectClient(j.lib, j, 60_000)),
    );
    for (const r of batch) {
      if (r.status === "fulfilled") clients.push(r.value);
      else {
        failures++;
        firstError ||= errorText(r.reason);
      }
    }
  }
  const closing = new Promise<void>((resolve) => onParentMessage((m) => (m.type === "close" ? resolve() : undefined)));
  await sendToParent({ type: "ready", opened: clients.length, failures, firstError });
  await closing;
  await Promise.allSettled(clients.map((c) => c.close()));
  await sendToParent({ type: "result", opened: clients.length, failures });
}

try {
  switch (job.op) {
    case "retr": {
      const client = await connectClient(job.lib, job);
      const r = await timed(client, () => client.download(job.remote, job.local));
      await sendToParent({ type: "result", ...r, peakRss: selfPeakRss() });
      break;
    }
    case "stor": {
      const client = await connectClient(job.lib, job);
      const source = job.generatedBytes !== undefined ? generated(job.generatedBytes) : job.local;
      const r = await timed(client, () => client.upload(source, job.remote));
      await sendToParent({ type: "result", ...r, peakRss: selfPeakRss() });
      break;
    }
    case "small": {
      const client = await connectClient(job.lib, job);
      const t0 = performance.now();
      await client.uploadDir(job.localDir, job.remoteDir, job.connections);
      const t1 = performance.now();
      await client.downloadDir(job.remoteDir, job.downloadDir, job.connections);
      const t2 = performance.now();
      await client.close();
      await sendToParent({ type: "result", upMs: t1 - t0, downMs: t2 - t1 });
      break;
    }
    case "list": {
      const client = await connectClient(job.lib, job);
      const t0 = performance.now();
      const entries = await client.list(job.path, job.method);
      const ms = performance.now() - t0;
      await client.close();
      await sendToParent({ type: "result", ms, entries });
      break;
    }
    case "sessions":
      await crowd(job);
      break;
    case "idle":
      await idle(job);
      break;
  }
  process.exit(0);
} catch (e) {
  await failToParent(e);
}

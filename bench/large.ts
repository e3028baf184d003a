// Suite "large": one 1 GiB file (256 MiB with --quick) downloaded (RETR) and
// uploaded (STOR) between client/server pairs, every server in its own
// process with its root on /dev/shm. Client and server CPU are measured
// separately (client: its own process; server: its /proc process tree).
import { copyFile, open, rm } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { ensureLoopback } from "./loopback.js";
import { runJob, type ChildMessage } from "./lib/children.js";
import { sized } from "./lib/options.js";
import { treeCpuSeconds } from "./lib/proc.js";
import { suiteBody, recordNa, recordRow } from "./lib/results.js";
import { SERVER_LABEL, startServer, type BenchServer, type ServerKind } from "./lib/servers.js";
import { medianOf, reasonOf, row } from "./lib/suite.js";
import { formatBytes, formatNumber, GiB, mbPerSecond, MiB } from "./lib/stats.js";
import { runTool, toolMissing } from "./lib/tools.js";
import { requireShm, workSubdir } from "./lib/workdir.js";

const SUITE = "large";
type ClientKind = "ftpwire" | "basic-ftp" | "curl";
type Direction = "retr" | "stor";

/** Grouped by server, so each server starts once. */
const PAIRS: readonly (readonly [ServerKind, readonly ClientKind[]])[] = [
  ["ftpwire", ["ftpwire", "basic-ftp", "curl"]],
  ["ftp-srv", ["basic-ftp"]],
  ["vsftpd", ["ftpwire", "basic-ftp", "curl"]],
];

const CLIENT_LABEL: Record<ClientKind, string> = { ftpwire: "ftpwire client", "basic-ftp": "basic-ftp", curl: "curl" };
const SERVER_NAME: Record<ServerKind, string> = { ftpwire: "ftpwire", "ftp-srv": "ftp-srv", vsftpd: "vsftpd", pyftpdlib: "pyftpdlib" };

interface Measured extends Record<string, number> {
  mbps: number;
  cpuPerGiB: number;
  clientCpuPerGiB: number;
  serverCpuPerGiB: number;
}

/** A file of `bytes` bytes (1 MiB blocks of a repeating pattern). */
async function makeFile(path: string, bytes: number): Promise<void> {
  const block = Buffer.alloc(MiB);
  for (let i = 0; i < block.length; i++) block[i] = (i * 31 + 7) & 0xff;
  const f = await open(path, "w");
  try {
    for (let done = 0; done < bytes; done += block.length) await f.write(block, 0, Math.min(block.length, bytes - done));
  } finally {
    await f.close();
  }
}

interface ClientRun {
  ms: number;
  cpu: number;
}

async function runClient(client: ClientKind, dir: Direction, server: BenchServer, source: string): Promise<ClientRun> {
  const remote = dir === "retr" ? "/big.bin" : "/upload.bin";
  if (client === "curl") {
    const url = `ftp://${server.user}:${server.password}@${server.host}:${server.port}${remote}`;
    const args =
      dir === "retr"
        ? ["-sS", "-o", "/dev/null", "-w", "%{time_pretransfer} %{time_total}\n", url]
        : ["-sS", "-T", source, "-w", "%{time_pretransfer} %{time_total}\n", url];
    const r = await runTool("curl", args, 600_000);
    // Transfer time only (after the login), like the Node clients' figure.
    const [pre = "0", total = "0"] = r.stdout.trim().split(/\s+/);
    return { ms: (Number(total) - Number(pre)) * 1000, cpu: r.cpu };
  }
  const r = await runJob<ChildMessage & ClientRun>(
    {
      op: dir,
      lib: client,
      host: server.host,
      port: server.port,
      user: server.user,
      password: server.password,
      remote,
      local: dir === "retr" ? "/dev/null" : source,
    },
    600_000,
  );
  return { ms: r.ms, cpu: r.cpu };
}

async function measure(client: ClientKind, dir: Direction, server: BenchServer, source: string, bytes: number): Promise<Measured> {
  const gib = bytes / GiB;
  return medianOf(async () => {
    const cpu0 = treeCpuSeconds(server.pid);
    const r = await runClient(client, dir, server, source);
    await delay(100); // let session processes exit and be reaped (vsftpd)
    const serverCpu = treeCpuSeconds(server.pid) - cpu0;
    if (dir === "stor") await rm(join(server.root, "upload.bin"), { force: true });
    return {
      mbps: mbPerSecond(bytes, r.ms),
      cpuPerGiB: (r.cpu + serverCpu) / gib,
      clientCpuPerGiB: r.cpu / gib,
      serverCpuPerGiB: serverCpu / gib,
    };
  });
}

export function run(): Promise<void> {
  return suiteBody(SUITE, async () => {
    const bytes = sized(GiB, 256 * MiB);
    await ensureLoopback();
    const key = (s: ServerKind, c: ClientKind, d: Direction): string => `large:${c}-${SERVER_NAME[s]}:${d}`;
    const label = (s: ServerKind, c: ClientKind, d: Direction): string =>
      `${CLIENT_LABEL[c]} ↔ ${SERVER_LABEL[s]} ${d.toUpperCase()} ${formatBytes(bytes)}`;
    const work = workSubdir("large");
    try {
      requireShm(bytes * 3 + 256 * MiB); // source, server copy, upload
      const source = join(work, "source.bin");
      await makeFile(source, bytes);
      for (const [serverKind, clients] of PAIRS) {
        let server: BenchServer | undefined;
        try {
          server = await startServer(serverKind);
          await copyFile(source, join(server.root, "big.bin"));
        } catch (e) {
          for (const c of clients) for (const d of ["retr", "stor"] as const) recordNa(SUITE, key(serverKind, c, d), label(serverKind, c, d), reasonOf(e));
          await server?.stop();
          continue;
        }
        try {
          for (const c of clients) {
            const missing = c === "curl" ? await toolMissing("curl") : undefined;
            for (const d of ["retr", "stor"] as const) {
              const k = key(serverKind, c, d);
              await row(SUITE, k, label(serverKind, c, d), async () => {
                if (missing) throw new Error(missing);
                const m = await measure(c, d, server!, source, bytes);
                recordRow({
                  suite: SUITE,
                  key: k,
                  label: label(serverKind, c, d),
                  result: `${formatNumber(m.mbps)} MB/s`,
                  details: `${formatNumber(m.cpuPerGiB, 2)} CPU s/GiB (client ${formatNumber(m.clientCpuPerGiB, 2)} + server ${formatNumber(m.serverCpuPerGiB, 2)}); ${m.runs} runs`,
                  values: m,
                });
              });
            }
          }
        } finally {
          await server.stop();
        }
      }
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });
}

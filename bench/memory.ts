// Suite "memory": peak RSS (VmHWM) of the ftpwire client and the ftpwire
// server, each in its own process, while one file moves between them:
// STOR of a generated stream (no source file) into a /dev/shm folder, then
// RETR of that file into /dev/null. Two sizes — 1 GiB and 4 GiB (256 MiB and
// 1 GiB with --quick) — so any growth with the file size shows. A fresh
// server (and client) per transfer, so each peak belongs to one transfer.
import { rm } from "node:fs/promises";
import { runJob, type ChildMessage } from "./lib/children.js";
import { options, sized } from "./lib/options.js";
import { treePeakRss } from "./lib/proc.js";
import { suiteBody, recordNa, recordRow } from "./lib/results.js";
import { startServer } from "./lib/servers.js";
import { reasonOf } from "./lib/suite.js";
import { formatBytes, formatNumber, GiB, mbPerSecond, median, MiB } from "./lib/stats.js";
import { requireShm, workSubdir } from "./lib/workdir.js";

const SUITE = "memory";
type Direction = "stor" | "retr";

interface Transfer extends ChildMessage {
  ms: number;
  peakRss: number;
}

interface Sample {
  clientPeak: number;
  serverPeak: number;
  mbps: number;
}

async function transfer(dir: Direction, root: string, bytes: number): Promise<Sample> {
  const server = await startServer("ftpwire", { root });
  try {
    const r = await runJob<Transfer>(
      {
        op: dir,
        lib: "ftpwire",
        host: server.host,
        port: server.port,
        user: server.user,
        password: server.password,
        remote: "/memory.bin",
        local: "/dev/null",
        generatedBytes: bytes,
      },
      900_000,
    );
    return { clientPeak: r.peakRss, serverPeak: treePeakRss(server.pid), mbps: mbPerSecond(bytes, r.ms) };
  } finally {
    await server.stop();
  }
}

export function run(): Promise<void> {
  return suiteBody(SUITE, async () => {
    const big = sized(4 * GiB, GiB);
    for (const [size, bytes] of [["small", big / 4], ["big", big]] as const) {
      const label = (dir: Direction): string =>
        dir === "stor"
          ? `ftpwire client → ftpwire server STOR ${formatBytes(bytes)}: peak RSS`
          : `ftpwire client ← ftpwire server RETR ${formatBytes(bytes)}: peak RSS`;
      const samples: Record<Direction, Sample[]> = { stor: [], retr: [] };
      const root = workSubdir("memory");
      try {
        requireShm(bytes + 256 * MiB);
        for (let i = 0; i < options().runs; i++) {
          // STOR writes the file that RETR then reads.
          samples.stor.push(await transfer("stor", root, bytes));
          samples.retr.push(await transfer("retr", root, bytes));
          await rm(`${root}/memory.bin`, { force: true });
        }
      } catch (e) {
        for (const dir of ["stor", "retr"] as const) {
          if (samples[dir].length < options().runs) recordNa(SUITE, `memory:${dir}:${size}`, label(dir), reasonOf(e));
        }
      } finally {
        await rm(root, { recursive: true, force: true });
      }
      for (const dir of ["stor", "retr"] as const) {
        const s = samples[dir];
        if (s.length < options().runs) continue;
        const values = {
          clientPeak: median(s.map((x) => x.clientPeak)),
          serverPeak: median(s.map((x) => x.serverPeak)),
          mbps: median(s.map((x) => x.mbps)),
        };
        recordRow({
          suite: SUITE,
          key: `memory:${dir}:${size}`,
          label: label(dir),
          result: `client ${formatBytes(values.clientPeak)}, server ${formatBytes(values.serverPeak)}`,
          details: `${formatNumber(values.mbps)} MB/s; ${s.length} runs`,
          values,
        });
      }
    }
  });
}

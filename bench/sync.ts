// Suite "sync" (issue 14): ftpwire's `sync()` with 8 connections against
// `lftp mirror --parallel=8`, 1,000 files of 4 KiB (200 with --quick) up and
// then down against vsftpd, files/s and their ratio measured in the same run;
// and a segmented download (4 segments) against a single stream of 1 GiB
// (256 MiB with --quick) from vsftpd, on /dev/shm. The ftpwire client runs
// in this process; vsftpd and lftp are their own.
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Client } from "../src/client/client.js";
import { sized } from "./lib/options.js";
import { recordNa, recordRow, suiteBody } from "./lib/results.js";
import { startServer, type BenchServer } from "./lib/servers.js";
import { medianOf, reasonOf, row } from "./lib/suite.js";
import { formatNumber, GiB, KiB, mbPerSecond, MiB } from "./lib/stats.js";
import { runTool, toolMissing } from "./lib/tools.js";
import { requireShm, workSubdir } from "./lib/workdir.js";

const SUITE = "sync";

async function lftp(server: BenchServer, commands: string): Promise<number> {
  const script = [
    "set cmd:fail-exit yes",
    "set net:max-retries 1",
    "set net:timeout 60",
    "set ftp:ssl-allow no",
    `open -u ${server.user},${server.password} -p ${server.port} ${server.host}`,
    commands,
  ].join("; ");
  return (await runTool("lftp", ["-c", script], 600_000)).ms;
}

function connect(server: BenchServer): Promise<Client> {
  return Client.connect({ host: server.host, port: server.port, user: server.user, password: server.password, retry: { attempts: 3 } });
}

async function ftpwireSync(server: BenchServer, source: string, remoteDir: string, down: string): Promise<{ up: number; down: number }> {
  const client = await connect(server);
  try {
    let t = performance.now();
    const up = await client.sync(source, remoteDir, { direction: "upload", concurrency: 8 });
    const upMs = performance.now() - t;
    t = performance.now();
    const back = await client.sync(down, remoteDir, { direction: "download", concurrency: 8 });
    const downMs = performance.now() - t;
    if (up.failed.length + back.failed.length > 0) throw new Error(`sync failed for ${up.failed.length + back.failed.length} files`);
    return { up: upMs, down: downMs };
  } finally {
    await client.close();
  }
}

async function syncRows(server: BenchServer, work: string): Promise<void> {
  const files = sized(1000, 200);
  const source = join(work, "source");
  await mkdir(source);
  for (let i = 0; i < files; i++) await writeFile(join(source, `file-${String(i).padStart(5, "0")}.bin`), Buffer.alloc(4 * KiB, i & 0xff));
  const measure = async (name: "ftpwire" | "lftp") => medianOf(async (run) => {
    const remoteDir = `/sync-${name}-${run}`;
    const down = join(work, `down-${name}-${run}`);
    await mkdir(down);
    try {
      const t = name === "ftpwire"
        ? await ftpwireSync(server, source, remoteDir, down)
        : {
          up: await lftp(server, `mirror -R --no-perms --parallel=8 ${source} ${remoteDir}`),
          down: await lftp(server, `mirror --no-perms --parallel=8 ${remoteDir} ${down}`),
        };
      return { filesPerSec: (2 * files) / ((t.up + t.down) / 1000), upFilesPerSec: files / (t.up / 1000), downFilesPerSec: files / (t.down / 1000) };
    } finally {
      await rm(down, { recursive: true, force: true });
      await rm(join(server.root, remoteDir), { recursive: true, force: true });
    }
  });
  const label = `${files} × 4 KiB up + down ↔ vsftpd`;
  let ours: { filesPerSec: number } | undefined;
  await row(SUITE, "sync:ftpwire-8", `ftpwire sync, 8 connections (${label})`, async () => {
    const m = await measure("ftpwire");
    ours = m;
    recordRow({
      suite: SUITE, key: "sync:ftpwire-8", label: `ftpwire sync, 8 connections (${label})`,
      result: `${formatNumber(m.filesPerSec)} files/s`,
      details: `upload ${formatNumber(m.upFilesPerSec)}, download ${formatNumber(m.downFilesPerSec)} files/s; ${m.runs} runs`, values: m,
    });
  });
  await row(SUITE, "sync:lftp-8", `lftp mirror --parallel=8 (${label})`, async () => {
    const missing = await toolMissing("lftp");
    if (missing) throw new Error(missing);
    const m = await measure("lftp");
    recordRow({
      suite: SUITE, key: "sync:lftp-8", label: `lftp mirror --parallel=8 (${label})`,
      result: `${formatNumber(m.filesPerSec)} files/s`,
      details: `upload ${formatNumber(m.upFilesPerSec)}, download ${formatNumber(m.downFilesPerSec)} files/s; ${m.runs} runs`
        + (ours ? `; ftpwire/lftp = ${(ours.filesPerSec / m.filesPerSec).toFixed(2)}` : ""),
      values: m,
    });
  });
}

async function segmentRows(server: BenchServer): Promise<void> {
  const size = sized(GiB, 256 * MiB);
  requireShm(3 * size);
  const chunk = Buffer.alloc(16 * MiB);
  for (let i = 0; i < chunk.length; i += 4) chunk.writeUInt32LE((i * 2654435761) >>> 0, i);
  const remoteFile = join(server.root, "big.bin");
  await writeFile(remoteFile, "");
  const { open } = await import("node:fs/promises");
  const handle = await open(remoteFile, "w");
  for (let written = 0; written < size; written += chunk.length) await handle.write(chunk, 0, Math.min(chunk.length, size - written));
  await handle.close();
  const local = join(workSubdir("sync-seg"), "big.bin");
  const measure = (segments: number) => medianOf(async () => {
    const client = await connect(server);
    try {
      const t = performance.now();
      const result = await client.download("/big.bin", local, segments > 1 ? { segments } : {});
      const ms = performance.now() - t;
      if (segments > 1 && result.segments !== segments) throw new Error(`fell back: ${result.notes?.join("; ")}`);
      return { mbPerSec: mbPerSecond(size, ms) };
    } finally {
      await client.close();
      await rm(local, { force: true });
    }
  });
  let single: { mbPerSec: number } | undefined;
  const label = `${size / MiB} MiB from vsftpd, /dev/shm`;
  await row(SUITE, "sync:download-single", `single-stream download (${label})`, async () => {
    single = await measure(1);
    recordRow({ suite: SUITE, key: "sync:download-single", label: `single-stream download (${label})`, result: `${formatNumber(single.mbPerSec)} MB/s`, details: `${(single as { runs?: number }).runs} runs`, values: single });
  });
  await row(SUITE, "sync:download-segments-4", `segmented download, 4 segments (${label})`, async () => {
    const m = await measure(4);
    recordRow({
      suite: SUITE, key: "sync:download-segments-4", label: `segmented download, 4 segments (${label})`,
      result: `${formatNumber(m.mbPerSec)} MB/s`,
      details: `${m.runs} runs${single ? `; segmented/single = ${(m.mbPerSec / single.mbPerSec).toFixed(2)}` : ""}`, values: m,
    });
  });
  await rm(remoteFile, { force: true });
}

export function run(): Promise<void> {
  return suiteBody(SUITE, async () => {
    const work = workSubdir("sync");
    let server: BenchServer;
    try {
      server = await startServer("vsftpd");
    } catch (e) {
      recordNa(SUITE, "sync:vsftpd", "vsftpd", reasonOf(e));
      return;
    }
    try {
      await syncRows(server, work);
      await segmentRows(server);
    } finally {
      await server.stop();
      await rm(work, { recursive: true, force: true });
    }
  });
}

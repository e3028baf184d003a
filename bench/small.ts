// Suite "small": 1,000 files of 4 KiB (200 with --quick) uploaded from a
// local folder, then downloaded into an empty one, each side on /dev/shm.
// Every client uses its own folder-transfer feature (ftpwire uploadDir /
// downloadDir, basic-ftp uploadFromDir / downloadToDir, lftp mirror), so
// per-file commands are whatever that client normally sends.
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { runJob, type ChildMessage } from "./lib/children.js";
import { sized } from "./lib/options.js";
import { suiteBody, recordNa, recordRow } from "./lib/results.js";
import { startServer, type BenchServer, type ServerKind } from "./lib/servers.js";
import { medianOf, reasonOf, row } from "./lib/suite.js";
import { formatNumber, KiB } from "./lib/stats.js";
import { runTool, toolMissing } from "./lib/tools.js";
import { workSubdir } from "./lib/workdir.js";

const SUITE = "small";
type ClientKind = "ftpwire" | "basic-ftp" | "lftp";

interface Case {
  key: string;
  client: ClientKind;
  connections: number;
  label: string;
}

const CASES: readonly (readonly [ServerKind, readonly Case[]])[] = [
  [
    "ftpwire",
    [
      { key: "small:ftpwire-1", client: "ftpwire", connections: 1, label: "ftpwire client ↔ ftpwire server, 1 connection" },
      { key: "small:ftpwire-8", client: "ftpwire", connections: 8, label: "ftpwire client ↔ ftpwire server, 8 connections" },
      { key: "small:lftp-ftpwire", client: "lftp", connections: 8, label: "lftp mirror --parallel=8 ↔ ftpwire server" },
      // Context: the baseline client against ftpwire's server.
      { key: "small:basic-ftp-ftpwire", client: "basic-ftp", connections: 1, label: "basic-ftp ↔ ftpwire server" },
    ],
  ],
  ["ftp-srv", [{ key: "small:basic-ftp-ftp-srv", client: "basic-ftp", connections: 1, label: "basic-ftp ↔ ftp-srv" }]],
  [
    "vsftpd",
    [
      { key: "small:basic-ftp-vsftpd", client: "basic-ftp", connections: 1, label: "basic-ftp ↔ vsftpd" },
      { key: "small:lftp-vsftpd", client: "lftp", connections: 8, label: "lftp mirror --parallel=8 ↔ vsftpd" },
    ],
  ],
];

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

async function once(c: Case, server: BenchServer, source: string, run: number): Promise<{ up: number; down: number }> {
  const remoteDir = `/small-${run}`;
  const down = join(source, "..", `down-${run}`);
  await rm(down, { recursive: true, force: true });
  try {
    let upMs: number;
    let downMs: number;
    if (c.client === "lftp") {
      upMs = await lftp(server, `mirror -R --no-perms --parallel=${c.connections} ${source} ${remoteDir}`);
      await mkdir(down);
      downMs = await lftp(server, `mirror --no-perms --parallel=${c.connections} ${remoteDir} ${down}`);
    } else {
      await mkdir(down);
      const r = await runJob<ChildMessage & { upMs: number; downMs: number }>(
        {
          op: "small",
          lib: c.client,
          connections: c.connections,
          host: server.host,
          port: server.port,
          user: server.user,
          password: server.password,
          localDir: source,
          remoteDir,
          downloadDir: down,
        },
        600_000,
      );
      upMs = r.upMs;
      downMs = r.downMs;
    }
    return { up: upMs, down: downMs };
  } finally {
    await rm(down, { recursive: true, force: true });
    await rm(join(server.root, remoteDir), { recursive: true, force: true });
  }
}

export function run(): Promise<void> {
  return suiteBody(SUITE, async () => {
    const files = sized(1000, 200);
    const work = workSubdir("small");
    try {
      const source = join(work, "source");
      await mkdir(source);
      for (let i = 0; i < files; i++) {
        await writeFile(join(source, `file-${String(i).padStart(5, "0")}.bin`), Buffer.alloc(4 * KiB, i & 0xff));
      }
      for (const [serverKind, cases] of CASES) {
        let server: BenchServer | undefined;
        try {
          server = await startServer(serverKind);
        } catch (e) {
          for (const c of cases) recordNa(SUITE, c.key, c.label, reasonOf(e));
          continue;
        }
        try {
          for (const c of cases) {
            await row(SUITE, c.key, c.label, async () => {
              if (c.client === "lftp") {
                const missing = await toolMissing("lftp");
                if (missing) throw new Error(missing);
              }
              const m = await medianOf(async (i) => {
                const t = await once(c, server!, source, i);
                return {
                  filesPerSec: (2 * files) / ((t.up + t.down) / 1000),
                  upFilesPerSec: files / (t.up / 1000),
                  downFilesPerSec: files / (t.down / 1000),
                };
              });
              recordRow({
                suite: SUITE,
                key: c.key,
                label: `${c.label} (${files} × 4 KiB up + down)`,
                result: `${formatNumber(m.filesPerSec)} files/s`,
                details: `upload ${formatNumber(m.upFilesPerSec)} files/s, download ${formatNumber(m.downFilesPerSec)} files/s; ${m.runs} runs`,
                values: m,
              });
            });
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

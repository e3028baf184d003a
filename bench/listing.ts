// Suite "listing": one directory of 100,000 entries (20,000 with --quick)
// fetched with LIST or MLSD and parsed into entry objects by the client;
// time from the command to the parsed array. The folder is created once on
// /dev/shm and served by every server (vsftpd through local_root).
import { closeSync, ftruncateSync, mkdirSync, openSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { runJob, type ChildMessage } from "./lib/children.js";
import { sized } from "./lib/options.js";
import { suiteBody, recordNa, recordRow } from "./lib/results.js";
import { startServer, type BenchServer, type ServerKind } from "./lib/servers.js";
import { medianOf, reasonOf, row } from "./lib/suite.js";
import { formatNumber } from "./lib/stats.js";
import { workSubdir } from "./lib/workdir.js";

const SUITE = "listing";

interface Case {
  key: string;
  client: "ftpwire" | "basic-ftp";
  method: "LIST" | "MLSD";
  label: string;
}

const CASES: readonly (readonly [ServerKind, readonly Case[]])[] = [
  [
    "ftpwire",
    [
      { key: "listing:ftpwire-ftpwire:LIST", client: "ftpwire", method: "LIST", label: "ftpwire client ↔ ftpwire server, LIST" },
      { key: "listing:ftpwire-ftpwire:MLSD", client: "ftpwire", method: "MLSD", label: "ftpwire client ↔ ftpwire server, MLSD" },
      // Context: the same server with another client, to tell server cost from client cost.
      { key: "listing:basic-ftp-ftpwire:LIST", client: "basic-ftp", method: "LIST", label: "basic-ftp ↔ ftpwire server, LIST" },
      { key: "listing:basic-ftp-ftpwire:MLSD", client: "basic-ftp", method: "MLSD", label: "basic-ftp ↔ ftpwire server, MLSD" },
    ],
  ],
  // ftp-srv 4.6 has no MLSD command.
  ["ftp-srv", [{ key: "listing:basic-ftp-ftp-srv:LIST", client: "basic-ftp", method: "LIST", label: "basic-ftp ↔ ftp-srv, LIST" }]],
  // vsftpd has no MLSD either.
  ["vsftpd", [{ key: "listing:ftpwire-vsftpd:LIST", client: "ftpwire", method: "LIST", label: "ftpwire client ↔ vsftpd, LIST" }]],
];

/** `count` entries: every 20th a directory, files of varied (sparse) sizes. */
function makeDirectory(dir: string, count: number): void {
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  for (let i = 0; i < count; i++) {
    const name = join(dir, `entry-${String(i).padStart(6, "0")}${i % 20 === 0 ? "" : ".dat"}`);
    if (i % 20 === 0) {
      mkdirSync(name, { mode: 0o755 });
    } else {
      const fd = openSync(name, "w", 0o644);
      ftruncateSync(fd, (i * 7919) % 10_000_000);
      closeSync(fd);
    }
  }
}

export function run(): Promise<void> {
  return suiteBody(SUITE, async () => {
    const entries = sized(100_000, 20_000);
    const root = workSubdir("listing");
    try {
      makeDirectory(join(root, "big"), entries);
      for (const [serverKind, cases] of CASES) {
        let server: BenchServer | undefined;
        try {
          server = await startServer(serverKind, { root });
        } catch (e) {
          for (const c of cases) recordNa(SUITE, c.key, c.label, reasonOf(e));
          continue;
        }
        try {
          for (const c of cases) {
            await row(SUITE, c.key, c.label, async () => {
              const m = await medianOf(async () => {
                const r = await runJob<ChildMessage & { ms: number; entries: number }>(
                  { op: "list", lib: c.client, method: c.method, path: "/big", host: server!.host, port: server!.port, user: server!.user, password: server!.password },
                  600_000,
                );
                if (r.entries !== entries) throw new Error(`parsed ${r.entries} entries, expected ${entries}`);
                return { ms: r.ms, entriesPerSec: entries / (r.ms / 1000) };
              });
              recordRow({
                suite: SUITE,
                key: c.key,
                label: `${c.label}, ${formatNumber(entries)} entries`,
                result: `${formatNumber(m.ms)} ms`,
                details: `${formatNumber(m.entriesPerSec)} entries/s; ${m.runs} runs`,
                values: m,
              });
            });
          }
        } finally {
          await server.stop();
        }
      }
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
}

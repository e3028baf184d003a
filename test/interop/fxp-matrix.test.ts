// FXP between every pair of ftpwire's server and the real peers (vsftpd,
// pure-ftpd, proftpd, pyftpdlib), in both arrangements, in clear text on
// loopback. Files are compared by sha256. The expected matrix is written
// out below; the test prints the observed one.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Client } from "../../src/client/client.js";
import { fxp, type FxpArrangement } from "../../src/client/fxp.js";
import { requirePeer } from "../support/require-peer.js";
import { PEER_NAMES, startPeer, type PeerName } from "../support/peers/index.js";
import { startOwnServer } from "./client-own-target.js";
import type { ServerUnderTest } from "./client-suite.js";

type Side = "ftpwire" | PeerName;
const SIDES: readonly Side[] = ["ftpwire", ...PEER_NAMES];
const ARRANGEMENTS: readonly FxpArrangement[] = ["source-passive", "target-passive"];
const payload = randomBytes(256 * 1024 + 3);
const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

/** Pairs (source→target/arrangement) known not to work, with the reason. Empty: every pair works in clear text. */
const EXPECTED_FAILURES: ReadonlyMap<string, string> = new Map();

const running = new Map<Side, ServerUnderTest>();

async function startSide(side: Side): Promise<ServerUnderTest> {
  if (side === "ftpwire") return startOwnServer({ allowForeignDataAddress: true });
  const peer = await startPeer(side, { maxConnections: 50 });
  return {
    options: { host: peer.host, port: peer.port, user: peer.user, password: peer.password, timeouts: { control: 10_000, data: 10_000 } },
    writeFile: async (path, data) => {
      await peer.writeFile(path, data);
    },
    readFile: (path) => readFile(join(peer.root, path)),
    stop: () => peer.stop(),
  };
}

after(async () => {
  for (const server of running.values()) await server.stop().catch(() => {});
});

test("FXP matrix, clear text: every source → target pair in both arrangements", async (t) => {
  for (const side of SIDES) {
    if (side !== "ftpwire" && !(await requirePeer(t, side))) return;
    const server = await startSide(side);
    running.set(side, server);
    await server.writeFile("src.bin", payload);
  }
  const rows: string[] = [];
  const unexpected: string[] = [];
  for (const from of SIDES) {
    for (const to of SIDES) {
      if (from === to) continue;
      const cells: string[] = [];
      for (const arrangement of ARRANGEMENTS) {
        const key = `${from}→${to}/${arrangement}`;
        const source = await Client.connect(running.get(from)!.options);
        const target = await Client.connect(running.get(to)!.options);
        const name = `copy-${from}-${arrangement}.bin`;
        let outcome: string;
        try {
          const result = await fxp(source, "/src.bin", target, `/${name}`, { mode: arrangement });
          const stored = await running.get(to)!.readFile!(name);
          outcome = sha256(stored) === sha256(payload) && result.bytes === payload.length ? "ok" : `corrupt (${stored.length} bytes)`;
          // Both sessions still usable.
          await source.pwd();
          await target.pwd();
        } catch (error) {
          outcome = `fails: ${(error as Error).message}`;
        } finally {
          await source.close();
          await target.close();
        }
        cells.push(`${arrangement}: ${outcome}`);
        const expected = EXPECTED_FAILURES.get(key);
        if ((outcome === "ok") !== (expected === undefined)) unexpected.push(`${key}: ${outcome}${expected ? ` (expected failure: ${expected})` : ""}`);
      }
      rows.push(`${from} → ${to}: ${cells.join("; ")}`);
    }
  }
  t.diagnostic(`FXP matrix (clear text):\n${rows.join("\n")}`);
  assert.deepEqual(unexpected, []);
});

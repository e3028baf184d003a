// FXP between every pair of ftpwire's server and the real peers (vsftpd,
// pure-ftpd, proftpd, pyftpdlib), in both arrangements, in clear text on
// loopback. Files are compared by sha256. The expected matrix is written
// out below; the test prints the observed one.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { FxpArrangement } from "../../src/client/fxp.js";
import { fxpCell, type FxpEnd } from "./fxp-cell.js";
import { requirePeer } from "../support/require-peer.js";
import { PEER_NAMES, startPeer, type PeerName } from "../support/peers/index.js";
import { startOwnServer } from "./client-own-target.js";

type Side = "ftpwire" | PeerName;
const SIDES: readonly Side[] = ["ftpwire", ...PEER_NAMES];
const ARRANGEMENTS: readonly FxpArrangement[] = ["source-passive", "target-passive"];
const payload = randomBytes(256 * 1024 + 3);

/** Pairs (source→target/arrangement) known not to work, with the reason. Empty: every pair works in clear text. */
const EXPECTED_FAILURES: ReadonlyMap<string, string> = new Map();

type Running = FxpEnd & { stop(): Promise<void> };
const running = new Map<Side, Running>();

async function startSide(side: Side): Promise<Running & { writeFile(path: string, data: Buffer): Promise<void> }> {
  if (side === "ftpwire") {
    const own = await startOwnServer({ allowFxp: true });
    return { ...own, readFile: own.readFile! };
  }
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
        const outcome = await fxpCell(running.get(from)!, running.get(to)!, `copy-${from}-${arrangement}.bin`, arrangement, payload);
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

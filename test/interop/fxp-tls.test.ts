// FXP with PROT P: proftpd offers SSCN, so it can be the TLS client of the
// data connection to any other server (the TLS server, as with an ordinary
// client). Every pair with proftpd on one side, both arrangements; files
// compared by sha256. The servers must not require the data connection to
// resume the control connection's TLS session: a foreign TLS client cannot.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { ClientOptions } from "../../src/client/options.js";
import type { FxpArrangement } from "../../src/client/fxp.js";
import { fxpCell } from "./fxp-cell.js";
import { makeTestCertificate } from "../support/certs.js";
import { requirePeer } from "../support/require-peer.js";
import { PEER_NAMES, startPeer, type PeerName } from "../support/peers/index.js";
import { startOwnServer } from "./client-own-target.js";

type Side = "ftpwire" | PeerName;
const SIDES: readonly Side[] = ["ftpwire", ...PEER_NAMES];
const ARRANGEMENTS: readonly FxpArrangement[] = ["source-passive", "target-passive"];
const payload = randomBytes(128 * 1024 + 5);

/**
 * proftpd as the sending side (the SSCN client that writes the file) ends
 * the TLS data connection so that receivers sometimes lose its tail: seen
 * as vsftpd's 426 "Failure reading network stream", and as a truncated file
 * on ftpwire and pyftpdlib that fxp()'s size check turns into
 * ERR_FTP_VERIFY. Which cells fail varies from run to run, so those cells
 * may show exactly these failures; every cell with proftpd receiving must pass.
 */
const PROFTPD_SENDING_FAILURE = /FXP target failed: (Server replied 426 |.* holds \d+ bytes, the source file 131077)/;


interface Running {
  options: ClientOptions;
  readFile(path: string): Promise<Buffer>;
  stop(): Promise<void>;
}
const running = new Map<Side, Running>();

async function startSide(side: Side): Promise<Running> {
  const cert = await makeTestCertificate();
  if (side === "ftpwire") {
    const own = await startOwnServer({ tls: { key: cert.keyPem, cert: cert.certPem }, allowFxp: true }, { secure: true, tls: { ca: cert.certPem } });
    await own.writeFile("src.bin", payload);
    return { options: own.options, readFile: own.readFile!, stop: own.stop };
  }
  // proftpd as SSCN client verifies the other server's certificate; the test certificates are self-signed.
  const extra = side === "proftpd" ? { extraDirectives: ["TLSVerifyServer off"] } : {};
  const peer = await startPeer(side, { maxConnections: 50, tls: { requireSessionReuse: false }, ...extra });
  await peer.writeFile("src.bin", payload);
  return {
    options: {
      host: peer.host, port: peer.port, user: peer.user, password: peer.password,
      timeouts: { control: 10_000, data: 10_000 }, secure: true, tls: { ca: await readFile(peer.certFile!) },
    },
    readFile: (path) => readFile(join(peer.root, path)),
    stop: () => peer.stop(),
  };
}

after(async () => {
  for (const server of running.values()) await server.stop().catch(() => {});
});

test("FXP matrix, PROT P through proftpd's SSCN: every pair with proftpd on one side", async (t) => {
  for (const side of SIDES) {
    if (side !== "ftpwire" && !(await requirePeer(t, side, { tls: true }))) return;
    running.set(side, await startSide(side));
  }
  const rows: string[] = [];
  const unexpected: string[] = [];
  const pairs = SIDES.filter((s) => s !== "proftpd").flatMap((other) => [["proftpd", other], [other, "proftpd"]] as const);
  for (const [from, to] of pairs) {
    const cells: string[] = [];
    for (const arrangement of ARRANGEMENTS) {
      const key = `${from}→${to}/${arrangement}`;
      const outcome = await fxpCell(running.get(from)!, running.get(to)!, `tls-${from}-${arrangement}.bin`, arrangement, payload);
      cells.push(`${arrangement}: ${outcome}`);
      const allowed = from === "proftpd" ? PROFTPD_SENDING_FAILURE : undefined;
      if (outcome !== "ok" && !allowed?.test(outcome)) unexpected.push(`${key}: ${outcome}`);
    }
    rows.push(`${from} → ${to}: ${cells.join("; ")}`);
  }
  t.diagnostic(`FXP matrix (PROT P, SSCN on proftpd):\n${rows.join("\n")}`);
  assert.deepEqual(unexpected, []);
});

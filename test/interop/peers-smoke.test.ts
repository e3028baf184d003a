// Proves the real-peer launchers work on this machine, with curl as the
// client (independent of our own code): each server starts, logs in, lists,
// takes an upload and serves a download byte for byte, and leaves no process
// or temp dir behind when stopped.
import assert from "node:assert/strict";
import { access, readFile } from "node:fs/promises";
import { connect, type Socket } from "node:net";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { describe, it, type TestContext } from "node:test";
import { livePeerProcesses, startPeer, type PeerName, type RunningPeer } from "../support/peers/index.js";
import { requirePeer } from "../support/require-peer.js";
import { runCommand, runFtplib } from "../support/tools.js";

const GREETING_FILE = "hello from the peer\n";
// Binary on purpose: NUL, CR LF, a lone LF and 0xFF must all survive TYPE I.
const UPLOAD = Buffer.from([0x00, 0x01, 0x0d, 0x0a, 0xff, 0x41, 0x42, 0x0a, 0x0d]);

function curlArgs(peer: RunningPeer): string[] {
  return [
    "-sS",
    "--max-time", "15",
    "--user", `${peer.user}:${peer.password}`,
    ...(peer.tls ? ["--ssl-reqd", "-k"] : []),
  ];
}

async function curl(peer: RunningPeer, args: readonly string[], input?: Buffer) {
  const r = await runCommand("curl", [...curlArgs(peer), ...args], {
    timeoutMs: 20_000,
    ...(input ? { input } : {}),
  });
  if (r.code !== 0) assert.fail(`curl ${args.join(" ")} failed (${r.code}): ${r.stderr}\n${await peer.output()}`);
  return r;
}

/** Opens a control connection and waits for the greeting, so a session process exists. */
function openIdleSession(peer: RunningPeer): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: peer.host, port: peer.port });
    const timer = setTimeout(() => reject(new Error("no greeting within 5 s")), 5_000);
    socket.once("data", () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

/** No process of the peer may survive stop() (bounded poll), and its temp root is gone. */
async function assertGone(peer: RunningPeer, known: readonly number[]): Promise<void> {
  let alive = livePeerProcesses(peer.pid, known);
  for (let i = 0; alive.length > 0 && i < 60; i++) {
    await delay(50);
    alive = livePeerProcesses(peer.pid, known);
  }
  assert.deepEqual(alive, [], `processes of ${peer.name} still alive after stop()`);
  await assert.rejects(access(peer.root), "the peer's temp root is removed on stop");
}

async function withPeer(
  t: TestContext,
  name: PeerName,
  tls: boolean,
  body: (peer: RunningPeer) => Promise<void>,
): Promise<void> {
  if (!(await requirePeer(t, name, { tls }))) return;
  const started = Date.now();
  const peer = await startPeer(name, { tls, files: { "hello.txt": GREETING_FILE } });
  t.diagnostic(`${name}${tls ? " (TLS)" : ""} started in ${Date.now() - started} ms on port ${peer.port}`);
  let idle: Socket | undefined;
  let known: number[] = [];
  try {
    assert.match(peer.greeting, /^220/);
    assert.equal(peer.tls, tls);
    await body(peer);
    // stop() must also end sessions still connected (vsftpd's call setsid()).
    idle = await openIdleSession(peer);
    await delay(100);
    known = livePeerProcesses(peer.pid);
    // pyftpdlib serves every session in its one process; the others fork one per session.
    const expected = name === "pyftpdlib" ? 1 : 2;
    assert.ok(known.length >= expected, `expected ${expected}+ processes of ${name}, saw ${known.join(",")}`);
  } finally {
    await peer.stop();
  }
  try {
    await assertGone(peer, known);
  } finally {
    idle?.destroy();
  }
}

async function curlRoundTrip(peer: RunningPeer): Promise<void> {
  const base = `ftp://127.0.0.1:${peer.port}/`;
  const names = await curl(peer, ["--list-only", base]);
  // pure-ftpd's NLST includes "." and "..": not what this test is about.
  const listed = names.stdout.split(/\r?\n/).filter((n) => n !== "" && n !== "." && n !== "..");
  assert.deepEqual(listed, ["hello.txt"]);

  const download = await curl(peer, [`${base}hello.txt`]);
  assert.equal(download.stdoutBytes.toString("latin1"), "hello from the peer\n");

  await curl(peer, ["-T", "-", `${base}up.bin`], UPLOAD);
  assert.deepEqual(await readFile(join(peer.root, "up.bin")), UPLOAD);

  const back = await curl(peer, [`${base}up.bin`]);
  assert.deepEqual(back.stdoutBytes, UPLOAD);
}

/** With TLS required, a plain-text login must be refused. */
async function assertPlainRefused(peer: RunningPeer): Promise<void> {
  const r = await runCommand(
    "curl",
    ["-sS", "--max-time", "15", "--user", `${peer.user}:${peer.password}`, `ftp://127.0.0.1:${peer.port}/`],
    { timeoutMs: 20_000 },
  );
  assert.notEqual(r.code, 0, `${peer.name} accepted a plain-text login although TLS is required`);
}

describe("real FTP peers start, serve curl, and stop clean", { concurrency: true }, () => {
  const curlCases: { name: PeerName; tls: boolean }[] = [
    { name: "vsftpd", tls: false },
    { name: "pure-ftpd", tls: false },
    { name: "proftpd", tls: false },
    { name: "pyftpdlib", tls: false },
    { name: "vsftpd", tls: true },
    { name: "pure-ftpd", tls: true },
    { name: "proftpd", tls: true },
  ];
  for (const { name, tls } of curlCases) {
    it(`${name}${tls ? " with required TLS" : ""}: list, upload, download`, async (t) => {
      if (!(await requirePeer(t, "curl"))) return;
      await withPeer(t, name, tls, async (peer) => {
        await curlRoundTrip(peer);
        if (tls) await assertPlainRefused(peer);
      });
    });
  }

  // pyftpdlib 1.5.7 resets a TLS data connection whose handshake starts before
  // the transfer command (curl's order), so its TLS variant is checked with
  // Python's ftplib, which sends the command first.
  it("pyftpdlib with required TLS: list, upload, download (ftplib)", async (t) => {
    if (!(await requirePeer(t, "ftplib"))) return;
    await withPeer(t, "pyftpdlib", true, async (peer) => {
      const script = `
import ftplib, io, ssl, sys
port, user, password, cafile = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
ctx = ssl.create_default_context(cafile=cafile)
ftp = ftplib.FTP_TLS(context=ctx, timeout=10)
ftp.connect("127.0.0.1", port)
ftp.login(user, password)
ftp.prot_p()
print("NAMES", ",".join(sorted(ftp.nlst())))
ftp.storbinary("STOR up.bin", io.BytesIO(bytes.fromhex(sys.argv[5])))
got = io.BytesIO()
ftp.retrbinary("RETR hello.txt", got.write)
print("HELLO", got.getvalue().hex())
back = io.BytesIO()
ftp.retrbinary("RETR up.bin", back.write)
print("BACK", back.getvalue().hex())
ftp.quit()
`;
      const r = await runFtplib(script, [
        String(peer.port), peer.user, peer.password, peer.certFile ?? "", UPLOAD.toString("hex"),
      ]);
      assert.equal(r.code, 0, `${r.stderr}\n${await peer.output()}`);
      const lines = new Map(r.stdout.trim().split("\n").map((l) => [l.split(" ")[0], l.split(" ")[1] ?? ""]));
      assert.equal(lines.get("NAMES"), "hello.txt");
      assert.equal(Buffer.from(lines.get("HELLO") ?? "", "hex").toString("latin1"), "hello from the peer\n");
      assert.deepEqual(Buffer.from(lines.get("BACK") ?? "", "hex"), UPLOAD);
      assert.deepEqual(await readFile(join(peer.root, "up.bin")), UPLOAD);
      await assertPlainRefused(peer);
    });
  });
});

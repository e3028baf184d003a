// Server-to-server transfer (FXP) between two ftpwire servers on loopback:
// both arrangements, auto fallback when one side refuses a foreign address,
// failures that name their side, abort, and TLS data protection refused
// with a typed error. Every case checks both sessions still work after.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { createServer as createNetServer } from "node:net";
import { PassThrough } from "node:stream";
import { Client } from "../../src/client/client.js";
import { bytesFromStatus, fxp } from "../../src/client/fxp.js";
import { FtpFxpError, FtpUnsupportedError } from "../../src/errors.js";
import { createServer, type FtpServer } from "../../src/server/ftp-server.js";
import type { FtpServerOptions } from "../../src/server/options.js";
import { MemoryFileSystem } from "../../src/storage/memory-file-system.js";
import { parsePortArg } from "../../src/protocol/host-port.js";
import { connect as connectTcp } from "node:net";
import { Readable } from "node:stream";
import { startFakeServer, type FakeConnection } from "./fake-server.js";
import { makeTestCertificate } from "../support/certs.js";

const payload = randomBytes(300 * 1024 + 17);
const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

interface Running {
  server: FtpServer;
  fs: MemoryFileSystem;
  port: number;
}

const servers: FtpServer[] = [];
const clients: Client[] = [];

async function start(host: string, options: Partial<FtpServerOptions> = {}): Promise<Running> {
  const fs = new MemoryFileSystem({ "/src.bin": payload, "/dir/": "" });
  const server = createServer({ authenticate: () => ({ fileSystem: fs }), limits: { failedLoginDelayMs: 0 }, ...options });
  servers.push(server);
  const { port } = await server.listen({ host, port: 0 });
  return { server, fs, port };
}

async function connect(host: string, port: number, extra: Record<string, unknown> = {}): Promise<Client> {
  const client = await Client.connect({ host, port, user: "u", password: "p", timeouts: { control: 5000, data: 5000 }, ...extra });
  clients.push(client);
  return client;
}

async function readAll(fs: MemoryFileSystem, path: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await fs.read(path, {})) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function stillUsable(...sides: Client[]): Promise<void> {
  for (const client of sides) assert.equal(await client.pwd(), "/");
}

let secondLoopback = false;
before(async () => {
  secondLoopback = await new Promise<boolean>((resolve) => {
    const s = createNetServer();
    s.once("error", () => resolve(false));
    s.listen(0, "127.0.0.2", () => s.close(() => resolve(true)));
  });
});

after(async () => {
  for (const client of clients) await client.close().catch(() => {});
  for (const server of servers) await server.close().catch(() => {});
});

for (const mode of ["source-passive", "target-passive", "auto"] as const) {
  test(`ftpwire → ftpwire, ${mode}: the file arrives intact and both sessions stay usable`, async () => {
    const a = await start("127.0.0.1");
    const b = await start("127.0.0.1");
    const source = await connect("127.0.0.1", a.port);
    const target = await connect("127.0.0.1", b.port);
    const progress: number[] = [];
    const result = await fxp(source, "/src.bin", target, "/copy.bin", { mode, statusIntervalMs: 0, onProgress: (p) => progress.push(p.bytes) });
    assert.equal(result.arrangement, mode === "auto" ? "target-passive" : mode);
    assert.equal(result.bytes, payload.length);
    assert.equal(result.targetReply.code, 226);
    assert.equal(result.sourceReply.code, 226);
    assert.deepEqual(progress, [payload.length]);
    assert.equal(sha256(await readAll(b.fs, "/copy.bin")), sha256(payload));
    // The client's own transfers still work on both connections afterwards.
    const sink = new PassThrough();
    sink.resume();
    assert.equal((await source.download("/src.bin", sink)).bytes, payload.length);
    await stillUsable(source, target);
  });
}

test("servers that refuse a foreign address: each refusal names its side, and both sessions stay usable", async (t) => {
  if (!secondLoopback) return t.skip("127.0.0.2 is not bindable here");
  // The client reaches both servers from 127.0.0.1; the target listens on (and connects from) 127.0.0.2, foreign to the source.
  const a = await start("127.0.0.1");
  const b = await start("127.0.0.2");
  const source = await connect("127.0.0.1", a.port);
  const target = await connect("127.0.0.2", b.port);

  // target-passive: the source refuses PORT to the target's address.
  const refused = await fxp(source, "/src.bin", target, "/copy.bin", { mode: "target-passive" }).then(() => undefined, (e: unknown) => e);
  assert.ok(refused instanceof FtpFxpError, String(refused));
  assert.equal(refused.side, "source");
  assert.equal(refused.code, "ERR_FTP_REPLY");
  assert.equal(refused.replyCode, 501);
  assert.match(refused.command ?? "", /^PORT 127,0,0,2,/);
  await stillUsable(source, target);

  // auto then tries source-passive: the source closes the target's data connection, the target reports an empty upload as done.
  const sent: string[] = [];
  source.on("command", (line) => sent.push(`source ${line.split(" ")[0]}`));
  target.on("command", (line) => sent.push(`target ${line.split(" ")[0]}`));
  const broken = await fxp(source, "/src.bin", target, "/copy.bin", { sourceFinishGraceMs: 300 }).then(() => undefined, (e: unknown) => e);
  assert.ok(broken instanceof FtpFxpError, String(broken));
  assert.equal(broken.side, "source");
  assert.equal(broken.code, "ERR_FTP_DATA_CONNECTION");
  assert.deepEqual(sent.filter((c) => /PASV|PORT|STOR|RETR|ABOR/.test(c)), [
    "target PASV", "source PORT", "target ABOR",
    "source PASV", "target PORT", "target STOR", "source RETR", "source ABOR",
  ]);
  await stillUsable(source, target);
});

test("a source that allows FXP: auto's first arrangement (target passive) works across addresses", async (t) => {
  if (!secondLoopback) return t.skip("127.0.0.2 is not bindable here");
  const a = await start("127.0.0.1", { allowFxp: true });
  const b = await start("127.0.0.2");
  const source = await connect("127.0.0.1", a.port);
  const target = await connect("127.0.0.2", b.port);
  const result = await fxp(source, "/src.bin", target, "/copy.bin");
  assert.equal(result.arrangement, "target-passive");
  assert.equal(sha256(await readAll(b.fs, "/copy.bin")), sha256(payload));
  await stillUsable(source, target);
});

test("a missing source file rejects naming the source, after ABOR to the waiting target", async () => {
  const a = await start("127.0.0.1");
  const b = await start("127.0.0.1");
  const source = await connect("127.0.0.1", a.port);
  const target = await connect("127.0.0.1", b.port);
  for (const mode of ["source-passive", "target-passive"] as const) {
    const error = await fxp(source, "/missing.bin", target, "/copy.bin", { mode }).then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof FtpFxpError, String(error));
    assert.equal(error.side, "source");
    assert.equal(error.replyCode, 550);
    assert.equal(error.command, "RETR /missing.bin");
    await stillUsable(source, target);
  }
});

test("a refused STOR rejects naming the target, and the source is left idle", async () => {
  const a = await start("127.0.0.1");
  const b = await start("127.0.0.1");
  const source = await connect("127.0.0.1", a.port);
  const target = await connect("127.0.0.1", b.port);
  const error = await fxp(source, "/src.bin", target, "/no/such/dir/copy.bin", { mode: "target-passive" }).then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof FtpFxpError, String(error));
  assert.equal(error.side, "target");
  assert.equal(error.replyCode, 550);
  const sent: string[] = [];
  source.on("command", (line) => sent.push(line));
  await stillUsable(source, target);
  assert.deepEqual(sent, ["PWD"]);
});

test("abort once the target accepted STOR: ERR_FTP_ABORTED, both sessions in step", async () => {
  const a = await start("127.0.0.1");
  const b = await start("127.0.0.1");
  const source = await connect("127.0.0.1", a.port);
  const target = await connect("127.0.0.1", b.port);
  const controller = new AbortController();
  target.on("reply", (reply) => {
    if (reply.code === 150) controller.abort();
  });
  await assert.rejects(fxp(source, "/src.bin", target, "/copy.bin", { mode: "target-passive", signal: controller.signal }), { code: "ERR_FTP_ABORTED" });
  await stillUsable(source, target);
  // The next FXP on the same pair works.
  const result = await fxp(source, "/src.bin", target, "/again.bin");
  assert.equal(result.bytes, payload.length);
});

test("PROT P: refused with ERR_FTP_UNSUPPORTED when neither server offers SSCN, or only one side is PROT P; PROT C over TLS works", async () => {
  const cert = await makeTestCertificate();
  const tls = { tls: { key: cert.keyPem, cert: cert.certPem } };
  const a = await start("127.0.0.1", tls);
  const b = await start("127.0.0.1", tls);
  const secure = { secure: true, tls: { ca: cert.certPem } };
  const source = await connect("127.0.0.1", a.port, secure);
  const target = await connect("127.0.0.1", b.port, secure);
  const plainTarget = await connect("127.0.0.1", b.port);
  const sent: string[] = [];
  for (const client of [source, target, plainTarget]) client.on("command", (line) => sent.push(line));

  const noSscn = await fxp(source, "/src.bin", target, "/copy.bin").then(() => undefined, (e: unknown) => e);
  assert.ok(noSscn instanceof FtpUnsupportedError, String(noSscn));
  assert.equal(noSscn.code, "ERR_FTP_UNSUPPORTED");
  assert.equal(noSscn.feature, "SSCN");
  assert.match(noSscn.message, /neither server offers them/);

  const mixed = await fxp(source, "/src.bin", plainTarget, "/copy.bin").then(() => undefined, (e: unknown) => e);
  assert.ok(mixed instanceof FtpUnsupportedError, String(mixed));
  assert.equal(mixed.feature, "PROT P on both sides");
  assert.deepEqual(sent, []);
  await stillUsable(source, target, plainTarget);

  const clear = { secure: true, tls: { ca: cert.certPem }, dataProtection: "clear" };
  const clearSource = await connect("127.0.0.1", a.port, clear);
  const clearTarget = await connect("127.0.0.1", b.port, clear);
  assert.equal(clearSource.tlsInfo()?.dataProtection, "clear");
  const result = await fxp(clearSource, "/src.bin", clearTarget, "/copy.bin");
  assert.equal(result.bytes, payload.length);
  assert.equal(sha256(await readAll(b.fs, "/copy.bin")), sha256(payload));
});

test("progress from STAT during the transfer: a source that stalls half-way reports the bytes sent so far", async () => {
  // The source's storage sends half the file, then waits until the test has seen a mid-transfer progress report.
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const half = Math.floor(payload.length / 2);
  const fs = new MemoryFileSystem({ "/src.bin": payload });
  const stalling = Object.create(fs) as MemoryFileSystem;
  stalling.read = async () => Readable.from((async function* () {
    yield payload.subarray(0, half);
    await gate;
    yield payload.subarray(half);
  })());
  const a = createServer({ authenticate: () => ({ fileSystem: stalling }), limits: { failedLoginDelayMs: 0 } });
  servers.push(a);
  const { port } = await a.listen({ host: "127.0.0.1", port: 0 });
  const b = await start("127.0.0.1");
  const source = await connect("127.0.0.1", port);
  const target = await connect("127.0.0.1", b.port);
  const progress: number[] = [];
  const result = await fxp(source, "/src.bin", target, "/copy.bin", {
    statusIntervalMs: 5,
    onProgress: ({ bytes, total }) => {
      progress.push(bytes);
      assert.equal(total, payload.length);
      if (bytes < payload.length) release();
    },
  });
  assert.equal(result.bytes, payload.length);
  assert.ok(progress.length >= 2, String(progress));
  assert.ok(progress[0]! > 0 && progress[0]! <= half, `first report ${progress[0]} of ${half} sent before the stall`);
  assert.equal(progress.at(-1), payload.length);
  assert.equal(sha256(await readAll(b.fs, "/copy.bin")), sha256(payload));
  await stillUsable(source, target);
});

/**
 * A scripted source for target-passive FXP of `data`: answers SIZE, PORT and
 * RETR, runs `onStat` when the mid-transfer STAT arrives (it replies, or
 * not), sends the bytes and 226, then `afterTransfer`, then serves one PWD.
 */
async function fakeSource(data: Buffer, onStat: (conn: FakeConnection) => void, afterTransfer: (conn: FakeConnection) => Promise<void>) {
  const fake = await startFakeServer(async (conn) => {
    await conn.login();
    await conn.expect("SIZE");
    conn.reply(`213 ${data.length}`);
    const port = await conn.expect("PORT");
    conn.reply("200 ok");
    await conn.expect("RETR");
    conn.reply("150 sending");
    assert.equal(await conn.expect("STAT"), "STAT");
    onStat(conn);
    const hp = parsePortArg(port.slice(5));
    const socket = connectTcp({ host: hp.host, port: hp.port });
    socket.end(data);
    await new Promise((resolve) => socket.on("close", resolve));
    conn.reply("226 sent");
    await afterTransfer(conn);
    assert.equal(await conn.expect("PWD"), "PWD");
    conn.reply('257 "/"');
    await conn.expect("QUIT");
    conn.reply("221 bye");
  });
  servers.push({ close: () => fake.close() } as unknown as FtpServer);
  return fake;
}

async function fxpFromFake(fake: { port: number; scriptErrors: unknown[] }, data: Buffer): Promise<void> {
  const b = await start("127.0.0.1");
  const target = await connect("127.0.0.1", b.port);
  const source = await connect("127.0.0.1", fake.port, { timeouts: { connect: 2000, control: 2000, data: 2000 } });
  const result = await fxp(source, "/src.bin", target, "/copy.bin", { mode: "target-passive", statusIntervalMs: 5, onProgress: () => {} });
  assert.equal(result.sourceReply.code, 226);
  assert.deepEqual(await readAll(b.fs, "/copy.bin"), data);
  await stillUsable(source, target);
  await source.close();
  assert.deepEqual(fake.scriptErrors, []);
}

test("a source that answers STAT only after the transfer: the NOOP sentinel keeps the session in step", async () => {
  const data = Buffer.from("late status\n");
  // Like vsftpd, this server answers a mid-transfer STAT only once the transfer is over.
  const fake = await fakeSource(data, () => {}, async (conn) => {
    conn.reply("211 idle status");
    assert.equal(await conn.expect("NOOP"), "NOOP");
    conn.reply("200 ok");
  });
  await fxpFromFake(fake, data);
});

test("bytesFromStatus reads the texts ftpwire and pyftpdlib send", () => {
  const reply = (lines: string[]) => ({ code: 213, lines, message: lines.join("\n") });
  assert.equal(bytesFromStatus(reply(["Status: RETR /big.bin in progress", " 4194304 bytes transferred", "End of status"])), 4194304);
  assert.equal(bytesFromStatus(reply(["FTP server status:", " Total bytes sent: 2949120", " Total bytes received: 0"])), 2949120);
  assert.equal(bytesFromStatus(reply(["idle"])), undefined);
});

test("a source that refuses STAT mid-transfer (500, pure-ftpd under TLS): polling stops, the transfer's own final reply counts", async () => {
  const data = Buffer.from("refused status\n");
  // No second STAT and no sentinel afterwards: the next command is the test's PWD.
  const fake = await fakeSource(data, (conn) => conn.reply("500 Unknown command"), async () => {});
  await fxpFromFake(fake, data);
});

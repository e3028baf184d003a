// Resume: a download or upload whose data connection is cut continues with
// REST (download: at the bytes written; upload: at the server's SIZE, with
// APPE when REST STREAM is not offered) and ends byte-identical. Real
// sockets: ftpwire's server and pure-ftpd, each behind the fault relay that
// resets data connections after N bytes.
import { describe, it, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Readable } from "node:stream";
import { Client } from "../../src/client/client.js";
import type { TransferEvent } from "../../src/client/session.js";
import { FtpError } from "../../src/errors.js";
import { createServer } from "../../src/server/ftp-server.js";
import type { FtpServerOptions } from "../../src/server/options.js";
import { LocalFileSystem } from "../../src/storage/local-file-system.js";
import { startFaultRelay, type FaultRelay, type FaultRelayOptions } from "../support/fault-relay.js";
import { startPeer } from "../support/peers/index.js";
import { requirePeer } from "../support/require-peer.js";

const MiB = 1024 * 1024;
const SIZE = 16 * MiB;
const CUTS = [3 * MiB, 2 * MiB, 5 * MiB];

const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");

interface Rig {
  client: Client;
  relay: FaultRelay;
  /** The server's directory on disk. */
  remote: string;
  /** A local scratch directory. */
  local: string;
  commands: string[];
  transfers: TransferEvent[];
}

async function scratch(t: TestContext, prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function rigFor(t: TestContext, port: number, remote: string, login: { user: string; password: string }, relayOptions: FaultRelayOptions = {}): Promise<Rig> {
  const relay = await startFaultRelay({ host: "127.0.0.1", port }, relayOptions);
  t.after(() => relay.close());
  const client = await Client.connect({
    host: relay.host, port: relay.port, ...login,
    timeouts: { control: 10_000, data: 10_000 }, retry: { attempts: 5, minDelayMs: 0, maxDelayMs: 0 },
  });
  t.after(() => client.close());
  const commands: string[] = [];
  const transfers: TransferEvent[] = [];
  client.on("command", (line) => commands.push(line));
  client.on("transfer", (event) => transfers.push(event));
  return { client, relay, remote, local: await scratch(t, "ftpwire-resume-local-"), commands, transfers };
}

async function ownRig(t: TestContext, server: Omit<Partial<FtpServerOptions>, "authenticate"> = {}, relayOptions: FaultRelayOptions = {}): Promise<Rig> {
  const remote = await scratch(t, "ftpwire-resume-remote-");
  const ftp = createServer({ authenticate: () => ({ fileSystem: new LocalFileSystem(remote) }), ...server });
  const { port } = await ftp.listen({ host: "127.0.0.1", port: 0 });
  t.after(() => ftp.close());
  return rigFor(t, port, remote, { user: "u", password: "p" }, relayOptions);
}

function cutEachAttempt(relay: FaultRelay): void {
  for (const bytes of CUTS) relay.cutData(bytes);
}

async function downloadCutThreeTimes(rig: Rig): Promise<void> {
  const data = randomBytes(SIZE);
  await writeFile(join(rig.remote, "big.bin"), data);
  cutEachAttempt(rig.relay);
  const target = join(rig.local, "big.bin");
  const result = await rig.client.download("big.bin", target);
  assert.equal(sha256(await readFile(target)), sha256(data), "byte-identical");
  assert.equal(result.resumes, 3);
  const ends = rig.transfers.filter((e) => e.phase === "end");
  assert.deepEqual(ends.map((e) => [e.error === undefined, e.resumes]), [[false, 0], [false, 1], [false, 2], [true, 3]]);
  const rests = rig.commands.filter((c) => c.startsWith("REST ")).map((c) => Number(c.slice(5)));
  assert.equal(rests.length, 3);
  for (let i = 0; i < 3; i++) assert.ok(rests[i]! > (i === 0 ? 0 : rests[i - 1]!), `REST offsets grow: ${rests.join(", ")}`);
  assert.equal(rig.commands.filter((c) => c.startsWith("RETR")).length, 4);
  // Every byte crossed once, give or take what was in flight when each cut came.
  const received = ends.reduce((sum, e) => sum + e.bytes, 0);
  assert.ok(received < SIZE + 3 * MiB, `received ${received} bytes for a ${SIZE}-byte file`);
}

async function uploadCutThreeTimes(rig: Rig, expectVerb: "STOR" | "APPE"): Promise<void> {
  const data = randomBytes(SIZE);
  const source = join(rig.local, "up.bin");
  await writeFile(source, data);
  cutEachAttempt(rig.relay);
  const result = await rig.client.upload(source, "up.bin");
  assert.equal(result.resumes, 3);
  assert.equal(sha256(await readFile(join(rig.remote, "up.bin"))), sha256(data), "byte-identical");
  const ends = rig.transfers.filter((e) => e.phase === "end");
  assert.deepEqual(ends.map((e) => [e.error === undefined, e.resumes]), [[false, 0], [false, 1], [false, 2], [true, 3]]);
  assert.equal(rig.commands.filter((c) => c.startsWith("SIZE up.bin")).length, 3, "the server's size before each resume");
  const transfers = rig.commands.filter((c) => /^(STOR|APPE) /.test(c)).map((c) => c.slice(0, 4));
  assert.equal(transfers[0], "STOR");
  assert.deepEqual(transfers.slice(1), [expectVerb, expectVerb, expectVerb]);
  assert.equal(rig.commands.filter((c) => c.startsWith("REST ")).length, expectVerb === "STOR" ? 3 : 0);
}

describe("resume against ftpwire's server through the fault relay", () => {
  it("a 16 MiB download cut three times resumes with REST and ends byte-identical, 3 resumes reported", async (t) => {
    await downloadCutThreeTimes(await ownRig(t));
  });

  it("a 16 MiB upload cut three times resumes with SIZE + REST + STOR and ends byte-identical", async (t) => {
    await uploadCutThreeTimes(await ownRig(t), "STOR");
  });

  it("without REST STREAM in FEAT the upload resumes with APPE", async (t) => {
    const rig = await ownRig(t, { beforeCommand: ({ verb }) => (verb === "REST" ? { action: "deny", code: 502 } : undefined) }, { hideFeatures: ["REST"] });
    assert.equal(rig.client.features().has("REST"), false);
    await uploadCutThreeTimes(rig, "APPE");
  });

  it("a caller's Writable destination that received bytes is not resumed: FtpNotResumableError with the cut as cause", async (t) => {
    const rig = await ownRig(t);
    await writeFile(join(rig.remote, "big.bin"), randomBytes(4 * MiB));
    rig.relay.cutData(MiB);
    const sink = new PassThrough();
    sink.resume();
    await assert.rejects(rig.client.download("big.bin", sink), (e: unknown) =>
      e instanceof FtpError && e.code === "ERR_FTP_NOT_RESUMABLE" && /cannot be resumed/.test(e.message)
      && e.cause instanceof FtpError && (e.cause.code === "ERR_FTP_DATA_CONNECTION" || e.cause.replyCode === 426));
    assert.equal(rig.commands.filter((c) => c.startsWith("RETR")).length, 1);
    // The session is in step for the next call.
    assert.equal((await rig.client.list()).length, 1);
  });

  it("a caller's Readable source already read from is not resumed", async (t) => {
    const rig = await ownRig(t);
    rig.relay.cutData(MiB);
    const source = Readable.from((function* () {
      for (let i = 0; i < 8; i++) yield randomBytes(MiB);
    })());
    await assert.rejects(rig.client.upload(source, "s.bin"), (e: unknown) => e instanceof FtpError && e.code === "ERR_FTP_NOT_RESUMABLE");
    assert.equal(rig.commands.filter((c) => c.startsWith("STOR")).length, 1);
  });

  it("retry: { attempts: 0 }: the cut download rejects as before, with no resume", async (t) => {
    const rig = await ownRig(t);
    await rig.client.close();
    const client = await Client.connect({ host: rig.relay.host, port: rig.relay.port, user: "u", password: "p", retry: { attempts: 0 } });
    t.after(() => client.close());
    await writeFile(join(rig.remote, "big.bin"), randomBytes(4 * MiB));
    rig.relay.cutData(MiB);
    // The reset, or the server's 426 about it, whichever reached the client first.
    await assert.rejects(client.download("big.bin", join(rig.local, "x.bin")), (e: unknown) =>
      e instanceof FtpError && (e.code === "ERR_FTP_DATA_CONNECTION" || e.replyCode === 426));
    assert.equal(rig.relay.dataConnections, 1);
  });
});

describe("a data connection reset during a download into a caller's stream", () => {
  it("is the data connection's failure (an FtpError), not a local error of the stream", async (t) => {
    // Before: pipeline() destroyed the stream with the socket's reset, which was then taken for the stream's own error.
    const rig = await ownRig(t);
    await rig.client.close();
    const client = await Client.connect({ host: rig.relay.host, port: rig.relay.port, user: "u", password: "p" });
    t.after(() => client.close());
    await writeFile(join(rig.remote, "big.bin"), randomBytes(4 * MiB));
    rig.relay.cutData(MiB);
    const sink = new PassThrough();
    sink.resume();
    await assert.rejects(client.download("big.bin", sink), (e: unknown) =>
      e instanceof FtpError && (e.code === "ERR_FTP_DATA_CONNECTION" || e.replyCode === 426));
  });
});

describe("resume against pure-ftpd through the fault relay", () => {
  it("download and upload, 16 MiB each, cut three times each, end byte-identical", async (t) => {
    if (!(await requirePeer(t, "pure-ftpd"))) return;
    const peer = await startPeer("pure-ftpd", {});
    t.after(() => peer.stop());
    const rig = await rigFor(t, peer.port, peer.root, { user: peer.user, password: peer.password });
    await downloadCutThreeTimes(rig);
    rig.commands.length = 0;
    rig.transfers.length = 0;
    await uploadCutThreeTimes(rig, "STOR");
  });
});

describe("resume against vsftpd through the fault relay", () => {
  it("download and upload, 16 MiB each, cut three times each, end byte-identical", async (t) => {
    if (!(await requirePeer(t, "vsftpd"))) return;
    const peer = await startPeer("vsftpd", {});
    t.after(() => peer.stop());
    const rig = await rigFor(t, peer.port, peer.root, { user: peer.user, password: peer.password });
    await downloadCutThreeTimes(rig);
    rig.commands.length = 0;
    rig.transfers.length = 0;
    await uploadCutThreeTimes(rig, "STOR");
  });
});

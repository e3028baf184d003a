// Segmented download: N extra connections, each one byte range (REST, then
// ABOR at its end), written at its offset; a cut segment is fetched again
// from where it stopped; fallback to one stream when extra logins are
// refused. Real sockets: ftpwire's server behind the fault relay, pure-ftpd.
import { describe, it, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { Client } from "../../src/client/client.js";
import { splitRanges } from "../../src/client/segmented-download.js";
import { FtpError } from "../../src/errors.js";
import { createServer } from "../../src/server/ftp-server.js";
import type { FtpServerOptions } from "../../src/server/options.js";
import { LocalFileSystem } from "../../src/storage/local-file-system.js";
import { startFaultRelay } from "../support/fault-relay.js";
import { startPeer } from "../support/peers/index.js";
import { requirePeer } from "../support/require-peer.js";

const MiB = 1024 * 1024;
const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");

async function scratch(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "ftpwire-seg-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function ownServer(t: TestContext, extra: Omit<Partial<FtpServerOptions>, "authenticate"> = {}): Promise<{ root: string; port: number; logins: () => number }> {
  const root = await scratch(t);
  let logins = 0;
  const server = createServer({ authenticate: () => (logins++, { fileSystem: new LocalFileSystem(root) }), ...extra });
  const { port } = await server.listen({ host: "127.0.0.1", port: 0 });
  t.after(() => server.close());
  return { root, port, logins: () => logins };
}

it("splitRanges covers the file with contiguous ranges", () => {
  assert.deepEqual(splitRanges(10, 3), [{ start: 0, end: 4 }, { start: 4, end: 8 }, { start: 8, end: 10 }]);
  assert.deepEqual(splitRanges(8, 4), [{ start: 0, end: 2 }, { start: 2, end: 4 }, { start: 4, end: 6 }, { start: 6, end: 8 }]);
});

describe("segmented download", () => {
  it("4 segments of a 32 MiB file through the relay, one segment cut: byte-identical, the cut one fetched again", async (t) => {
    const own = await ownServer(t);
    const data = randomBytes(32 * MiB);
    await writeFile(join(own.root, "big.bin"), data);
    const relay = await startFaultRelay({ host: "127.0.0.1", port: own.port });
    t.after(() => relay.close());
    const client = await Client.connect({ host: relay.host, port: relay.port, user: "u", password: "p", timeouts: { control: 10_000, data: 10_000 } });
    t.after(() => client.close());
    // The second segment's data connection is reset after 3 MiB.
    relay.cutData(3 * MiB, { skip: 1 });
    const target = join(await scratch(t), "big.bin");
    const result = await client.download("big.bin", target, { segments: 4 });
    assert.equal(sha256(await readFile(target)), sha256(data));
    assert.equal(result.segments, 4);
    assert.equal(result.resumes, 1, "one segment fetched again");
    assert.ok(result.bytes >= data.length && result.bytes < data.length + MiB, `bytes ${result.bytes}`);
    assert.equal(relay.controlConnections, 5, "the client and 4 extra connections");
    assert.equal(relay.dataConnections, 5, "4 ranges and one retry");
  });

  it("falls back to one stream, with a note, when the server refuses the extra logins (421)", async (t) => {
    const own = await ownServer(t, { limits: { maxConnectionsPerAddress: 1 } });
    const data = randomBytes(8 * MiB);
    await writeFile(join(own.root, "f.bin"), data);
    const client = await Client.connect({ host: "127.0.0.1", port: own.port, user: "u", password: "p" });
    t.after(() => client.close());
    const target = join(await scratch(t), "f.bin");
    const result = await client.download("f.bin", target, { segments: 4 });
    assert.equal(sha256(await readFile(target)), sha256(data));
    assert.equal(result.segments, 1);
    assert.ok(result.notes?.some((n) => n.includes("refused the extra connections")), result.notes?.join(" | "));
  });

  it("a small file is not split; a stream destination is refused with a typed error", async (t) => {
    const own = await ownServer(t);
    await writeFile(join(own.root, "s.bin"), randomBytes(1000));
    const client = await Client.connect({ host: "127.0.0.1", port: own.port, user: "u", password: "p" });
    t.after(() => client.close());
    const result = await client.download("s.bin", join(await scratch(t), "s.bin"), { segments: 4 });
    assert.equal(result.segments, 1);
    assert.ok(result.notes?.some((n) => n.includes("too small")));
    await assert.rejects(client.download("s.bin", new PassThrough(), { segments: 4 }), (e: unknown) => e instanceof FtpError && e.code === "ERR_FTP_INVALID_ARGUMENT");
  });

  it("pure-ftpd: 4 segments of 16 MiB, byte-identical", async (t) => {
    if (!(await requirePeer(t, "pure-ftpd"))) return;
    const data = randomBytes(16 * MiB);
    const peer = await startPeer("pure-ftpd", { maxConnections: 20 });
    t.after(() => peer.stop());
    await peer.writeFile("big.bin", data);
    const client = await Client.connect({ host: peer.host, port: peer.port, user: peer.user, password: peer.password, timeouts: { control: 10_000, data: 10_000 } });
    t.after(() => client.close());
    const target = join(await scratch(t), "big.bin");
    const result = await client.download("big.bin", target, { segments: 4 });
    assert.equal(sha256(await readFile(target)), sha256(data));
    assert.equal(result.segments, 4);
  });
});

// sync(): trees made to match in both directions, only what differs moved,
// deletes, dry runs, filters, restart of partial files, and a run through the
// fault relay that cuts every 10th data connection. Real sockets: ftpwire's
// server (LocalFileSystem on a temp dir) and pure-ftpd.
import { describe, it, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Client } from "../../src/client/client.js";
import { ClientPool } from "../../src/client/client-pool.js";
import type { ClientOptions } from "../../src/client/options.js";
import { FtpError } from "../../src/errors.js";
import { createServer } from "../../src/server/ftp-server.js";
import { LocalFileSystem } from "../../src/storage/local-file-system.js";
import { startFaultRelay } from "../support/fault-relay.js";
import { startPeer } from "../support/peers/index.js";
import { requirePeer } from "../support/require-peer.js";

async function scratch(t: TestContext, prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** rel path → sha256 of every file under `root` (directories as "dir"). */
async function treeOf(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (dir: string, rel: string) => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const r = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        out.set(r, "dir");
        await walk(join(dir, entry.name), r);
      } else out.set(r, createHash("sha256").update(await readFile(join(dir, entry.name))).digest("hex"));
    }
  };
  await walk(root, "");
  return new Map([...out].sort());
}

/** A nested tree of `count` files with sizes from 0 to `maxBytes` (seeded by index, deterministic layout). */
async function makeTree(root: string, count: number, maxBytes: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const path = join(root, `d${i % 4}`, `e${i % 3}`, i % 5 === 0 ? `f${i}.txt` : `f${i}.bin`);
    await mkdir(dirname(path), { recursive: true });
    const size = i % 7 === 0 ? 0 : Math.floor(((i * 7919) % 1000) / 1000 * maxBytes);
    await writeFile(path, randomBytes(size));
  }
}

async function ownServer(t: TestContext): Promise<{ root: string; options: ClientOptions; port: number }> {
  const root = await scratch(t, "ftpwire-sync-remote-");
  const server = createServer({ authenticate: () => ({ fileSystem: new LocalFileSystem(root) }) });
  const { port } = await server.listen({ host: "127.0.0.1", port: 0 });
  t.after(() => server.close());
  return { root, port, options: { host: "127.0.0.1", port, user: "u", password: "p", timeouts: { control: 10_000, data: 10_000 } } };
}

async function connect(t: TestContext, options: ClientOptions): Promise<Client> {
  const client = await Client.connect(options);
  t.after(() => client.close());
  return client;
}

const files = (tree: Map<string, string>) => [...tree].filter(([, v]) => v !== "dir").length;

describe("sync against ftpwire's server", () => {
  it("upload: the remote tree matches; a second run moves nothing; changes, additions and delete: true", async (t) => {
    const own = await ownServer(t);
    const local = await scratch(t, "ftpwire-sync-local-");
    await makeTree(local, 40, 64 * 1024);
    const client = await connect(t, own.options);
    const first = await client.sync(local, "/mirror", { direction: "upload" });
    assert.deepEqual(await treeOf(join(own.root, "mirror")), await treeOf(local));
    assert.equal(first.transferred.length, 40);
    assert.deepEqual(first.failed, []);
    const again = await client.sync(local, "/mirror", { direction: "upload" });
    assert.equal(again.transferred.length, 0, `moved again: ${again.transferred.join(", ")}`);
    assert.equal(again.skipped.length, 40);
    assert.equal(again.bytes, 0);
    await writeFile(join(local, "d1", "e1", "f1.bin"), randomBytes(999));
    await writeFile(join(local, "new.txt"), "new\n");
    await rm(join(local, "d2", "e2", "f2.bin"));
    await writeFile(join(own.root, "mirror", "stray.txt"), "only remote\n");
    const dry = await client.sync(local, "/mirror", { direction: "upload", delete: true, dryRun: true });
    assert.deepEqual(dry.transferred.sort(), ["d1/e1/f1.bin", "new.txt"]);
    assert.deepEqual(dry.deleted.sort(), ["d2/e2/f2.bin", "stray.txt"]);
    assert.equal((await stat(join(own.root, "mirror", "stray.txt"))).size, 12, "dry run changed nothing");
    const third = await client.sync(local, "/mirror", { direction: "upload", delete: true });
    assert.deepEqual(third.transferred.sort(), ["d1/e1/f1.bin", "new.txt"]);
    assert.deepEqual(third.deleted.sort(), ["d2/e2/f2.bin", "stray.txt"]);
    assert.deepEqual(await treeOf(join(own.root, "mirror")), await treeOf(local));
  });

  it("download with concurrency 3: the local tree matches; progress counts files and bytes; filter by glob and function", async (t) => {
    const own = await ownServer(t);
    await makeTree(join(own.root, "src"), 30, 128 * 1024);
    const local = await scratch(t, "ftpwire-sync-local-");
    const client = await connect(t, own.options);
    let last: { filesDone: number; bytesDone: number; bytesTotal: number } | undefined;
    const report = await client.sync(join(local, "copy"), "/src", { direction: "download", concurrency: 3, onProgress: (p) => (last = p) });
    assert.deepEqual(await treeOf(join(local, "copy")), await treeOf(join(own.root, "src")));
    assert.equal(report.transferred.length, 30);
    assert.equal(last?.filesDone, 30);
    assert.equal(last?.bytesDone, report.bytes);
    assert.equal(last?.bytesTotal, report.bytes);
    const onlyTxt = await scratch(t, "ftpwire-sync-txt-");
    const txt = await client.sync(onlyTxt, "/src", { direction: "download", filter: "*.txt" });
    assert.ok(txt.transferred.length > 0 && txt.transferred.every((p) => p.endsWith(".txt")), txt.transferred.join(", "));
    const noD0 = await scratch(t, "ftpwire-sync-fn-");
    const pruned = await client.sync(noD0, "/src", { direction: "download", filter: (rel) => rel !== "d0" });
    assert.ok(pruned.transferred.length > 0 && pruned.transferred.every((p) => !p.startsWith("d0/")));
  });

  it("a partial destination file from an interrupted run is resumed, the complete ones skipped", async (t) => {
    const own = await ownServer(t);
    const local = await scratch(t, "ftpwire-sync-local-");
    const big = randomBytes(2 * 1024 * 1024);
    await writeFile(join(local, "big.bin"), big);
    await writeFile(join(local, "small.txt"), "small\n");
    const client = await connect(t, own.options);
    await client.sync(local, "/m", { direction: "upload" });
    // As a killed run leaves it: the remote copy of big.bin is a prefix, written after the local file changed.
    await writeFile(join(own.root, "m", "big.bin"), big.subarray(0, 700_000));
    const report = await client.sync(local, "/m", { direction: "upload" });
    assert.deepEqual(report.resumed, ["big.bin"]);
    assert.deepEqual(report.skipped, ["small.txt"]);
    assert.equal(report.bytes, big.length - 700_000, "only the missing part moved");
    assert.deepEqual(await readFile(join(own.root, "m", "big.bin")), big);
    // Download direction: the local partial is continued the same way.
    const back = await scratch(t, "ftpwire-sync-back-");
    await client.sync(back, "/m", { direction: "download" });
    await writeFile(join(back, "big.bin"), big.subarray(0, 100_000));
    const down = await client.sync(back, "/m", { direction: "download" });
    assert.deepEqual(down.resumed, ["big.bin"]);
    assert.equal(down.bytes, big.length - 100_000);
    assert.deepEqual(await readFile(join(back, "big.bin")), big);
  });

  it('compare "hash" falls back to size+mtime with a note when the server offers no HASH', async (t) => {
    const own = await ownServer(t);
    const local = await scratch(t, "ftpwire-sync-local-");
    await makeTree(local, 5, 4096);
    const client = await connect(t, own.options);
    await client.sync(local, "/h", { direction: "upload" });
    const report = await client.sync(local, "/h", { direction: "upload", compare: "hash" });
    if (client.features().has("HASH") || client.features().has("XSHA256")) {
      assert.equal(report.skipped.length, 5);
      assert.deepEqual(report.notes.filter((n) => n.includes("hash")), []);
    } else {
      assert.ok(report.notes.some((n) => n.includes('compare "hash"')), report.notes.join(" | "));
      assert.equal(report.skipped.length, 5);
    }
  });

  it("a file where the source has a directory is reported as failed without delete, with its path", async (t) => {
    const own = await ownServer(t);
    const local = await scratch(t, "ftpwire-sync-local-");
    await mkdir(join(local, "x"));
    await writeFile(join(local, "x", "a.txt"), "a");
    await writeFile(join(own.root, "x"), "a file");
    const client = await connect(t, own.options);
    const report = await client.sync(local, "/", { direction: "upload" });
    assert.equal(report.failed.length, 1);
    assert.equal(report.failed[0]!.path, "x");
    assert.ok(report.failed[0]!.error instanceof FtpError);
  });

  it("bad options fail before any I/O", async (t) => {
    const own = await ownServer(t);
    const client = await connect(t, own.options);
    const invalid = (e: unknown) => e instanceof FtpError && e.code === "ERR_FTP_INVALID_OPTION";
    await assert.rejects(client.sync("/tmp", "/", { direction: "sideways" as never }), invalid);
    await assert.rejects(client.sync("/tmp", "/", { direction: "upload", compare: "md5" as never }), invalid);
    await assert.rejects(client.sync("/tmp", "/", { direction: "upload", filter: "{a,b" }), invalid);
  });

  it("ClientPool.sync: one connection walks, the others move files", async (t) => {
    const own = await ownServer(t);
    const local = await scratch(t, "ftpwire-sync-local-");
    await makeTree(local, 20, 32 * 1024);
    const pool = new ClientPool(own.options, { connections: 3 });
    t.after(() => pool.close());
    const report = await pool.sync(local, "/p", { direction: "upload" });
    assert.equal(report.transferred.length, 20);
    assert.deepEqual(await treeOf(join(own.root, "p")), await treeOf(local));
  });
});

async function syncThroughCuts(t: TestContext, port: number, remoteRoot: string, login: { user: string; password: string }): Promise<void> {
  const relay = await startFaultRelay({ host: "127.0.0.1", port });
  t.after(() => relay.close());
  const client = await connect(t, {
    host: relay.host, port: relay.port, ...login,
    timeouts: { control: 10_000, data: 10_000 }, retry: { attempts: 4, minDelayMs: 0, maxDelayMs: 0 },
  });
  let retries = 0;
  client.on("retry", () => retries++);
  const local = await scratch(t, "ftpwire-sync-cut-");
  await makeTree(local, 300, 32 * 1024);
  // Every 10th data connection (listings included) is reset after 1 KiB (smaller files simply finish first).
  relay.cutEveryNthData(10, 1024);
  const up = await client.sync(local, "/cut", { direction: "upload" });
  assert.deepEqual(up.failed.map((f) => `${f.path}: ${f.error.message}`), []);
  assert.deepEqual(await treeOf(join(remoteRoot, "cut")), await treeOf(local));
  const back = await scratch(t, "ftpwire-sync-cut-back-");
  const down = await client.sync(back, "/cut", { direction: "download" });
  assert.deepEqual(down.failed.map((f) => `${f.path}: ${f.error.message}`), []);
  assert.deepEqual(await treeOf(back), await treeOf(local));
  assert.equal(files(await treeOf(back)), 300);
  assert.ok(retries > 0, "some transfers were cut and retried");
}

describe("sync through the fault relay, every 10th data connection cut", () => {
  it("ftpwire's server: 300 files, identical trees in both directions", async (t) => {
    const own = await ownServer(t);
    await syncThroughCuts(t, own.port, own.root, { user: "u", password: "p" });
  });

  it("vsftpd: 300 files, identical trees in both directions", async (t) => {
    if (!(await requirePeer(t, "vsftpd"))) return;
    const peer = await startPeer("vsftpd", {});
    t.after(() => peer.stop());
    await syncThroughCuts(t, peer.port, peer.root, { user: peer.user, password: peer.password });
  });

  it("pure-ftpd: 300 files, identical trees in both directions", async (t) => {
    if (!(await requirePeer(t, "pure-ftpd"))) return;
    const peer = await startPeer("pure-ftpd", {});
    t.after(() => peer.stop());
    await syncThroughCuts(t, peer.port, peer.root, { user: peer.user, password: peer.password });
  });
});


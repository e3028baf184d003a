// Our server driven by basic-ftp (an npm client nobody here wrote).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { Readable, Writable } from "node:stream";
import { Client } from "basic-ftp";
import { startInteropServer, USER, PASSWORD, type InteropServer } from "../server/helpers/interop-server.js";

describe("interop: basic-ftp against our server", () => {
  let s: InteropServer;
  before(async () => {
    s = await startInteropServer();
  });
  after(() => s.close());

  it("ensureDir, upload, list (MLSD), size, lastMod, download, rename, remove, removeDir", async () => {
    const client = new Client(10_000);
    try {
      await client.access({ host: "127.0.0.1", port: s.port, user: USER, password: PASSWORD });
      await client.ensureDir("/a/b/c");
      assert.equal(await client.pwd(), "/a/b/c");
      const bytes = randomBytes(1_234_567);
      await client.uploadFrom(Readable.from([bytes]), "file.bin");
      assert.ok((await readFile(join(s.root, "a", "b", "c", "file.bin"))).equals(bytes));
      const list = await client.list();
      assert.deepEqual(list.map((f) => [f.name, f.size, f.isFile]), [["file.bin", 1_234_567, true]]);
      assert.equal(await client.size("file.bin"), 1_234_567);
      assert.ok((await client.lastMod("file.bin")).getTime() > Date.now() - 60_000);
      const chunks: Buffer[] = [];
      await client.downloadTo(new Writable({ write: (c: Buffer, _e, cb) => (chunks.push(c), cb()) }), "file.bin");
      assert.ok(Buffer.concat(chunks).equals(bytes));
      await client.appendFrom(Readable.from([Buffer.from("tail")]), "file.bin");
      assert.equal(await client.size("file.bin"), 1_234_571);
      await client.rename("file.bin", "/a/moved.bin");
      await client.remove("/a/moved.bin");
      await client.removeDir("/a");
      assert.deepEqual(await client.list("/"), []);
    } finally {
      client.close();
    }
  });

  it("resumes a download with a start offset", async () => {
    const bytes = randomBytes(200_000);
    await writeFile(join(s.root, "r.bin"), bytes);
    const client = new Client(10_000);
    try {
      await client.access({ host: "127.0.0.1", port: s.port, user: USER, password: PASSWORD });
      const chunks: Buffer[] = [];
      await client.downloadTo(new Writable({ write: (c: Buffer, _e, cb) => (chunks.push(c), cb()) }), "r.bin", 50_000);
      assert.ok(Buffer.concat(chunks).equals(bytes.subarray(50_000)));
    } finally {
      client.close();
    }
  });
});

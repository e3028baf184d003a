// Storage is opened for an upload only once its data connection exists: a
// STOR whose data connection never comes must not truncate the old file
// (LocalFileSystem writes in place without atomicUploads).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalFileSystem } from "../../src/storage/local-file-system.js";
import { startServer, writeAll, type TestServer } from "./helpers/ftp-test-client.js";

describe("uploads open storage only after the data connection", () => {
  let base: string;
  let t: TestServer;
  before(async () => {
    base = await mkdtemp(join(tmpdir(), "ftpwire-upload-open-"));
    await writeFile(join(base, "precious.txt"), "old contents, must survive");
    await mkdir(join(base, "dir"));
    t = await startServer({ timeouts: { data: 300 } }, new LocalFileSystem(base));
  });
  after(async () => {
    await t.close();
    await rm(base, { recursive: true, force: true });
  });

  for (const verb of ["STOR", "APPE"]) {
    it(`${verb} over an existing file whose data connection never comes → 150, 425, old bytes intact`, async () => {
      const c = await t.login();
      const r = await c.cmd("PASV");
      assert.equal(r.code, 227);
      // Nobody connects to the announced port.
      assert.equal((await c.cmd(`${verb} /precious.txt`)).code, 150);
      assert.equal((await c.reply()).code, 425);
      assert.equal(await readFile(join(base, "precious.txt"), "utf8"), "old contents, must survive");
      assert.equal((await c.cmd("NOOP")).code, 200);
    });
  }

  it("the same STOR with a data connection replaces the contents", async () => {
    const c = await t.login();
    await c.cmd("TYPE I");
    const data = await c.pasv();
    assert.equal((await c.cmd("STOR /replaced.txt")).code, 150);
    await writeAll(data, "new");
    assert.equal((await c.reply()).code, 226);
    assert.equal(await readFile(join(base, "replaced.txt"), "utf8"), "new");
  });

  it("still refused before 150: a directory, and a missing parent folder → 550", async () => {
    const c = await t.login();
    await c.pasv();
    assert.equal((await c.cmd("STOR /dir")).code, 550);
    await c.pasv();
    assert.equal((await c.cmd("STOR /missing/file.txt")).code, 550);
    assert.equal((await c.cmd("NOOP")).code, 200);
  });
});

// Issue 11, names the server cannot represent and existence leaks:
// - a CR inside a name (`MKD cr\rname`) created an entry listings then hid;
//   CR, LF and NUL in a path argument now get 553 and nothing is created;
// - `SIZE out/secret` (behind a symlink out of the root) said "Permission
//   denied" where `SIZE out/missing` said "No such file": one 550 text now.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, mkdir, readdir, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalFileSystem } from "../../src/storage/local-file-system.js";
import { startServer, type TestServer } from "./helpers/ftp-test-client.js";

describe("path names over the wire", () => {
  let base: string;
  let root: string;
  let t: TestServer;
  before(async () => {
    base = await mkdtemp(join(tmpdir(), "ftpwire-names-"));
    root = join(base, "root");
    await mkdir(join(base, "outside"), { recursive: true });
    await mkdir(root);
    await writeFile(join(base, "outside", "secret"), "s");
    await symlink(join(base, "outside"), join(root, "out"));
    t = await startServer({}, new LocalFileSystem(root));
  });
  after(async () => {
    await t.close();
    await rm(base, { recursive: true, force: true });
  });

  it("a CR, or a NUL, inside a name gets 553 and creates nothing", async () => {
    const c = await t.login();
    for (const line of [Buffer.from("MKD cr\rname\r\n"), Buffer.from("MKD nul\0name\r\n"), Buffer.from("RNFR a\rb\r\n")]) {
      c.send(line);
      const r = await c.reply();
      assert.equal(r.code, 553, `${JSON.stringify(line.toString())} → ${r.code} ${r.message}`);
    }
    assert.deepEqual((await readdir(root)).sort(), ["out"]);
    assert.equal((await c.cmd("NOOP")).code, 200);
  });

  it("STOR of a name with a CR: 553 before any data connection is used", async () => {
    const c = await t.login();
    const data = await c.pasv();
    data.on("error", () => {});
    c.send(Buffer.from("STOR x\ry\r\n"));
    assert.equal((await c.reply()).code, 553);
    data.destroy();
    assert.deepEqual((await readdir(root)).sort(), ["out"]);
  });

  it("the same 550 for a file behind an outward symlink and a missing one", async () => {
    const c = await t.login();
    const secret = await c.cmd("SIZE out/secret");
    const missing = await c.cmd("SIZE out/missing");
    const plain = await c.cmd("SIZE /nothing");
    assert.deepEqual([secret.code, secret.message], [missing.code, missing.message]);
    assert.deepEqual([plain.code, plain.message], [missing.code, missing.message]);
    assert.equal(secret.code, 550);
    for (const verb of ["MDTM", "CWD", "DELE"]) {
      const a = await c.cmd(`${verb} out/secret`);
      const b = await c.cmd(`${verb} out/missing`);
      assert.deepEqual([a.code, a.message], [b.code, b.message], verb);
    }
  });
});

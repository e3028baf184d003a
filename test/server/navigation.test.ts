// Behaviours 13-18: PWD/CWD/CDUP, MKD/RMD/DELE, RNFR/RNTO, MDTM/MFMT, SIZE, SITE.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { startServer, type TestServer } from "./helpers/ftp-test-client.js";
import { MemoryFileSystem } from "../../src/storage/memory-file-system.js";

describe("server navigation and file system", () => {
  let t: TestServer;
  let fs: MemoryFileSystem;
  before(async () => {
    fs = new MemoryFileSystem({ "/file.txt": "abc", "/dir/inner.txt": "x", "/empty/": "", '/we"ird/': "" });
    t = await startServer({ site: { WHO: ({ session }) => ({ code: 200, text: `you are ${session.username}` }) } }, fs);
  });
  after(() => t.close());

  it("13: PWD quotes per RFC 959; CWD to a missing dir → 550; CDUP and .. never rise above /", async () => {
    const c = await t.login();
    assert.deepEqual((await c.cmd("PWD")).message, '"/" is the current directory');
    assert.equal((await c.cmd('CWD we"ird')).code, 250);
    assert.equal((await c.cmd("PWD")).message, '"/we""ird" is the current directory');
    assert.equal((await c.cmd("XPWD")).code, 257);
    assert.equal((await c.cmd("CWD /missing")).code, 550);
    assert.equal((await c.cmd("CWD /file.txt")).code, 550);
    assert.equal((await c.cmd("CDUP")).code, 250);
    assert.equal((await c.cmd("CDUP")).code, 250);
    assert.match((await c.cmd("PWD")).message, /^"\/"/);
    assert.equal((await c.cmd("CWD ../../..")).code, 250);
    assert.match((await c.cmd("PWD")).message, /^"\/"/);
    assert.equal((await c.cmd("XCWD dir")).code, 250);
    assert.equal((await c.cmd("XCUP")).code, 250);
    assert.match((await c.cmd("PWD")).message, /^"\/"/);
  });

  it("14: MKD → 257 with the absolute path; existing → 550; RMD on file/non-empty/root → 550; DELE on dir → 550", async () => {
    const c = await t.login();
    await c.cmd("CWD /dir");
    const mkd = await c.cmd("MKD sub");
    assert.equal(mkd.code, 257);
    assert.match(mkd.message, /^"\/dir\/sub"/);
    assert.equal((await c.cmd("XMKD sub")).code, 550);
    assert.equal((await c.cmd("RMD inner.txt")).code, 550);
    assert.equal((await c.cmd("RMD /dir")).code, 550);
    assert.equal((await c.cmd("RMD /")).code, 550);
    assert.equal((await c.cmd("DELE sub")).code, 550);
    assert.equal((await c.cmd("XRMD sub")).code, 250);
    assert.equal((await c.cmd("RMD sub")).code, 550);
    assert.equal((await c.cmd("DELE /missing")).code, 550);
  });

  it("15: RNFR 350 then RNTO 250 for files and dirs; RNTO without RNFR → 503; missing source → 550", async () => {
    const c = await t.login();
    assert.equal((await c.cmd("RNTO /x")).code, 503);
    assert.equal((await c.cmd("RNFR /nothing")).code, 550);
    assert.equal((await c.cmd("RNFR /file.txt")).code, 350);
    assert.equal((await c.cmd("RNTO /renamed.txt")).code, 250);
    assert.equal(fs.readFileSync("/renamed.txt").toString(), "abc");
    assert.equal((await c.cmd("RNFR /empty")).code, 350);
    assert.equal((await c.cmd("RNTO /empty2")).code, 250);
    assert.equal((await c.cmd("CWD /empty2")).code, 250);
    // RNFR is forgotten after any other command.
    assert.equal((await c.cmd("RNFR /renamed.txt")).code, 350);
    assert.equal((await c.cmd("NOOP")).code, 200);
    assert.equal((await c.cmd("RNTO /file.txt")).code, 503);
    assert.equal((await c.cmd("RNFR /renamed.txt")).code, 350);
    assert.equal((await c.cmd("RNTO /file.txt")).code, 250);
  });

  it("16: MDTM → 213 in UTC; dir or missing → 550; MFMT sets it; bad timestamp → 501", async () => {
    const c = await t.login();
    assert.equal((await c.cmd("MFMT 20200131235958 /file.txt")).code, 213);
    const mdtm = await c.cmd("MDTM /file.txt");
    assert.deepEqual([mdtm.code, mdtm.message], [213, "20200131235958"]);
    assert.equal((await fs.stat("/file.txt")).modifiedAt?.toISOString(), "2020-01-31T23:59:58.000Z");
    assert.equal((await c.cmd("MDTM /dir")).code, 550);
    assert.equal((await c.cmd("MDTM /missing")).code, 550);
    assert.equal((await c.cmd("MFMT 2020013123595 /file.txt")).code, 501);
    assert.equal((await c.cmd("MFMT 20201331000000 /file.txt")).code, 501);
    assert.equal((await c.cmd("MFMT 20200101000000")).code, 501);
  });

  it("17: SIZE → 213; on a directory or missing file → 550", async () => {
    const c = await t.login();
    await c.cmd("TYPE I");
    const size = await c.cmd("SIZE /dir/inner.txt");
    assert.deepEqual([size.code, size.message], [213, "1"]);
    assert.equal((await c.cmd("SIZE /dir")).code, 550);
    assert.equal((await c.cmd("SIZE /nope")).code, 550);
  });

  it("18: SITE CHMOD → 200; bad mode → 501; SITE HELP → 214; custom SITE handlers; unknown → 500", async () => {
    const c = await t.login();
    assert.equal((await c.cmd("SITE CHMOD 755 /file.txt")).code, 200);
    assert.equal((await fs.stat("/file.txt")).mode, 0o755);
    assert.equal((await c.cmd("SITE CHMOD 799 /file.txt")).code, 501);
    assert.equal((await c.cmd("SITE CHMOD rwx /file.txt")).code, 501);
    assert.equal((await c.cmd("SITE CHMOD 644 /missing")).code, 550);
    const help = await c.cmd("SITE HELP");
    assert.equal(help.code, 214);
    assert.match(help.message, /CHMOD/);
    assert.match(help.message, /WHO/);
    const who = await c.cmd("SITE who");
    assert.deepEqual([who.code, who.message], [200, "you are alice"]);
    assert.equal((await c.cmd("SITE NOPE")).code, 500);
  });

  it("a storage without chmod/setModifiedTime answers 502", async () => {
    const bare = new MemoryFileSystem({ "/f": "1" });
    const limited = Object.assign(Object.create(bare) as MemoryFileSystem, { chmod: undefined, setModifiedTime: undefined });
    const s = await startServer({}, limited);
    try {
      const c = await s.login();
      assert.equal((await c.cmd("SITE CHMOD 600 /f")).code, 502);
      assert.equal((await c.cmd("MFMT 20200101000000 /f")).code, 502);
    } finally {
      await s.close();
    }
  });

  it("read-only sessions get 550 for changes", async () => {
    const s = await startServer({ authenticate: () => ({ fileSystem: fs, readOnly: true }) });
    try {
      const c = await s.login();
      assert.equal((await c.cmd("MKD /ro")).code, 550);
      assert.equal((await c.cmd("DELE /file.txt")).code, 550);
      assert.equal((await c.cmd("STOR /x")).code, 550);
      assert.equal((await c.cmd("SITE CHMOD 600 /file.txt")).code, 550);
      assert.equal((await c.cmd("SIZE /file.txt")).code, 213);
    } finally {
      await s.close();
    }
  });
});

describe("file-system events", () => {
  it("mkdir, delete (file and directory) and rename are observed; session.close() ends a session", async () => {
    const fs = new MemoryFileSystem({ "/f.txt": "1" });
    const t = await startServer({}, fs);
    const seen: string[] = [];
    t.server.on("mkdir", (e) => seen.push(`mkdir ${e.path}`));
    t.server.on("delete", (e) => seen.push(`delete ${e.path} ${e.directory}`));
    t.server.on("rename", (e) => seen.push(`rename ${e.from} ${e.to}`));
    try {
      const c = await t.login();
      await c.cmd("MKD /d");
      await c.cmd("RNFR /f.txt");
      await c.cmd("RNTO /d/g.txt");
      await c.cmd("DELE /d/g.txt");
      await c.cmd("RMD /d");
      assert.deepEqual(seen, ["mkdir /d", "rename /f.txt /d/g.txt", "delete /d/g.txt false", "delete /d true"]);
      const [session] = t.server.connections;
      session?.close(421, "Kicked by the administrator");
      const r = await c.reply();
      assert.deepEqual([r.code, r.message], [421, "Kicked by the administrator"]);
      await c.closed;
    } finally {
      await t.close();
    }
  });
});

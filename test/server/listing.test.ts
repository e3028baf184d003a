// Behaviours 28-32: LIST/NLST/MLSD/MLST/STAT.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { startServer, readAll, type TestClient, type TestServer } from "./helpers/ftp-test-client.js";
import { MemoryFileSystem } from "../../src/storage/memory-file-system.js";

async function list(c: TestClient, line: string): Promise<{ code: number; text: string }> {
  const data = await c.pasv();
  const first = await c.cmd(line);
  if (first.code !== 150) {
    data.destroy();
    return { code: first.code, text: "" };
  }
  const text = (await readAll(data)).toString("utf8");
  return { code: (await c.reply()).code, text };
}

describe("server listings", () => {
  let t: TestServer;
  let fs: MemoryFileSystem;
  before(async () => {
    fs = new MemoryFileSystem({ "/dir/a.txt": "aaa", "/dir/sub/": "", "/dir/b c.txt": "bb", "/empty/": "", "/old.txt": "o", "/future.txt": "f" });
    await fs.setModifiedTime("/old.txt", new Date(Date.UTC(1960, 0, 1)));
    await fs.setModifiedTime("/future.txt", new Date(Date.UTC(3000, 5, 1)));
    await fs.setModifiedTime("/dir/a.txt", new Date(Date.UTC(2021, 2, 4, 5, 6, 7)));
    t = await startServer({}, fs);
  });
  after(() => t.close());

  it("28: LIST/NLST/MLSD without argument equal the same with the current directory", async () => {
    const c = await t.login();
    await c.cmd("CWD /dir");
    for (const verb of ["LIST", "NLST", "MLSD"]) {
      const here = await list(c, verb);
      const there = await list(c, `${verb} /dir`);
      assert.equal(here.code, 226);
      assert.equal(there.code, 226);
      assert.equal(here.text, there.text, verb);
    }
    const nlst = await list(c, "NLST");
    assert.deepEqual(nlst.text.split("\r\n").filter(Boolean).sort(), ["a.txt", "b c.txt", "sub"]);
    const lst = (await list(c, "LIST")).text.split("\r\n").filter(Boolean);
    assert.equal(lst.length, 3);
    assert.ok(lst.some((l) => /^-rw-r--r-- +1 ftp +ftp +3 Mar  4  2021 a\.txt$/.test(l)), lst.join("\n"));
    assert.ok(lst.some((l) => l.startsWith("d") && l.endsWith(" sub")));
    const mlsd = (await list(c, "MLSD")).text.split("\r\n").filter(Boolean);
    assert.ok(mlsd.includes("type=file;size=3;modify=20210304050607;perm=adfrw;UNIX.mode=0644; a.txt"), mlsd.join("\n"));
  });

  it("28: a file argument gives one line; a missing path → 550; an empty directory → 150/226 with no data", async () => {
    const c = await t.login();
    const one = await list(c, "LIST /dir/a.txt");
    assert.equal(one.text.split("\r\n").filter(Boolean).length, 1);
    assert.match(one.text, / a\.txt\r\n$/);
    assert.equal((await list(c, "NLST /dir/a.txt")).text, "a.txt\r\n");
    assert.equal((await list(c, "LIST /nope")).code, 550);
    assert.equal((await list(c, "NLST /nope")).code, 550);
    assert.equal((await list(c, "MLSD /nope")).code, 550);
    const empty = await list(c, "LIST /empty");
    assert.deepEqual(empty, { code: 226, text: "" });
  });

  it("29: LIST -a, -l, -la, -al are accepted and list the current directory", async () => {
    const c = await t.login();
    await c.cmd("CWD /dir");
    const plain = await list(c, "LIST");
    for (const flags of ["-a", "-l", "-la", "-al", "-la /dir"]) {
      const r = await list(c, `LIST ${flags}`);
      assert.equal(r.code, 226, flags);
      assert.equal(r.text, plain.text, flags);
    }
    assert.equal((await list(c, "NLST -a")).code, 226);
  });

  it("30: MLST → multi-line 250 with one leading space, the facts and the full path; MLSD on a file → 501", async () => {
    const c = await t.login();
    await c.cmd("CWD /dir");
    const r = await c.cmd("MLST a.txt");
    assert.equal(r.code, 250);
    assert.equal(r.lines.length, 3);
    assert.equal(r.lines[1], " type=file;size=3;modify=20210304050607;perm=adfrw;UNIX.mode=0644; /dir/a.txt");
    const dir = await c.cmd("MLST");
    assert.match(dir.lines[1] ?? "", /^ type=dir;.* \/dir$/);
    assert.equal((await c.cmd("MLST /nope")).code, 550);
    const data = await c.pasv();
    assert.equal((await c.cmd("MLSD /dir/a.txt")).code, 501);
    data.destroy();
  });

  it("31: STAT path lists over the control connection; a missing path → 550", async () => {
    const c = await t.login();
    const r = await c.cmd("STAT /dir");
    assert.equal(r.code, 213);
    assert.equal(r.lines.length, 5);
    assert.ok(r.lines.some((l) => l.endsWith(" a.txt")));
    const f = await c.cmd("STAT -la /dir/a.txt");
    assert.equal(f.code, 213);
    assert.equal(f.lines.length, 3);
    assert.equal((await c.cmd("STAT /nope")).code, 550);
  });

  it("32: files dated before 1970 or far in the future do not break LIST or MLSD", async () => {
    const c = await t.login();
    const lst = await list(c, "LIST /");
    assert.equal(lst.code, 226);
    assert.match(lst.text, /Jan  1  1960 old\.txt/);
    assert.match(lst.text, /Jun  1  3000 future\.txt/);
    const mlsd = await list(c, "MLSD /");
    assert.equal(mlsd.code, 226);
    assert.match(mlsd.text, /modify=19600101000000;.* old\.txt/);
    assert.match(mlsd.text, /modify=30000601000000;.* future\.txt/);
  });

  it("a last component with * or ? is a pattern (what mget sends); no match → 550", async () => {
    const c = await t.login();
    assert.equal((await list(c, "NLST /dir/*.txt")).text.split("\r\n").filter(Boolean).sort().join(","), "a.txt,b c.txt");
    await c.cmd("CWD /dir");
    assert.equal((await list(c, "NLST ?.txt")).text, "a.txt\r\n");
    assert.equal((await list(c, "LIST a.*")).text.split("\r\n").filter(Boolean).length, 1);
    assert.equal((await list(c, "NLST *.zip")).code, 550);
  });

  it("names with CR/LF never forge listing lines", async () => {
    const evil = new MemoryFileSystem({ "/ok.txt": "1", "/bad\r\n226 fake": "2" });
    const s = await startServer({}, evil);
    try {
      const c = await s.login();
      const r = await list(c, "LIST /");
      assert.equal(r.code, 226);
      assert.equal(r.text.split("\r\n").filter(Boolean).length, 1);
      assert.equal((await list(c, "NLST /")).text, "ok.txt\r\n");
    } finally {
      await s.close();
    }
  });
});

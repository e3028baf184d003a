// Behaviours 9-12: TYPE/STRU/MODE, REST, FEAT/OPTS, HELP.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { startServer, readAll, type TestServer } from "./helpers/ftp-test-client.js";
import { MemoryFileSystem } from "../../src/storage/memory-file-system.js";

describe("server parameters", () => {
  let t: TestServer;
  before(async () => {
    t = await startServer({}, new MemoryFileSystem({ "/ten.txt": "0123456789", "/d/": "" }));
  });
  after(() => t.close());

  it("9: TYPE A, I, L 8 → 200, others 504; STRU F/R 200, P 504; MODE S/B/C/Z 200, others 501", async () => {
    const c = await t.login();
    for (const arg of ["A", "A N", "I", "L 8", "a", "i"]) assert.equal((await c.cmd(`TYPE ${arg}`)).code, 200, arg);
    for (const arg of ["E", "A T", "A C", "L 7", "L 16"]) assert.equal((await c.cmd(`TYPE ${arg}`)).code, 504, arg);
    assert.equal((await c.cmd("TYPE X")).code, 501);
    assert.equal((await c.cmd("STRU F")).code, 200);
    assert.equal((await c.cmd("STRU R")).code, 200);
    assert.equal((await c.cmd("STRU P")).code, 504);
    assert.equal((await c.cmd("STRU X")).code, 501);
    assert.equal((await c.cmd("STRU F")).code, 200);
    for (const mode of ["B", "C", "Z", "S"]) assert.equal((await c.cmd(`MODE ${mode}`)).code, 200, mode);
    assert.equal((await c.cmd("MODE E")).code, 501);
    assert.equal((await c.cmd("ALLO 1000")).code, 202);
  });

  it("10: REST with a non-number or negative value → 501; REST applies only to the next transfer", async () => {
    const c = await t.login();
    assert.equal((await c.cmd("REST abc")).code, 501);
    assert.equal((await c.cmd("REST -5")).code, 501);
    assert.equal((await c.cmd("REST 1.5")).code, 501);
    assert.equal((await c.cmd("TYPE I")).code, 200);
    assert.equal((await c.cmd("REST 4")).code, 350);
    let data = await c.pasv();
    assert.equal((await c.cmd("RETR ten.txt")).code, 150);
    assert.equal((await readAll(data)).toString(), "456789");
    assert.equal((await c.reply()).code, 226);
    // Used up: the next RETR starts at 0.
    data = await c.pasv();
    assert.equal((await c.cmd("RETR ten.txt")).code, 150);
    assert.equal((await readAll(data)).toString(), "0123456789");
    assert.equal((await c.reply()).code, 226);
    // Cleared by an unrelated command in between.
    assert.equal((await c.cmd("REST 4")).code, 350);
    assert.equal((await c.cmd("PWD")).code, 257);
    data = await c.pasv();
    assert.equal((await c.cmd("RETR ten.txt")).code, 150);
    assert.equal((await readAll(data)).toString(), "0123456789");
    assert.equal((await c.reply()).code, 226);
  });

  it("11: FEAT lists the extensions; OPTS MLST selects facts; OPTS UTF8 ON → 200", async () => {
    const c = await t.connect();
    const feat = await c.cmd("FEAT");
    assert.equal(feat.code, 211);
    const lines = feat.lines.slice(1, -1).map((l) => l.trim());
    for (const f of ["UTF8", "EPSV", "EPRT", "REST STREAM", "SIZE", "MDTM", "MFMT", "TVFS", "HOST"]) {
      assert.ok(lines.includes(f), `FEAT has ${f}`);
    }
    assert.ok(feat.lines.slice(1, -1).every((l) => l.startsWith(" ")), "feature lines start with a space");
    const mlst = lines.find((l) => l.startsWith("MLST "));
    assert.ok(mlst?.includes("type*;") && mlst.includes("size*;") && mlst.includes("modify*;"), mlst);
    assert.equal((await c.cmd("OPTS UTF8 ON")).code, 200);
    await c.login();
    const opts = await c.cmd("OPTS MLST type;size;");
    assert.equal(opts.code, 200);
    assert.equal(opts.message, "MLST OPTS type;size;");
    const entry = await c.cmd("MLST /ten.txt");
    assert.equal(entry.lines[1], " type=file;size=10; /ten.txt");
    const feat2 = await c.cmd("FEAT");
    assert.ok(feat2.message.includes("modify;"), "modify no longer starred");
    assert.equal((await c.cmd("OPTS FOO bar")).code, 501);
  });

  it("12: HELP → 214 listing commands; HELP VERB → 214; unknown verb → 502", async () => {
    const c = await t.connect();
    const help = await c.cmd("HELP");
    assert.equal(help.code, 214);
    for (const v of ["RETR", "STOR", "MLSD", "EPSV", "XPWD"]) assert.match(help.message, new RegExp(`\\b${v}\\b`));
    const one = await c.cmd("HELP retr");
    assert.equal(one.code, 214);
    assert.match(one.message, /RETR/);
    assert.equal((await c.cmd("HELP FROBNICATE")).code, 502);
  });
});

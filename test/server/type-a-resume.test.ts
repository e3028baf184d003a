// Issue 12: REST in TYPE A counts octets as transferred (RFC 3659 §5), CRLFs included.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { writeFile, readFile } from "node:fs/promises";
import { join } from "node:path";
import { startServer, readAll, writeAll, type TestServer } from "./helpers/ftp-test-client.js";
import { startInteropServer, USER, PASSWORD, type InteropServer } from "./helpers/interop-server.js";
import { MemoryFileSystem } from "../../src/storage/memory-file-system.js";
import { requirePeer } from "../support/require-peer.js";
import { runFtplib } from "../support/tools.js";

describe("REST in TYPE A (raw client)", () => {
  let t: TestServer;
  let fs: MemoryFileSystem;
  before(async () => {
    fs = new MemoryFileSystem({ "/lines.txt": "line\nline\nline\n", "/split.txt": "ab\ncd\n", "/up.txt": "line\nline\n" });
    t = await startServer({ limits: { maxAsciiScanBytes: 1000 } }, fs);
  });
  after(() => t.close());

  it("REST 6 + RETR sends the network form from octet 6: the second and third line", async () => {
    const c = await t.login();
    assert.equal((await c.cmd("TYPE A")).code, 200);
    const data = await c.pasv();
    assert.equal((await c.cmd("REST 6")).code, 350);
    assert.equal((await c.cmd("RETR /lines.txt")).code, 150);
    // Before the fix: "ine\r\nline\r\n" (6 used as a stored offset).
    assert.equal((await readAll(data)).toString("latin1"), "line\r\nline\r\n");
    assert.equal((await c.reply()).code, 226);
  });

  it("every marker of a file resumes to the exact rest of its network form", async () => {
    const network = "ab\r\ncd\r\n";
    const c = await t.login();
    assert.equal((await c.cmd("TYPE A")).code, 200);
    for (let marker = 1; marker <= network.length; marker++) {
      const data = await c.pasv();
      assert.equal((await c.cmd(`REST ${marker}`)).code, 350);
      assert.equal((await c.cmd("RETR /split.txt")).code, 150);
      assert.equal((await readAll(data)).toString("latin1"), network.slice(marker), `marker ${marker}`);
      assert.equal((await c.reply()).code, 226);
    }
    const data = await c.pasv();
    assert.equal((await c.cmd(`REST ${network.length + 1}`)).code, 350);
    assert.equal((await c.cmd("RETR /split.txt")).code, 554);
    data.destroy();
  });

  it("REST past maxAsciiScanBytes in TYPE A → 554, nothing read; TYPE I still resumes", async () => {
    const c = await t.login();
    assert.equal((await c.cmd("TYPE A")).code, 200);
    let data = await c.pasv();
    assert.equal((await c.cmd("REST 1001")).code, 350);
    const refused = await c.cmd("RETR /lines.txt");
    assert.equal(refused.code, 554);
    assert.match(refused.message, /TYPE I/);
    data.destroy();
    assert.equal((await c.cmd("TYPE I")).code, 200);
    data = await c.pasv();
    assert.equal((await c.cmd("REST 6")).code, 350);
    assert.equal((await c.cmd("RETR /lines.txt")).code, 150);
    assert.equal((await readAll(data)).toString("latin1"), "ine\nline\n");
    assert.equal((await c.reply()).code, 226);
  });

  it("REST n + STOR in TYPE A resumes after the n network octets already stored", async () => {
    const c = await t.login();
    assert.equal((await c.cmd("TYPE A")).code, 200);
    // "line\nline\n" is 12 octets in TYPE A; the client sent those and resumes there.
    const data = await c.pasv();
    assert.equal((await c.cmd("REST 12")).code, 350);
    // Before the fix: 554 (12 > 10 stored bytes).
    assert.equal((await c.cmd("STOR /up.txt")).code, 150);
    await writeAll(data, "more\r\n");
    assert.equal((await c.reply()).code, 226);
    assert.equal(fs.readFileSync("/up.txt").toString("latin1"), "line\nline\nmore\n");
  });

  it("REST + STOR in TYPE A with a marker inside a line ending → 554, the file untouched", async () => {
    const c = await t.login();
    assert.equal((await c.cmd("TYPE A")).code, 200);
    const data = await c.pasv();
    assert.equal((await c.cmd("REST 3")).code, 350); // "ab\r" of "ab\r\ncd\r\n"
    assert.equal((await c.cmd("STOR /split.txt")).code, 554);
    data.destroy();
    assert.equal(fs.readFileSync("/split.txt").toString("latin1"), "ab\ncd\n");
  });
});

describe("REST in TYPE A (Python ftplib)", () => {
  let s: InteropServer;
  before(async () => {
    s = await startInteropServer();
  });
  after(() => s.close());

  it("ftplib resuming a TYPE A download with REST gets the missing lines exactly", async (t) => {
    if (!(await requirePeer(t, "ftplib"))) return;
    await writeFile(join(s.root, "lines.txt"), "line\nline\nline\n");
    // What a line-mode client already has after an interrupted download: the first line, CRLF kept.
    await writeFile(join(s.local, "lines.txt"), "line\r\n");
    const script = String.raw`
import ftplib, sys
ftp = ftplib.FTP()
ftp.connect("127.0.0.1", int(sys.argv[1]), timeout=10)
ftp.login(sys.argv[2], sys.argv[3])
ftp.voidcmd("TYPE A")
path = sys.argv[4]
with open(path, "ab") as f:
    conn = ftp.transfercmd("RETR lines.txt", rest=f.tell())
    while True:
        chunk = conn.recv(8192)
        if not chunk:
            break
        f.write(chunk)
    conn.close()
ftp.voidresp()
ftp.quit()
`;
    const r = await runFtplib(script, [String(s.port), USER, PASSWORD, join(s.local, "lines.txt")]);
    assert.equal(r.code, 0, r.stderr);
    // Before the fix: "line\r\nine\r\nline\r\n".
    assert.equal(await readFile(join(s.local, "lines.txt"), "latin1"), "line\r\nline\r\nline\r\n");
  });
});

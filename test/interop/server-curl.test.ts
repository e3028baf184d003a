// Our server driven by curl: upload, download, list, --ftp-pasv, --ftp-port, -Q quote commands, resume.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFile, writeFile, mkdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { requirePeer } from "../support/require-peer.js";
import { runCommand } from "../support/tools.js";
import { startInteropServer, type InteropServer } from "../server/helpers/interop-server.js";

const CURL = "/usr/bin/curl";

function curl(args: string[]) {
  return runCommand(CURL, ["--silent", "--show-error", "--max-time", "20", ...args], { timeoutMs: 30_000 });
}

describe("interop: curl against our server", () => {
  let s: InteropServer;
  before(async () => {
    s = await startInteropServer();
  });
  after(() => s.close());

  for (const mode of [["--ftp-pasv"], ["--ftp-pasv", "--disable-epsv"], ["--ftp-port", "127.0.0.1"], ["--ftp-port", "127.0.0.1", "--disable-eprt"]]) {
    it(`upload and download byte-exact with ${mode.join(" ")}`, async (t) => {
      if (!(await requirePeer(t, "curl"))) return;
      const name = `up-${mode.join("").replace(/[^a-z0-9]/gi, "")}.bin`;
      const bytes = randomBytes(2 * 1024 * 1024 + 17);
      const source = join(s.local, name);
      await writeFile(source, bytes);
      const up = await curl([...mode, "-T", source, `${s.url}/uploads/${name}`, "--ftp-create-dirs"]);
      assert.equal(up.code, 0, up.stderr);
      assert.ok((await readFile(join(s.root, "uploads", name))).equals(bytes));
      const down = await curl([...mode, `${s.url}/uploads/${name}`, "-o", "-"]);
      assert.equal(down.code, 0, down.stderr);
      assert.ok(down.stdoutBytes.equals(bytes));
    });
  }

  it("lists a directory (LIST and NLST via --list-only)", async (t) => {
    if (!(await requirePeer(t, "curl"))) return;
    await mkdir(join(s.root, "listme", "sub"), { recursive: true });
    await writeFile(join(s.root, "listme", "a.txt"), "aaa");
    const list = await curl([`${s.url}/listme/`]);
    assert.equal(list.code, 0, list.stderr);
    const lines = list.stdout.trim().split(/\r?\n/);
    assert.equal(lines.length, 2);
    assert.ok(lines.some((l) => /^-.* 3 .* a\.txt$/.test(l)), list.stdout);
    assert.ok(lines.some((l) => l.startsWith("d") && l.endsWith(" sub")), list.stdout);
    const names = await curl(["--list-only", `${s.url}/listme/`]);
    assert.deepEqual(names.stdout.trim().split(/\r?\n/).sort(), ["a.txt", "sub"]);
  });

  it("-Q quote commands run before and after the transfer", async (t) => {
    if (!(await requirePeer(t, "curl"))) return;
    await writeFile(join(s.root, "quoted.txt"), "q");
    const r = await curl([
      "-Q", "MKD /made-by-quote",
      "-Q", "RNFR /quoted.txt",
      "-Q", "RNTO /made-by-quote/moved.txt",
      "-Q", "-DELE /made-by-quote/moved.txt",
      `${s.url}/`,
      "--list-only",
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok((await stat(join(s.root, "made-by-quote"))).isDirectory());
    await assert.rejects(stat(join(s.root, "made-by-quote", "moved.txt")), { code: "ENOENT" });
    await assert.rejects(stat(join(s.root, "quoted.txt")), { code: "ENOENT" });
    const bad = await curl(["-Q", "DELE /does-not-exist", `${s.url}/`, "--list-only"]);
    assert.notEqual(bad.code, 0);
  });

  it("resumes an upload (-C -) and a download (-C offset)", async (t) => {
    if (!(await requirePeer(t, "curl"))) return;
    const bytes = randomBytes(500_000);
    await writeFile(join(s.root, "resume.bin"), bytes.subarray(0, 200_000));
    const source = join(s.local, "resume.bin");
    await writeFile(source, bytes);
    const up = await curl(["-C", "-", "-T", source, `${s.url}/resume.bin`]);
    assert.equal(up.code, 0, up.stderr);
    assert.ok((await readFile(join(s.root, "resume.bin"))).equals(bytes));
    const down = await curl(["-C", "123456", `${s.url}/resume.bin`, "-o", "-"]);
    assert.equal(down.code, 0, down.stderr);
    assert.ok(down.stdoutBytes.equals(bytes.subarray(123456)));
  });

  it("ASCII transfers (--use-ascii) convert line endings", async (t) => {
    if (!(await requirePeer(t, "curl"))) return;
    await writeFile(join(s.root, "unix.txt"), "a\nb\n");
    const down = await curl(["--use-ascii", `${s.url}/unix.txt`, "-o", "-"]);
    assert.equal(down.code, 0, down.stderr);
    // curl itself converts CRLF back to LF on Unix for ASCII downloads; the bytes must survive the round trip.
    assert.equal(down.stdout.replace(/\r\n/g, "\n"), "a\nb\n");
  });

  it("a wrong password fails with curl's login error (67)", async (t) => {
    if (!(await requirePeer(t, "curl"))) return;
    const r = await curl([`ftp://ftpuser:wrong@127.0.0.1:${s.port}/`]);
    assert.equal(r.code, 67, r.stderr);
  });
});

// Our server driven by Python's ftplib (a client nobody here wrote).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFile, writeFile, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { requirePeer } from "../support/require-peer.js";
import { runFtplib } from "../support/tools.js";
import { startInteropServer, USER, PASSWORD, type InteropServer } from "../server/helpers/interop-server.js";

// The script prints one JSON object of observations; the test asserts on it.
const SCRIPT = String.raw`
import ftplib, io, json, sys
port, user, pw, passive = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4] == "1"
out = {}
ftp = ftplib.FTP()
ftp.connect("127.0.0.1", port, timeout=10)
out["welcome"] = ftp.getwelcome()[:3]
ftp.login(user, pw)
ftp.set_pasv(passive)
out["pwd"] = ftp.pwd()
out["mkd"] = ftp.mkd("dir with space")
ftp.cwd("dir with space")
out["pwd2"] = ftp.pwd()
payload = bytes(range(256)) * 4000
ftp.storbinary("STOR data.bin", io.BytesIO(payload))
out["size"] = ftp.size("data.bin")
buf = io.BytesIO()
ftp.retrbinary("RETR data.bin", buf.write)
out["roundtrip"] = buf.getvalue() == payload
ftp.storlines("STOR text.txt", io.BytesIO(b"line1\nline2\n"))
lines = []
ftp.retrlines("RETR text.txt", lines.append)
out["lines"] = lines
out["nlst"] = sorted(ftp.nlst())
out["mlsd"] = sorted((name, facts.get("type"), facts.get("size")) for name, facts in ftp.mlsd())
listing = []
ftp.retrlines("LIST", listing.append)
out["list_count"] = len(listing)
ftp.rename("text.txt", "renamed.txt")
out["mdtm"] = ftp.voidcmd("MDTM renamed.txt")[:3]
ftp.delete("renamed.txt")
buf = io.BytesIO()
ftp.retrbinary("RETR data.bin", buf.write, rest=1000)
out["rest"] = buf.getvalue() == payload[1000:]
try:
    ftp.cwd("/missing")
    out["cwd_missing"] = "no error"
except ftplib.error_perm as e:
    out["cwd_missing"] = str(e)[:3]
ftp.cwd("/")
out["feat"] = "MLST" in ftp.sendcmd("FEAT")
out["quit"] = ftp.quit()[:3]
print(json.dumps(out))
`;

describe("interop: Python ftplib against our server", () => {
  let s: InteropServer;
  before(async () => {
    s = await startInteropServer();
  });
  after(() => s.close());

  for (const passive of [true, false]) {
    it(`login, navigation, STOR/RETR (binary and lines), REST, MLSD, LIST, rename, delete — ${passive ? "passive" : "active"}`, async (t) => {
      if (!(await requirePeer(t, "ftplib"))) return;
      const r = await runFtplib(SCRIPT, [String(s.port), USER, PASSWORD, passive ? "1" : "0"], { timeoutMs: 30_000 });
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout) as Record<string, unknown>;
      assert.equal(out.welcome, "220");
      assert.equal(out.pwd, "/");
      assert.equal(out.mkd, "/dir with space");
      assert.equal(out.pwd2, "/dir with space");
      assert.equal(out.size, 1_024_000);
      assert.equal(out.roundtrip, true);
      assert.deepEqual(out.lines, ["line1", "line2"]);
      assert.deepEqual(out.nlst, ["data.bin", "text.txt"]);
      assert.deepEqual(out.mlsd, [
        ["data.bin", "file", "1024000"],
        ["text.txt", "file", "12"],
      ]);
      assert.equal(out.list_count, 2);
      assert.equal(out.mdtm, "213");
      assert.equal(out.rest, true);
      assert.equal(out.cwd_missing, "550");
      assert.equal(out.feat, true);
      assert.equal(out.quit, "221");
      const stored = await readFile(join(s.root, "dir with space", "data.bin"));
      assert.equal(stored.length, 1_024_000);
      // The next run starts from an empty folder.
      const { rm } = await import("node:fs/promises");
      await rm(join(s.root, "dir with space"), { recursive: true });
    });
  }

  it("wrong password → error_perm 530", async (t) => {
    if (!(await requirePeer(t, "ftplib"))) return;
    const script = String.raw`
import ftplib, sys
ftp = ftplib.FTP()
ftp.connect("127.0.0.1", int(sys.argv[1]), timeout=10)
try:
    ftp.login("ftpuser", "wrong")
    print("logged in")
except ftplib.error_perm as e:
    print(str(e)[:3])
`;
    const r = await runFtplib(script, [String(s.port)], { timeoutMs: 15_000 });
    assert.equal(r.stdout.trim(), "530", r.stderr);
  });

  it("downloads a file written on disk, byte-exact", async (t) => {
    if (!(await requirePeer(t, "ftplib"))) return;
    const bytes = randomBytes(300_000);
    await mkdir(join(s.root, "pub"), { recursive: true });
    await writeFile(join(s.root, "pub", "r.bin"), bytes);
    const script = String.raw`
import ftplib, sys, hashlib
ftp = ftplib.FTP()
ftp.connect("127.0.0.1", int(sys.argv[1]), timeout=10)
ftp.login("ftpuser", "ftppass")
h = hashlib.sha256()
ftp.retrbinary("RETR /pub/r.bin", h.update)
print(h.hexdigest())
ftp.quit()
`;
    const r = await runFtplib(script, [String(s.port)], { timeoutMs: 15_000 });
    const { createHash } = await import("node:crypto");
    assert.equal(r.stdout.trim(), createHash("sha256").update(bytes).digest("hex"), r.stderr);
  });
});

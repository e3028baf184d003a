// Our FTPS server driven by real clients: curl (explicit --ssl-reqd and
// implicit ftps://), lftp (ssl-force), Python's ftplib.FTP_TLS (prot_p) and
// basic-ftp. With requireTlsSessionReuse curl, lftp and basic-ftp pass (they
// resume the control session on data connections) and ftplib is refused;
// with it off, ftplib passes. requireTls "all" on every server proves no
// client fell back to clear text.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { Readable, Writable } from "node:stream";
import { Client } from "basic-ftp";
import { requirePeer } from "../support/require-peer.js";
import { makeTestCertificate } from "../support/certs.js";
import { runCommand, runFtplib } from "../support/tools.js";
import { startInteropServer, USER, PASSWORD, type InteropServer } from "../server/helpers/interop-server.js";
import type { FtpServerOptions } from "../../src/server/options.js";

async function ftpsServer(extra: Partial<FtpServerOptions>): Promise<InteropServer> {
  const cert = await makeTestCertificate();
  return startInteropServer({ tls: { key: cert.keyPem, cert: cert.certPem }, requireTls: "all", ...extra });
}

function curl(args: string[]) {
  return runCommand("/usr/bin/curl", ["--silent", "--show-error", "--max-time", "20", "-k", ...args], { timeoutMs: 30_000 });
}

/** Upload, download and list with curl; `base` is ftp://… (explicit, with --ssl-reqd) or ftps://… (implicit). */
async function curlRoundTrip(s: InteropServer, base: string, flags: string[], name: string): Promise<void> {
  const bytes = randomBytes(1_000_003);
  const source = join(s.local, name);
  await writeFile(source, bytes);
  const up = await curl([...flags, "-T", source, `${base}/curl/${name}`, "--ftp-create-dirs"]);
  assert.equal(up.code, 0, up.stderr);
  assert.ok((await readFile(join(s.root, "curl", name))).equals(bytes));
  const down = await curl([...flags, `${base}/curl/${name}`, "-o", "-"]);
  assert.equal(down.code, 0, down.stderr);
  assert.ok(down.stdoutBytes.equals(bytes));
  const list = await curl([...flags, "--list-only", `${base}/curl/`]);
  assert.equal(list.code, 0, list.stderr);
  assert.ok(list.stdout.split(/\r?\n/).includes(name), list.stdout);
}

const FTPLIB_SCRIPT = String.raw`
import ftplib, io, json, ssl, sys
port = int(sys.argv[1])
out = {}
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
ftp = ftplib.FTP_TLS(context=ctx)
ftp.connect("127.0.0.1", port, timeout=10)
ftp.login(sys.argv[2], sys.argv[3])
ftp.prot_p()
out["tls"] = ftp.sock.version()
payload = bytes(range(256)) * 2000
try:
    ftp.storbinary("STOR ftplib.bin", io.BytesIO(payload))
    buf = io.BytesIO()
    ftp.retrbinary("RETR ftplib.bin", buf.write)
    out["roundtrip"] = buf.getvalue() == payload
    out["nlst"] = ftp.nlst()
    out["mlsd"] = sorted(name for name, facts in ftp.mlsd())
except ftplib.all_errors as e:
    out["error"] = str(e)
    if not isinstance(e, ftplib.Error):
        # A TLS failure on the data socket leaves the server's final reply unread.
        try:
            ftp.voidresp()
        except ftplib.Error as reply:
            out["error"] = str(reply)
out["noop"] = ftp.voidcmd("NOOP")[:3]
ftp.quit()
print(json.dumps(out))
`;

function lftp(s: InteropServer, script: string) {
  const settings = [
    "set cmd:fail-exit yes",
    "set ftp:ssl-force true",
    "set ftp:ssl-protect-data true",
    "set ssl:verify-certificate no",
    "set net:max-retries 1",
    "set net:timeout 10",
  ].join("; ");
  return runCommand(
    "/usr/bin/lftp",
    ["-u", `${USER},${PASSWORD}`, "-p", String(s.port), "-e", `${settings}; ${script}; bye`, "127.0.0.1"],
    { timeoutMs: 60_000, env: { HOME: s.local } },
  );
}

for (const reuse of [false, true]) {
  describe(`interop: explicit FTPS server, requireTlsSessionReuse ${reuse ? "on" : "off"}`, () => {
    let s: InteropServer;
    before(async () => {
      s = await ftpsServer({ requireTlsSessionReuse: reuse });
    });
    after(() => s.close());

    it("curl --ssl-reqd -k: upload, download, list (EPSV and PASV)", async (t) => {
      if (!(await requirePeer(t, "curl"))) return;
      await curlRoundTrip(s, s.url, ["--ssl-reqd"], "epsv.bin");
      await curlRoundTrip(s, s.url, ["--ssl-reqd", "--disable-epsv"], "pasv.bin");
    });

    it("curl --ssl-reqd with TLS 1.2 only (--tls-max 1.2)", async (t) => {
      if (!(await requirePeer(t, "curl"))) return;
      await curlRoundTrip(s, s.url, ["--ssl-reqd", "--tlsv1.2", "--tls-max", "1.2"], "tls12.bin");
    });

    it("curl --ssl-reqd --ftp-port: curl < 8.0 sends active-mode data in the clear (curl#10666) and is refused; newer curl passes", async (t) => {
      if (!(await requirePeer(t, "curl"))) return;
      const version = /^curl (\d+)\./.exec((await runCommand("/usr/bin/curl", ["--version"], { timeoutMs: 5000 })).stdout);
      if (Number(version?.[1] ?? 0) >= 8) return curlRoundTrip(s, s.url, ["--ssl-reqd", "--ftp-port", "127.0.0.1"], "port.bin");
      const source = join(s.local, "port.bin");
      await writeFile(source, randomBytes(100_000));
      const up = await curl(["--ssl-reqd", "--ftp-port", "127.0.0.1", "-T", source, `${s.url}/port.bin`]);
      assert.notEqual(up.code, 0, "plaintext under PROT P must not be stored");
      await assert.rejects(readFile(join(s.root, "port.bin")), { code: "ENOENT" });
    });

    it("curl without TLS is refused by requireTls all", async (t) => {
      if (!(await requirePeer(t, "curl"))) return;
      const r = await curl(["--list-only", `${s.url}/`]);
      assert.notEqual(r.code, 0);
    });

    for (const passive of ["on", "off"]) {
      it(`lftp with ftp:ssl-force: put, get, cls (passive-mode ${passive})`, async (t) => {
        if (!(await requirePeer(t, "lftp"))) return;
        const bytes = randomBytes(700_000);
        const dir = `lftp-${passive}`;
        await writeFile(join(s.local, "lftp.bin"), bytes);
        await mkdir(join(s.local, dir), { recursive: true });
        const r = await lftp(
          s,
          `set ftp:passive-mode ${passive}; mkdir -p /${dir}; put -O /${dir} ${join(s.local, "lftp.bin")}; cls -1 /${dir}; get /${dir}/lftp.bin -o ${join(s.local, dir, "lftp.bin")}`,
        );
        assert.equal(r.code, 0, r.stderr + r.stdout);
        assert.match(r.stdout, /lftp\.bin/);
        assert.ok((await readFile(join(s.root, dir, "lftp.bin"))).equals(bytes));
        assert.ok((await readFile(join(s.local, dir, "lftp.bin"))).equals(bytes));
      });
    }

    it(`Python ftplib.FTP_TLS with prot_p(): ${reuse ? "refused (it never resumes sessions)" : "upload, download, list"}`, async (t) => {
      if (!(await requirePeer(t, "ftplib"))) return;
      const r = await runFtplib(FTPLIB_SCRIPT, [String(s.port), USER, PASSWORD], { timeoutMs: 30_000 });
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout) as Record<string, unknown>;
      assert.match(String(out.tls), /^TLSv1\.[23]$/);
      assert.equal(out.noop, "200", "the control connection survives a refused data connection");
      if (reuse) {
        assert.match(String(out.error), /^522 /, String(out.error));
        await assert.rejects(readFile(join(s.root, "ftplib.bin")), { code: "ENOENT" }, "nothing stored through a refused connection");
      } else {
        assert.equal(out.error, undefined, String(out.error));
        assert.equal(out.roundtrip, true);
        assert.ok((out.nlst as string[]).includes("ftplib.bin"), String(out.nlst));
        assert.ok((out.mlsd as string[]).includes("ftplib.bin"), String(out.mlsd));
      }
    });

    it("basic-ftp (secure: true): upload, list, download", async () => {
      const client = new Client(10_000);
      try {
        await client.access({ host: "127.0.0.1", port: s.port, user: USER, password: PASSWORD, secure: true, secureOptions: { rejectUnauthorized: false } });
        const bytes = randomBytes(400_000);
        await client.uploadFrom(Readable.from([bytes]), "basic.bin");
        assert.deepEqual((await client.list()).map((f) => f.name).filter((n) => n === "basic.bin"), ["basic.bin"]);
        const chunks: Buffer[] = [];
        await client.downloadTo(new Writable({ write: (c: Buffer, _e, cb) => (chunks.push(c), cb()) }), "basic.bin");
        assert.ok(Buffer.concat(chunks).equals(bytes));
      } finally {
        client.close();
      }
    });
  });
}

describe("interop: implicit FTPS server", () => {
  let s: InteropServer;
  before(async () => {
    s = await ftpsServer({ secure: "implicit", requireTlsSessionReuse: true });
  });
  after(() => s.close());

  it("curl -k ftps://: upload, download, list", async (t) => {
    if (!(await requirePeer(t, "curl"))) return;
    await curlRoundTrip(s, `ftps://${USER}:${PASSWORD}@127.0.0.1:${s.port}`, [], "implicit.bin");
  });

  it("lftp ftps://: put and cls", async (t) => {
    if (!(await requirePeer(t, "lftp"))) return;
    await writeFile(join(s.local, "imp.txt"), "implicit\n");
    const r = await runCommand(
      "/usr/bin/lftp",
      ["-e", `set ssl:verify-certificate no; set net:max-retries 1; set net:timeout 10; set cmd:fail-exit yes; put -O / ${join(s.local, "imp.txt")}; cls -1 /; bye`, `ftps://${USER}:${PASSWORD}@127.0.0.1:${s.port}`],
      { timeoutMs: 60_000, env: { HOME: s.local } },
    );
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /imp\.txt/);
    assert.equal(await readFile(join(s.root, "imp.txt"), "utf8"), "implicit\n");
  });

  it("basic-ftp (secure: \"implicit\"): upload and download", async () => {
    const client = new Client(10_000);
    try {
      await client.access({ host: "127.0.0.1", port: s.port, user: USER, password: PASSWORD, secure: "implicit", secureOptions: { rejectUnauthorized: false } });
      await client.uploadFrom(Readable.from([Buffer.from("via implicit")]), "bf.txt");
      const chunks: Buffer[] = [];
      await client.downloadTo(new Writable({ write: (c: Buffer, _e, cb) => (chunks.push(c), cb()) }), "bf.txt");
      assert.equal(Buffer.concat(chunks).toString(), "via implicit");
    } finally {
      client.close();
    }
  });
});

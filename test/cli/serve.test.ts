// `ftpwire serve` as a child process, driven by clients nobody here wrote:
// curl and Python's ftplib. Read-only by default, --write, --user, TLS,
// --json-log, and a clean exit on SIGINT.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "node:net";
import { once } from "node:events";
import { requirePeer } from "../support/require-peer.js";
import { runCommand, runFtplib } from "../support/tools.js";
import { makeTestCertificate } from "../support/certs.js";
import { startCli, type CliChild } from "./helpers/cli-process.js";
import { runInProcess as runCli } from "./helpers/in-process.js";

const CURL = "/usr/bin/curl";
const curl = (args: string[]) => runCommand(CURL, ["--silent", "--show-error", "--max-time", "20", ...args], { timeoutMs: 30_000 });

/** Starts `ftpwire serve` on a free port and returns it with the URL it printed. */
async function serve(args: string[]): Promise<{ cli: CliChild; url: string; port: number }> {
  const cli = startCli(["serve", "--port", "0", ...args]);
  const m = await cli.waitFor(/(ftpe?s?):\/\/(?:[^@\s]+@)?127\.0\.0\.1:(\d+)\//);
  return { cli, url: `${m[1]}://127.0.0.1:${m[2]}/`, port: Number(m[2]) };
}

async function stop(cli: CliChild): Promise<number | null> {
  cli.child.kill("SIGINT");
  return cli.exited();
}

// ftplib: tries a write and a read, prints what came back.
const FTPLIB_SCRIPT = String.raw`
import ftplib, io, json, sys
port, user, pw = int(sys.argv[1]), sys.argv[2], sys.argv[3]
out = {}
ftp = ftplib.FTP()
ftp.connect("127.0.0.1", port, timeout=10)
try:
    ftp.login(user, pw)
except ftplib.error_perm as e:
    print(json.dumps({"login": str(e)[:3]})); sys.exit(0)
out["login"] = "ok"
out["nlst"] = sorted(ftp.nlst())
buf = io.BytesIO()
ftp.retrbinary("RETR hello.txt", buf.write)
out["hello"] = buf.getvalue().decode()
for name, call in [("stor", lambda: ftp.storbinary("STOR up.txt", io.BytesIO(b"uploaded\n"))),
                   ("mkd", lambda: ftp.mkd("newdir")),
                   ("dele", lambda: ftp.delete("hello.txt"))]:
    try:
        call(); out[name] = "ok"
    except ftplib.error_perm as e:
        out[name] = str(e)[:3]
ftp.quit()
print(json.dumps(out))
`;

describe("ftpwire serve", () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), "ftpwire-cli-serve-"));
  });
  after(() => rm(root, { recursive: true, force: true }));

  async function folder(name: string): Promise<string> {
    const dir = join(root, name);
    await mkdir(dir);
    await writeFile(join(dir, "hello.txt"), "hello\n");
    return dir;
  }

  it("serves a folder anonymously and read-only, refuses writes with 550/553, and exits 0 on SIGINT", async (t) => {
    if (!(await requirePeer(t, "curl")) || !(await requirePeer(t, "ftplib"))) return;
    const dir = await folder("ro");
    const { cli, url, port } = await serve([dir]);
    assert.match(cli.stdout(), /anonymous, read-only/);
    const list = await curl([url]);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /hello\.txt/);
    const get = await curl([`${url}hello.txt`]);
    assert.equal(get.stdout, "hello\n");
    const put = await curl(["-T", join(dir, "hello.txt"), `${url}copy.txt`]);
    assert.notEqual(put.code, 0);
    assert.match(put.stderr, /55[03]/);
    const py = await runFtplib(FTPLIB_SCRIPT, [String(port), "anonymous", "guest@"]);
    assert.equal(py.code, 0, py.stderr);
    const seen = JSON.parse(py.stdout) as Record<string, unknown>;
    assert.equal(seen.login, "ok");
    assert.deepEqual(seen.nlst, ["hello.txt"]);
    assert.equal(seen.hello, "hello\n");
    for (const op of ["stor", "mkd", "dele"]) assert.match(String(seen[op]), /^55[03]$/, `${op} must be refused`);
    assert.equal(await readFile(join(dir, "hello.txt"), "utf8"), "hello\n");
    await cli.waitFor(/download \/hello\.txt 6 B/);
    assert.equal(await stop(cli), 0, cli.stderr());
    assert.match(cli.stdout(), /SIGINT: closing/);
    // The port is closed once the command has exited.
    const probe = connect({ host: "127.0.0.1", port });
    const [error] = (await once(probe, "error")) as [NodeJS.ErrnoException];
    assert.equal(error.code, "ECONNREFUSED");
  });

  it("--write with --user: anonymous is refused, the user uploads, mkdirs and deletes", async (t) => {
    if (!(await requirePeer(t, "curl")) || !(await requirePeer(t, "ftplib"))) return;
    const dir = await folder("rw");
    const { cli, port, url } = await serve(["-w", "--user", "alice:s3cret", "--user", "bob:other", "--json-log", dir]);
    try {
      const anon = await runFtplib(FTPLIB_SCRIPT, [String(port), "anonymous", "x@"]);
      assert.deepEqual(JSON.parse(anon.stdout), { login: "530" });
      const wrong = await runFtplib(FTPLIB_SCRIPT, [String(port), "alice", "nope"]);
      assert.deepEqual(JSON.parse(wrong.stdout), { login: "530" });
      const py = await runFtplib(FTPLIB_SCRIPT, [String(port), "alice", "s3cret"]);
      const seen = JSON.parse(py.stdout) as Record<string, unknown>;
      assert.deepEqual([seen.login, seen.stor, seen.mkd, seen.dele], ["ok", "ok", "ok", "ok"], py.stdout);
      assert.equal(await readFile(join(dir, "up.txt"), "utf8"), "uploaded\n");
      const up = await curl(["-u", "bob:other", "-T", join(dir, "up.txt"), `${url}by-curl.txt`]);
      assert.equal(up.code, 0, up.stderr);
      assert.equal(await readFile(join(dir, "by-curl.txt"), "utf8"), "uploaded\n");
      await cli.waitFor(/"event":"upload".*by-curl/);
    } finally {
      assert.equal(await stop(cli), 0);
    }
    const events = cli.stdout().trim().split("\n").map((l) => JSON.parse(l) as { event: string; user?: string; path?: string });
    assert.equal(events[0]!.event, "listening");
    assert.ok(events.some((e) => e.event === "login" && e.user === "alice"));
    assert.ok(events.some((e) => e.event === "loginFailed"));
    assert.ok(events.some((e) => e.event === "upload" && e.path === "/up.txt"));
    assert.ok(events.some((e) => e.event === "mkdir" && e.path === "/newdir"));
    assert.ok(events.some((e) => e.event === "delete" && e.path === "/hello.txt"));
    assert.ok(events.some((e) => e.event === "disconnect"));
    assert.doesNotMatch(cli.stdout(), /s3cret/);
  });

  it("lftp and tnftp log in, list, download, and upload with -w", async (t) => {
    if (!(await requirePeer(t, "lftp")) || !(await requirePeer(t, "tnftp"))) return;
    const dir = await folder("lftp-tnftp");
    const { cli, port } = await serve(["-w", dir]);
    try {
      const lftp = await runCommand("/usr/bin/lftp", ["-u", "anonymous,x@", "-e", `set ftp:passive-mode on; set net:max-retries 1; ls; get hello.txt -o ${join(root, "lftp-got.txt")}; put ${join(dir, "hello.txt")} -o by-lftp.txt; bye`, `ftp://127.0.0.1:${port}`], { timeoutMs: 30_000 });
      assert.equal(lftp.code, 0, lftp.stderr);
      assert.match(lftp.stdout, /hello\.txt/);
      assert.equal(await readFile(join(root, "lftp-got.txt"), "utf8"), "hello\n");
      assert.equal(await readFile(join(dir, "by-lftp.txt"), "utf8"), "hello\n");
      const tnftp = await runCommand("/usr/bin/tnftp", ["-n", "-v", "127.0.0.1", String(port)], {
        input: `user anonymous x@\nls\nput ${join(dir, "hello.txt")} by-tnftp.txt\nbye\n`,
        timeoutMs: 30_000,
      });
      assert.equal(tnftp.code, 0, tnftp.stderr);
      assert.match(tnftp.stdout, /^230 /m);
      assert.match(tnftp.stdout, /^226 /m);
      assert.equal(await readFile(join(dir, "by-tnftp.txt"), "utf8"), "hello\n");
    } finally {
      await stop(cli);
    }
  });

  it("--users file with a hash from `ftpwire hash-password`", async (t) => {
    if (!(await requirePeer(t, "ftplib"))) return;
    const dir = await folder("hashed");
    const hashed = await runCli(["hash-password"], { input: "correct horse\n" });
    assert.equal(hashed.code, 0, hashed.stderr);
    assert.match(hashed.stdout, /^scrypt\$16384\$8\$1\$\S+\$\S+\n$/);
    const file = join(root, "users.json");
    await writeFile(file, JSON.stringify({ carol: { password: hashed.stdout.trim(), write: true } }));
    const { cli, port } = await serve(["--users", file, dir]);
    try {
      const ok = JSON.parse((await runFtplib(FTPLIB_SCRIPT, [String(port), "carol", "correct horse"])).stdout) as Record<string, unknown>;
      assert.equal(ok.login, "ok");
      assert.equal(ok.stor, "ok");
      const bad = JSON.parse((await runFtplib(FTPLIB_SCRIPT, [String(port), "carol", "correct"])).stdout) as Record<string, unknown>;
      assert.equal(bad.login, "530");
    } finally {
      await stop(cli);
    }
  });

  it("explicit FTPS with --tls-cert/--tls-key, and --require-tls refuses a clear-text login", async (t) => {
    if (!(await requirePeer(t, "curl"))) return;
    const dir = await folder("tls");
    const cert = await makeTestCertificate();
    const { cli, url } = await serve(["--tls-cert", cert.certFile, "--tls-key", cert.keyFile, "--require-tls", "--pasv-range", "41000-41100", dir]);
    try {
      assert.match(url, /^ftpes:/);
      const plain = url.replace(/^ftpes/, "ftp");
      const secure = await curl(["--ssl-reqd", "--cacert", cert.certFile, `${plain}hello.txt`]);
      assert.equal(secure.code, 0, secure.stderr);
      assert.equal(secure.stdout, "hello\n");
      const clear = await curl([`${plain}hello.txt`]);
      assert.notEqual(clear.code, 0);
      assert.match(clear.stderr, /530|access denied|denied/i);
    } finally {
      await stop(cli);
    }
  });

  it("implicit FTPS with --implicit-tls: ftps:// URL, TLS from the first byte", async (t) => {
    if (!(await requirePeer(t, "curl"))) return;
    const dir = await folder("implicit");
    const cert = await makeTestCertificate();
    const { cli, url } = await serve(["--tls-cert", cert.certFile, "--tls-key", cert.keyFile, "--implicit-tls", dir]);
    try {
      assert.match(url, /^ftps:/);
      const got = await curl(["--cacert", cert.certFile, `${url}hello.txt`]);
      assert.equal(got.code, 0, got.stderr);
      assert.equal(got.stdout, "hello\n");
    } finally {
      await stop(cli);
    }
  });

  it("bad arguments exit 1 with a clear line; a missing folder exits 5", async () => {
    const badPort = await runCli(["serve", "--port", "http"]);
    assert.equal(badPort.code, 1);
    assert.match(badPort.stderr, /--port must be a whole number/);
    const unknown = await runCli(["serve", "--bogus"]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /Unknown option '--bogus'/);
    const missing = await runCli(["serve", join(root, "does-not-exist")]);
    assert.equal(missing.code, 5);
    assert.match(missing.stderr, /cannot serve .*ENOENT/);
    const tlsHalf = await runCli(["serve", "--require-tls"]);
    assert.equal(tlsHalf.code, 1);
    const help = await runCli(["serve", "--help"]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /--pasv-range LOW-HIGH/);
  });
});

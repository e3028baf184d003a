// `ftpwire open` with commands on stdin and no terminal: the lines run in
// order, the output is ftp(1)'s, and -e stops at the first failure with its
// exit code. In-process against our server (fast), and once against a real
// peer (pure-ftpd).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile, mkdir, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { startInteropServer, USER, PASSWORD, type InteropServer } from "../server/helpers/interop-server.js";
import { makeTestCertificate } from "../support/certs.js";
import { startPeer } from "../support/peers/index.js";
import { requirePeer } from "../support/require-peer.js";
import { runInProcess } from "./helpers/in-process.js";

const script = (...lines: string[]) => lines.join("\n") + "\n";

describe("ftpwire open, scripted (stdin is not a terminal)", () => {
  let s: InteropServer;
  let home: string;
  before(async () => {
    s = await startInteropServer();
    home = await mkdtemp(join(tmpdir(), "ftpwire-cli-home-"));
    await writeFile(join(s.root, "hello.txt"), "hello\n");
    await mkdir(join(s.root, "pub"));
    await writeFile(join(s.root, "pub", "one.log"), "1\n");
    await writeFile(join(s.root, "pub", "two.log"), "22\n");
    await writeFile(join(s.root, "pub", "skip.txt"), "x\n");
  });
  after(async () => {
    await s.close();
    await rm(home, { recursive: true, force: true });
  });
  const run = (args: string[], input: string, env: NodeJS.ProcessEnv = {}) => runInProcess(args, { input, cwd: s.local, env: { HOME: home, ...env } });

  it("runs the commands in order and prints what ftp(1) prints (quiet: results and errors only)", async () => {
    await writeFile(join(s.local, "up.txt"), "uploaded\n");
    const r = await run(["open", s.url], script(
      "pwd", "ls", "get hello.txt", "put up.txt", "mkdir made", "cd made", "pwd", "cdup",
      "size hello.txt", "rename up.txt moved.txt", "nlist", "delete moved.txt", "get missing.txt", "quote NOOP", "bye",
    ));
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split("\n");
    assert.equal(lines[0], "Connected to 127.0.0.1.");
    assert.equal(lines[1], "Remote directory: /");
    assert.match(r.stdout, /^-rw\S+\s+1 \S+\s+\S+\s+6 .* hello\.txt$/m);
    assert.match(r.stdout, /^Remote directory: \/made$/m);
    assert.match(r.stdout, /^hello\.txt\t6$/m);
    assert.match(r.stdout, /^550 /m, "the failed get shows the server's reply");
    assert.match(r.stdout, /^200 /m, "quote prints its reply");
    assert.deepEqual(r.stdout.match(/^(hello\.txt|made|moved\.txt|pub)$/gm), ["hello.txt", "made", "moved.txt", "pub"]);
    assert.equal(await readFile(join(s.local, "hello.txt"), "utf8"), "hello\n");
    await assert.rejects(stat(join(s.root, "moved.txt")), { code: "ENOENT" });
    assert.ok((await stat(join(s.root, "made"))).isDirectory());
    await assert.rejects(stat(join(s.local, "missing.txt")), { code: "ENOENT" }, "a failed get leaves no empty local file");
  });

  it("-v prints every reply in wire order: 229 and 150 before the listing, 226 after it", async () => {
    const r = await run(["open", "-v", s.url], script("ls pub", "get hello.txt copy.txt", "bye"));
    assert.equal(r.code, 0);
    const out = r.stdout;
    const at = (re: RegExp) => out.search(re);
    assert.ok(at(/^220 /m) > at(/^Connected to/m));
    assert.ok(at(/^230 /m) > 0);
    assert.ok(at(/^229 /m) < at(/^150 /m) && at(/^150 /m) < at(/one\.log$/m) && at(/one\.log$/m) < at(/^226 /m), out);
    assert.match(out, /^local: copy\.txt remote: hello\.txt$/m);
    assert.match(out, /^6 bytes received in \d\d:\d\d \(\d+\.\d\d (B|KiB|MiB)\/s\)$/m);
    assert.match(out, /^221 /m);
    assert.doesNotMatch(out, /^211/m, "the FEAT of the login is housekeeping, not shown");
  });

  it("mget and mput expand globs; reget resumes; append appends; hash prints marks", async () => {
    await writeFile(join(s.local, "a.dat"), randomBytes(3000));
    await writeFile(join(s.local, "b.dat"), randomBytes(10));
    await writeFile(join(s.root, "big.bin"), Buffer.alloc(5000, 7));
    await writeFile(join(s.local, "big.bin"), Buffer.alloc(1000, 7));
    await writeFile(join(s.local, "tail.txt"), "tail\n");
    const r = await run(["open", s.url], script("mget pub/*.log", "mput *.dat", "reget big.bin", "hash 1000", "append tail.txt hello2.txt", "append tail.txt hello2.txt", "get big.bin big2.bin", "bye"));
    assert.equal(r.code, 0, r.stdout);
    assert.equal(await readFile(join(s.local, "one.log"), "utf8"), "1\n");
    assert.equal(await readFile(join(s.local, "two.log"), "utf8"), "22\n");
    await assert.rejects(stat(join(s.local, "skip.txt")));
    assert.deepEqual(await readFile(join(s.root, "a.dat")), await readFile(join(s.local, "a.dat")));
    assert.equal((await stat(join(s.root, "b.dat"))).size, 10);
    assert.deepEqual(await readFile(join(s.local, "big.bin")), Buffer.alloc(5000, 7));
    assert.equal(await readFile(join(s.root, "hello2.txt"), "utf8"), "tail\ntail\n");
    assert.match(r.stdout, /^#####$/m, "5000 bytes at 1000 per mark");
  });

  it("-e stops at the first failure with its exit code; without -e the script goes on", async () => {
    const stopped = await run(["open", "-e", s.url], script("get nothing-here", "mkdir after-failure", "bye"));
    assert.equal(stopped.code, 4);
    await assert.rejects(stat(join(s.root, "after-failure")), { code: "ENOENT" });
    const goesOn = await run(["open", s.url], script("get nothing-here", "mkdir after-failure", "bye"));
    assert.equal(goesOn.code, 0);
    assert.ok((await stat(join(s.root, "after-failure"))).isDirectory());
    const refused = await run(["open", "-e", `ftp://${USER}:wrong@127.0.0.1:${s.port}`], script("ls"));
    assert.equal(refused.code, 3);
    assert.match(refused.stdout, /^530 .*\nLogin failed\.$/m);
    const notConnected = await run(["open", "-e"], script("ls"));
    assert.equal(notConnected.code, 2);
    assert.match(notConnected.stdout, /^Not connected\.$/m);
    const badCommand = await run(["open", "-e", s.url], script("frobnicate", "bye"));
    assert.equal(badCommand.code, 1);
    assert.match(badCommand.stdout, /^\?Invalid command\.$/m);
    const usage = await run(["open", "-e", s.url], script("get"));
    assert.equal(usage.code, 1);
    assert.match(usage.stdout, /^usage: get remote-file \[local-file\]$/m);
    const local = await run(["open", "-e", s.url], script("put no-such-local-file"));
    assert.equal(local.code, 5);
    const refusedConnect = await run(["open", "-e", "127.0.0.1:1"], script("ls"));
    assert.equal(refusedConnect.code, 2);
    assert.match(refusedConnect.stdout, /ECONNREFUSED/);
  });

  it("URL forms: the URL's path is the first directory; user@host:port takes the password from ~/.netrc or $FTPWIRE_PASSWORD", async () => {
    const withPath = await run(["open", `${s.url}/pub`], script("pwd"));
    assert.match(withPath.stdout, /^Remote directory: \/pub$/m);
    const netrcHome = await mkdtemp(join(tmpdir(), "ftpwire-cli-netrc-"));
    try {
      await writeFile(join(netrcHome, ".netrc"), `# a comment\nmachine other.example login x password y\nmachine 127.0.0.1\n  login ${USER}\n  password ${PASSWORD}\n`);
      const byNetrc = await run(["open", `127.0.0.1:${s.port}`], script("pwd"), { HOME: netrcHome });
      assert.match(byNetrc.stdout, /^Remote directory: \/$/m, byNetrc.stdout);
      const userGiven = await run(["open", `${USER}@127.0.0.1:${s.port}`], script("pwd"), { HOME: netrcHome });
      assert.match(userGiven.stdout, /^Remote directory: \/$/m);
      const byHostAndPort = await run(["open", "127.0.0.1", String(s.port)], script("pwd"), { HOME: netrcHome });
      assert.match(byHostAndPort.stdout, /^Remote directory: \/$/m);
    } finally {
      await rm(netrcHome, { recursive: true, force: true });
    }
    const byEnv = await run(["open", `${USER}@127.0.0.1:${s.port}`], script("pwd"), { FTPWIRE_PASSWORD: PASSWORD });
    assert.match(byEnv.stdout, /^Remote directory: \/$/m);
    const noPassword = await run(["open", "-e", `${USER}@127.0.0.1:${s.port}`], "");
    assert.equal(noPassword.code, 3, "no password anywhere: the (empty) stdin line is the password, and it is refused");
  });

  it("-n and the user command (password on the next line, as ftp(1) reads it)", async () => {
    const r = await run(["open", "-n", "-e", `127.0.0.1:${s.port}`], script(`user ${USER}`, PASSWORD, "pwd", "bye"));
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, /^Remote directory: \/$/m);
    const inline = await run(["-e", "-n", `127.0.0.1:${s.port}`], script(`user ${USER} ${PASSWORD}`, "close", "pwd"));
    assert.equal(inline.code, 2, "after close, commands fail with Not connected");
  });

  it("lcd, !command, newer, modtime, chmod and mdelete", async () => {
    await mkdir(join(s.local, "sub"), { recursive: true });
    await writeFile(join(s.root, "m1.tmp"), "1");
    await writeFile(join(s.root, "m2.tmp"), "2");
    await writeFile(join(s.root, "keep.txt"), "k");
    const r = await run(["open", "-e", s.url], script(
      "lcd sub", "!pwd", "newer hello.txt", "newer hello.txt", "modtime hello.txt", "chmod 600 keep.txt", "mdelete *.tmp", "nlist", "bye",
    ));
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, new RegExp(`^Local directory now: ${join(s.local, "sub")}$`, "m"));
    assert.match(r.stdout, new RegExp(`^${join(s.local, "sub")}$`, "m"), "!pwd runs in the local directory");
    assert.equal(await readFile(join(s.local, "sub", "hello.txt"), "utf8"), "hello\n", "the first newer fetched it");
    assert.match(r.stdout, /^Local file "hello\.txt" is newer than remote file "hello\.txt"\.$/m);
    assert.match(r.stdout, /^hello\.txt\t\d\d\/\d\d\/\d{4} \d\d:\d\d:\d\d GMT$/m);
    assert.equal((await stat(join(s.root, "keep.txt"))).mode & 0o777, 0o600);
    await assert.rejects(stat(join(s.root, "m1.tmp")));
    await assert.rejects(stat(join(s.root, "m2.tmp")));
    assert.doesNotMatch(r.stdout, /^m1\.tmp$/m);
  });

  it("prompt on: mget asks per file and reads the answers from the next lines", async () => {
    const r = await run(["open", "-e", s.url], script("lcd .", "prompt", "mget pub/*.log", "n", "y", "bye"));
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, /^Interactive mode on\.$/m);
    await rm(join(s.local, "one.log"), { force: true });
    await rm(join(s.local, "two.log"), { force: true });
    const again = await run(["open", "-e", s.url], script("prompt", "mget pub/*.log", "n", "y", "bye"));
    assert.equal(again.code, 0);
    await assert.rejects(stat(join(s.local, "one.log")), "answered n");
    assert.equal(await readFile(join(s.local, "two.log"), "utf8"), "22\n", "answered y");
  });

  it("toggles and help: status reflects them, help [cmd] describes a command", async () => {
    const r = await run(["open", s.url], script("verbose", "hash", "prompt", "binary", "ascii", "status", "help get", "help", "bin", "bye"));
    assert.match(r.stdout, /^Verbose mode on\.$/m);
    assert.match(r.stdout, /^Hash mark printing on \(1024 bytes\/hash mark\)\.$/m);
    assert.match(r.stdout, /^Using ascii mode to transfer files\.$/m);
    assert.match(r.stdout, /^Mode: stream; Type: ascii; Structure: file\.$/m);
    assert.match(r.stdout, /^get\/recv\t\treceive file\n\tusage: get remote-file \[local-file\]$/m);
    assert.match(r.stdout, /^Commands may be abbreviated/m);
    assert.match(r.stdout, /^Using binary mode to transfer files\.$/m, "bin is binary");
  });

  it("passive off reconnects in active mode and keeps the directory", async () => {
    const r = await run(["open", "-e", "-d", s.url], script("cd pub", "passive", "ls", "pwd", "bye"));
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, /^Passive mode: off\.$/m);
    assert.match(r.stdout, /^---> EPRT /m);
    assert.match(r.stdout, /one\.log$/m);
    assert.match(r.stdout, /^Remote directory: \/pub$/m);
    assert.doesNotMatch(r.stdout, new RegExp(PASSWORD), "debug output hides the password");
  });

  it("ftpes:// with --ca against a TLS server", async () => {
    const cert = await makeTestCertificate();
    const tls = await startInteropServer({ tls: { key: cert.keyPem, cert: cert.certPem }, requireTls: "all" });
    try {
      await writeFile(join(tls.root, "secret.txt"), "s\n");
      const url = `ftpes://${USER}:${PASSWORD}@127.0.0.1:${tls.port}`;
      const r = await run(["open", "-e", "--ca", cert.certFile, url], script("ls", "get secret.txt", "status"));
      assert.equal(r.code, 0, r.stdout);
      assert.match(r.stdout, /secret\.txt$/m);
      assert.match(r.stdout, /^TLS: TLSv1\.[23], data protected\.$/m);
      const unverified = await run(["open", "-e", url], script("ls"));
      assert.equal(unverified.code, 2);
      assert.match(unverified.stdout, /certificate/i);
    } finally {
      await tls.close();
    }
  });

  it("drives a real pure-ftpd the same way", async (t) => {
    if (!(await requirePeer(t, "pure-ftpd"))) return;
    const peer = await startPeer("pure-ftpd", { files: { "peer.txt": "from pure-ftpd\n" } });
    try {
      await writeFile(join(s.local, "to-peer.txt"), "to the peer\n");
      const url = `ftp://${peer.user}:${peer.password}@${peer.host}:${peer.port}`;
      const r = await run(["open", "-e", url], script("ls", "get peer.txt", "put to-peer.txt", "size to-peer.txt", "mkdir sub", "rmdir sub", "bye"));
      assert.equal(r.code, 0, r.stdout);
      assert.match(r.stdout, /peer\.txt$/m);
      assert.equal(await readFile(join(s.local, "peer.txt"), "utf8"), "from pure-ftpd\n");
      assert.equal(await readFile(join(peer.root, "to-peer.txt"), "utf8"), "to the peer\n");
      assert.match(r.stdout, /^to-peer\.txt\t12$/m);
    } finally {
      await peer.stop();
    }
  });
});

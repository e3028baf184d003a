// The one-shot commands (ls, stat, cat, get, put, rm, mkdir, mv, mirror)
// in-process against our server: results, JSON output, exit codes and the
// one-line messages for bad URLs, refused logins and missing files.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { startInteropServer, USER, PASSWORD, type InteropServer } from "../server/helpers/interop-server.js";
import { runInProcess } from "./helpers/in-process.js";

describe("ftpwire one-shot commands", () => {
  let s: InteropServer;
  let home: string;
  before(async () => {
    s = await startInteropServer();
    home = await mkdtemp(join(tmpdir(), "ftpwire-cli-oneshot-"));
    await writeFile(join(s.root, "hello.txt"), "hello\n");
    await mkdir(join(s.root, "docs"));
  });
  after(async () => {
    await s.close();
    await rm(home, { recursive: true, force: true });
  });
  const run = (args: string[], env: NodeJS.ProcessEnv = {}) => runInProcess(args, { cwd: s.local, env: { HOME: home, ...env } });

  it("ls, ls -l and ls --json", async () => {
    const names = await run(["ls", `${s.url}/`]);
    assert.equal(names.code, 0, names.stderr);
    assert.deepEqual(names.stdout.trim().split("\n").sort(), ["docs/", "hello.txt"]);
    const long = await run(["ls", "-l", `${s.url}/`]);
    assert.match(long.stdout, /^-\S+\s+.*\s6 .* hello\.txt$/m);
    const json = JSON.parse((await run(["ls", "--json", s.url])).stdout) as Array<{ name: string; type: string; size: number | null; modifiedAt: string | null }>;
    const hello = json.find((e) => e.name === "hello.txt");
    assert.equal(hello?.type, "file");
    assert.equal(hello?.size, 6);
    assert.ok(hello?.modifiedAt && !Number.isNaN(Date.parse(hello.modifiedAt)));
  });

  it("stat and stat --json, cat and get to stdout", async () => {
    const text = await run(["stat", `${s.url}/hello.txt`]);
    assert.match(text.stdout, /^type\s+file$/m);
    assert.match(text.stdout, /^size\s+6$/m);
    const json = JSON.parse((await run(["stat", "--json", `${s.url}/docs`])).stdout) as { type: string };
    assert.equal(json.type, "directory");
    assert.equal((await run(["cat", `${s.url}/hello.txt`])).stdout, "hello\n");
    assert.equal((await run(["get", `${s.url}/hello.txt`, "-"])).stdout, "hello\n");
  });

  it("put, get (into a folder, and --resume), mv, mkdir -p, rm and rm -r", async () => {
    const bytes = randomBytes(200_000);
    await writeFile(join(s.local, "blob.bin"), bytes);
    assert.equal((await run(["put", "blob.bin", `${s.url}/docs/`])).code, 0);
    assert.deepEqual(await readFile(join(s.root, "docs", "blob.bin")), bytes);
    await mkdir(join(s.local, "into"));
    assert.equal((await run(["get", `${s.url}/docs/blob.bin`, "into"])).code, 0);
    assert.deepEqual(await readFile(join(s.local, "into", "blob.bin")), bytes);
    await writeFile(join(s.local, "partial.bin"), bytes.subarray(0, 5000));
    assert.equal((await run(["get", "--resume", `${s.url}/docs/blob.bin`, "partial.bin"])).code, 0);
    assert.deepEqual(await readFile(join(s.local, "partial.bin")), bytes);
    assert.equal((await run(["mv", `${s.url}/docs/blob.bin`, "/docs/moved.bin"])).code, 0);
    assert.ok((await stat(join(s.root, "docs", "moved.bin"))).isFile());
    assert.equal((await run(["mkdir", "-p", `${s.url}/a/b/c`])).code, 0);
    assert.ok((await stat(join(s.root, "a", "b", "c"))).isDirectory());
    assert.equal((await run(["rm", `${s.url}/docs/moved.bin`])).code, 0);
    await assert.rejects(stat(join(s.root, "docs", "moved.bin")));
    assert.equal((await run(["rm", "-r", `${s.url}/a`])).code, 0);
    await assert.rejects(stat(join(s.root, "a")));
  });

  it("exit codes and one-line messages: 4 missing remote file, 3 refused login, 2 no server, 1 bad URL, 5 missing local file", async () => {
    const missing = await run(["get", `${s.url}/nope.txt`]);
    assert.equal(missing.code, 4);
    assert.match(missing.stderr, /550/);
    assert.equal(missing.stderr.trim().split("\n").length, 1);
    await assert.rejects(stat(join(s.local, "nope.txt")));
    const refused = await run(["ls", `ftp://${USER}:wrong@127.0.0.1:${s.port}/`]);
    assert.equal(refused.code, 3);
    assert.match(refused.stderr, /^login refused for ftpuser at 127\.0\.0\.1:\d+: 530 /);
    assert.doesNotMatch(refused.stderr, /wrong/);
    const noServer = await run(["ls", "ftp://127.0.0.1:1/"]);
    assert.equal(noServer.code, 2);
    assert.match(noServer.stderr, /^cannot connect to 127\.0\.0\.1:1: .*ECONNREFUSED/);
    const badUrl = await run(["ls", "http://example.com/"]);
    assert.equal(badUrl.code, 1);
    assert.match(badUrl.stderr, /Unsupported URL scheme "http:"/);
    const localMissing = await run(["put", "no-such-file", `${s.url}/x`]);
    assert.equal(localMissing.code, 5);
    assert.match(localMissing.stderr, /ENOENT/);
    const usage = await run(["get"]);
    assert.equal(usage.code, 1);
    assert.match(usage.stderr, /usage: ftpwire get/);
  });

  it("takes the password from $FTPWIRE_PASSWORD or ~/.netrc", async () => {
    const url = `ftp://${USER}@127.0.0.1:${s.port}/hello.txt`;
    assert.equal((await run(["cat", url], { FTPWIRE_PASSWORD: PASSWORD })).stdout, "hello\n");
    await writeFile(join(home, ".netrc"), `machine 127.0.0.1 login ${USER} password ${PASSWORD}\n`);
    try {
      assert.equal((await run(["cat", url])).stdout, "hello\n");
      assert.equal((await run(["cat", `ftp://127.0.0.1:${s.port}/hello.txt`])).stdout, "hello\n", "the login comes from .netrc too");
    } finally {
      await rm(join(home, ".netrc"));
    }
  });

  it("mirror up and down with --parallel, --dry-run copies nothing, sync-only options are refused", async () => {
    const tree = join(s.local, "tree");
    await mkdir(join(tree, "sub", "deeper"), { recursive: true });
    const files: Record<string, Buffer> = { "a.txt": randomBytes(100), "sub/b.bin": randomBytes(70_000), "sub/deeper/c.txt": randomBytes(3) };
    for (const [p, b] of Object.entries(files)) await writeFile(join(tree, p), b);
    const dry = await run(["mirror", "--dry-run", tree, `${s.url}/mirrored`]);
    assert.equal(dry.code, 0, dry.stderr);
    assert.equal(dry.stdout.trim().split("\n").length, 3);
    await assert.rejects(stat(join(s.root, "mirrored")), "a dry run copies nothing");
    const up = await run(["mirror", "--parallel", "3", tree, `${s.url}/mirrored`]);
    assert.equal(up.code, 0, up.stderr);
    assert.match(up.stdout, /^3 files, 70103 bytes sent$/m);
    for (const [p, b] of Object.entries(files)) assert.deepEqual(await readFile(join(s.root, "mirrored", p)), b);
    const down = await run(["mirror", "-P", "2", `${s.url}/mirrored`, "back"]);
    assert.equal(down.code, 0, down.stderr);
    for (const [p, b] of Object.entries(files)) assert.deepEqual(await readFile(join(s.local, "back", p)), b);
    const refused = await run(["mirror", "--delete", tree, `${s.url}/mirrored`]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /--delete is not available yet/);
    const twoLocal = await run(["mirror", tree, "elsewhere"]);
    assert.equal(twoLocal.code, 1);
  });

  it("--help for every command, and for every shell command", async () => {
    const main = await run(["--help"]);
    assert.equal(main.code, 0);
    const names = [...main.stdout.matchAll(/^ {2}([a-z-]+) {2,}/gm)].map((m) => m[1]!);
    assert.ok(names.length >= 12, main.stdout);
    for (const name of names) {
      const help = await run([name, "--help"]);
      assert.equal(help.code, 0, `${name} --help`);
      assert.match(help.stdout, new RegExp(`^ftpwire ${name} — `), name);
      assert.match(help.stdout, /^Usage:\n {2}ftpwire /m, name);
      assert.match(help.stdout, /-h, --help/, name);
    }
    const version = await run(["--version"]);
    assert.match(version.stdout, /^ftpwire \d+\.\d+\.\d+/);
    const none = await run([]);
    assert.equal(none.code, 1, "no command is a usage error");
    const unknown = await run(["frobnicate"]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /unknown command "frobnicate"/);
  });
});

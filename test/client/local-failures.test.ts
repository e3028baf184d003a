// Every local failure of a client call is a typed FtpLocalError with the
// original error as `cause` (issue 12: an upload from a missing file
// rejected with Node's raw ENOENT, while README and docs/errors.md say every
// error is an FtpError). Real files in a temp folder, a real loopback server;
// after each failure the session still works.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { Client, createServer, FtpLocalError, MemoryFileSystem } from "../../src/index.js";

async function withClient(body: (client: Client, local: string, fileSystem: MemoryFileSystem) => Promise<void>): Promise<void> {
  const local = await mkdtemp(join(tmpdir(), "ftpwire-local-"));
  const fileSystem = new MemoryFileSystem({ "/remote.bin": Buffer.alloc(64 * 1024, 1) });
  const server = createServer({ authenticate: () => ({ fileSystem }) });
  const { port } = await server.listen({ host: "127.0.0.1", port: 0 });
  const client = await Client.connect({ host: "127.0.0.1", port, user: "u", password: "p" });
  try {
    await body(client, local, fileSystem);
    assert.equal(await client.pwd(), "/", "the session goes on");
  } finally {
    await client.close();
    await server.close({ graceMs: 0 });
    await rm(local, { recursive: true, force: true });
  }
}

function localError(localCode: string | undefined, path: string | undefined, message: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof FtpLocalError, `got ${String(error)}`);
    assert.equal(error.code, "ERR_FTP_LOCAL");
    assert.equal(error.localCode, localCode);
    assert.equal(error.path, path);
    assert.equal(error.replyCode, undefined);
    assert.ok(error.cause !== undefined, "the original error is kept");
    assert.match(error.message, message);
    return true;
  };
}

test("an upload from a missing local file rejects with ERR_FTP_LOCAL (ENOENT) before anything is sent", async () => {
  await withClient(async (client, local, fileSystem) => {
    const missing = join(local, "missing.txt");
    const commands: string[] = [];
    client.on("command", (line) => commands.push(line));
    await assert.rejects(client.upload(missing, "/x.txt"), localError("ENOENT", missing, /Cannot read .*missing\.txt: ENOENT/));
    assert.deepEqual(commands, [], "no command went out");
    await assert.rejects(fileSystem.stat("/x.txt"));
  });
});

test("an upload from a folder rejects with ERR_FTP_LOCAL (EISDIR)", async () => {
  await withClient(async (client, local) => {
    await assert.rejects(client.upload(local, "/x.txt"), localError("EISDIR", local, /Cannot read/));
  });
});

test("an upload whose source stream fails rejects with ERR_FTP_LOCAL, the stream's error as cause", async () => {
  await withClient(async (client) => {
    const broken = new Error("source broke");
    let sent = 0;
    const source = new Readable({
      read() {
        if (sent++ < 4) this.push(Buffer.alloc(16 * 1024, 2));
        else this.destroy(broken);
      },
    });
    await assert.rejects(client.upload(source, "/y.bin"), (error: unknown) => localError(undefined, undefined, /source stream failed: source broke/)(error) && (error as Error).cause === broken);
  });
});

test("a download into a folder that does not exist rejects with ERR_FTP_LOCAL (ENOENT)", async () => {
  await withClient(async (client, local) => {
    const target = join(local, "no", "such", "dir", "f.bin");
    await assert.rejects(client.download("/remote.bin", target), localError("ENOENT", target, /Cannot write/));
  });
});

test("uploadDir from a missing folder rejects with ERR_FTP_LOCAL and creates nothing remotely", async () => {
  await withClient(async (client, local, fileSystem) => {
    const missing = join(local, "nope");
    await assert.rejects(client.uploadDir(missing, "/tree"), localError("ENOENT", missing, /Cannot read the folder/));
    await assert.rejects(fileSystem.stat("/tree"), "no remote folder was made");
  });
});

test("downloadDir into a path below a file rejects with ERR_FTP_LOCAL (ENOTDIR or EEXIST)", async () => {
  await withClient(async (client, local) => {
    const file = join(local, "plain-file");
    await writeFile(file, "x");
    const error = await client.downloadDir("/", join(file, "sub")).then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof FtpLocalError, `got ${String(error)}`);
    assert.ok(["ENOTDIR", "EEXIST"].includes(String(error.localCode)), String(error.localCode));
  });
});

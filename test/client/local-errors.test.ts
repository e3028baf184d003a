// A failure of the local side of a download is the caller's, not FTP's: it
// comes back as FtpLocalError (ERR_FTP_LOCAL, not ERR_FTP_DATA_CONNECTION)
// with the file system's own error as cause, and the session is back in
// step for the next call. /dev/full accepts the
// open and fails every write with ENOSPC: a real mid-transfer local failure.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { Writable } from "node:stream";
import test from "node:test";
import { Client, FtpLocalError } from "../../src/index.js";
import { createServer } from "../../src/server/ftp-server.js";
import { MemoryFileSystem } from "../../src/storage/memory-file-system.js";

const payload = Buffer.alloc(3 * 1024 * 1024, 0x61);

async function withServer(body: (client: Client) => Promise<void>): Promise<void> {
  const fileSystem = new MemoryFileSystem({ "/big.bin": payload });
  const server = createServer({ authenticate: () => ({ fileSystem }) });
  const { port } = await server.listen({ host: "127.0.0.1", port: 0 });
  const client = await Client.connect({ host: "127.0.0.1", port, user: "a", password: "b" });
  try {
    await body(client);
  } finally {
    await client.close();
    await server.close({ graceMs: 0 });
  }
}

test("a destination file that cannot be written (ENOSPC) rejects with ERR_FTP_LOCAL (ENOSPC as cause), and the session goes on", { skip: !existsSync("/dev/full") && "no /dev/full" }, async () => {
  await withServer(async (client) => {
    const error = await client.download("/big.bin", "/dev/full").then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof FtpLocalError, `got ${String(error)}`);
    // A local failure, told apart from FTP's by its code, the disk's error kept.
    assert.equal(error.code, "ERR_FTP_LOCAL");
    assert.equal(error.localCode, "ENOSPC");
    assert.equal((error.cause as NodeJS.ErrnoException).code, "ENOSPC");
    assert.equal(error.path, "/dev/full");
    assert.equal(await client.pwd(), "/");
  });
});

test("a destination stream that fails mid-download rejects with ERR_FTP_LOCAL (its error as cause), and the session goes on", async () => {
  await withServer(async (client) => {
    const broken = new Error("sink broke");
    let written = 0;
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        written += chunk.length;
        callback(written > 256 * 1024 ? broken : null);
      },
    });
    await assert.rejects(client.download("/big.bin", sink), (e: unknown) => e instanceof FtpLocalError && e.cause === broken && e.path === undefined);
    assert.equal(await client.pwd(), "/");
  });
});

// Issue 11, defect 1: an upload aborted (ABOR, a reset control connection,
// or the server closing) while storage write() is still pending used to
// destroy the writer with an error before anything listened for 'error',
// and the unhandled 'error' event took the whole process down. The storage
// here opens only when the test says so, so each race is hit every time.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { once } from "node:events";
import { Writable } from "node:stream";
import type { FileSystem, FileSystemWriteOptions } from "../../src/storage/file-system.js";
import { MemoryFileSystem } from "../../src/storage/memory-file-system.js";
import { startServer, type TestServer } from "./helpers/ftp-test-client.js";

/** A MemoryFileSystem whose write() resolves only when `open()` is called, with a writer that errors on destroy. */
class GatedWrites extends MemoryFileSystem {
  private gates: Array<() => void> = [];
  private waiters: Array<() => void> = [];
  writers: Writable[] = [];

  override async write(path: string, options?: FileSystemWriteOptions): Promise<Writable> {
    await new Promise<void>((resolve) => {
      this.gates.push(resolve);
      for (const w of this.waiters.splice(0)) w();
    });
    const writer = await super.write(path, options);
    this.writers.push(writer);
    return writer;
  }

  /** Resolves once a write() is waiting at the gate. */
  async pending(): Promise<void> {
    if (this.gates.length > 0) return;
    await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  /** Lets every waiting write() resolve. */
  open(): void {
    for (const gate of this.gates.splice(0)) gate();
  }
}

describe("an upload aborted while its storage is being opened", () => {
  let fs: GatedWrites;
  let t: TestServer;
  before(async () => {
    fs = new GatedWrites();
    t = await startServer({}, fs as FileSystem);
  });
  after(() => t.close());

  it("ABOR: 426 then 226, the writer is discarded, and the server keeps serving", async () => {
    const c = await t.login();
    await c.cmd("TYPE I");
    const data = await c.pasv();
    data.on("error", () => {});
    assert.equal((await c.cmd("STOR /a.bin")).code, 150);
    await fs.pending();
    c.send("ABOR");
    // ABOR is handled at once; the writer arrives after it.
    assert.equal((await c.reply()).code, 426);
    assert.equal((await c.reply()).code, 226);
    fs.open();
    assert.equal((await c.cmd("NOOP")).code, 200);
    const writer = fs.writers.at(-1);
    assert.ok(writer?.destroyed, "the late writer was destroyed");
    // A second session still works: the process is alive.
    const other = await t.login();
    assert.equal((await other.cmd("PWD")).code, 257);
  });

  it("a reset control connection: the late writer is destroyed without an unhandled error", async () => {
    const c = await t.login();
    await c.cmd("TYPE I");
    const data = await c.pasv();
    data.on("error", () => {});
    assert.equal((await c.cmd("STOR /b.bin")).code, 150);
    await fs.pending();
    const disconnected = once(t.server, "disconnect");
    c.socket.resetAndDestroy();
    await disconnected;
    const before = fs.writers.length;
    fs.open();
    // The writer is handed back and destroyed on the next turns of the loop.
    for (let i = 0; i < 50 && !(fs.writers.length > before && fs.writers.at(-1)?.destroyed); i++) {
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    assert.ok(fs.writers.at(-1)?.destroyed);
    const other = await t.login();
    assert.equal((await other.cmd("NOOP")).code, 200);
  });

  it("server close(): the pending upload ends with 426 and 421, nothing escapes", async () => {
    const own = await startServer({}, fs as FileSystem);
    const c = await own.login();
    await c.cmd("TYPE I");
    const data = await c.pasv();
    data.on("error", () => {});
    assert.equal((await c.cmd("STOR /c.bin")).code, 150);
    await fs.pending();
    const closing = own.server.close({ graceMs: 0 });
    assert.equal((await c.reply()).code, 426);
    assert.equal((await c.reply()).code, 421);
    fs.open();
    await closing;
  });

  it("a data connection that times out while storage opens: 426, no uncaught timeout error", async () => {
    const own = await startServer({ timeouts: { data: 200 } }, fs as FileSystem);
    try {
      const c = await own.login();
      await c.cmd("TYPE I");
      const data = await c.pasv();
      data.on("error", () => {});
      const dataClosed = once(data, "close");
      assert.equal((await c.cmd("STOR /d.bin")).code, 150);
      await fs.pending();
      // The server cuts the silent data connection while write() is still pending.
      await dataClosed;
      fs.open();
      assert.equal((await c.reply()).code, 426);
      assert.equal((await c.cmd("NOOP")).code, 200);
    } finally {
      await own.close();
    }
  });
});

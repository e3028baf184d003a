// Many sessions at once over a small passive port range: every transfer lands byte-exact.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { startServer, readAll, writeAll } from "./helpers/ftp-test-client.js";
import { MemoryFileSystem } from "../../src/storage/memory-file-system.js";

describe("server concurrency", () => {
  it("20 sessions upload and download in parallel through a 24-port passive range", async () => {
    // Below the ephemeral range (32768+), so other sockets do not take these ports.
    const low = 20000 + Math.floor(Math.random() * 12000);
    const fs = new MemoryFileSystem();
    const t = await startServer({ passive: { portRange: [low, low + 23] } }, fs);
    try {
      await Promise.all(
        Array.from({ length: 20 }, async (_, i) => {
          const c = await t.login();
          await c.cmd("TYPE I");
          const payload = randomBytes(256 * 1024 + i);
          let data = await c.pasv();
          assert.equal((await c.cmd(`STOR /f${i}.bin`)).code, 150);
          await writeAll(data, payload);
          assert.equal((await c.reply()).code, 226);
          data = await c.epsv();
          assert.equal((await c.cmd(`RETR /f${i}.bin`)).code, 150);
          assert.ok((await readAll(data)).equals(payload));
          assert.equal((await c.reply()).code, 226);
          assert.equal((await c.cmd("QUIT")).code, 221);
        }),
      );
      assert.equal((await fs.list("/")).length, 20);
    } finally {
      await t.close();
    }
  });
});

// Issue 11 defect 2: pipelined commands outside a transfer all run, in order,
// with backpressure on the socket instead of a 503; `maxQueuedCommands` bounds
// only what arrives during a transfer (docs/server.md).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { startServer } from "./helpers/ftp-test-client.js";
import { MemoryFileSystem } from "../../src/storage/memory-file-system.js";

/** MemoryFileSystem whose mkdir takes a few event-loop turns, so the queue fills while one runs. */
class SlowMkdirFileSystem extends MemoryFileSystem {
  override async mkdir(path: string): Promise<void> {
    for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
    return super.mkdir(path);
  }
}

describe("pipelined commands", () => {
  it("NOOP ×34 in one write → 34 × 200, then the next command's own reply", async () => {
    const t = await startServer();
    try {
      const c = await t.login();
      c.send(Array.from({ length: 34 }, () => "NOOP\r\n").join("").slice(0, -2));
      c.send("PWD");
      const codes: number[] = [];
      for (let i = 0; i < 35; i++) codes.push((await c.reply()).code);
      assert.deepEqual(codes, [...Array.from({ length: 34 }, () => 200), 257]);
    } finally {
      await t.close();
    }
  });

  for (const [name, queue] of [
    ["default queue", undefined],
    ["a queue of 2, so reading pauses and resumes many times", 2],
  ] as const) {
    it(`MKD ×100 pipelined in 10 writes (${name}) → 100 directories, 100 replies in order`, async () => {
      const fs = new SlowMkdirFileSystem();
      const t = await startServer(queue === undefined ? {} : { limits: { maxQueuedCommands: queue } }, fs);
      try {
        const c = await t.login();
        for (let w = 0; w < 10; w++) {
          c.send(Array.from({ length: 10 }, (_, i) => `MKD /d${w * 10 + i}`).join("\r\n"));
        }
        for (let i = 0; i < 100; i++) {
          const r = await c.reply();
          assert.equal(r.code, 257, `reply ${i}: ${r.code} ${r.message}`);
          assert.match(r.message, new RegExp(`"/d${i}"`), `reply ${i} in order`);
        }
        const names = (await fs.list("/")).map((e) => e.name);
        assert.equal(names.length, 100);
        for (let i = 0; i < 100; i++) assert.ok(names.includes(`d${i}`), `d${i} exists`);
      } finally {
        await t.close();
      }
    });
  }

  it("during a transfer, commands past maxQueuedCommands get 503; the queued ones run after it, in order", async () => {
    const t = await startServer({ limits: { maxQueuedCommands: 2 } }, new MemoryFileSystem({ "/big.bin": randomBytes(8 << 20) }));
    try {
      const c = await t.login();
      await c.cmd("TYPE I");
      const data = await c.pasv();
      data.pause();
      assert.equal((await c.cmd("RETR /big.bin")).code, 150);
      c.send("PWD\r\nNOOP\r\nSYST");
      assert.equal((await c.reply()).code, 503);
      c.send("ABOR");
      assert.deepEqual([(await c.reply()).code, (await c.reply()).code], [426, 226]);
      assert.deepEqual([(await c.reply()).code, (await c.reply()).code], [257, 200]);
      data.destroy();
    } finally {
      await t.close();
    }
  });
});

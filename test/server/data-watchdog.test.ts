// Issue 11: the data timeout fired at twice its setting when the client
// stopped reading. Node's socket.setTimeout() skips its first expiry when
// the write queue shrank after the last write call, which is exactly what a
// stalling reader causes. The watchdog measures from the last byte moved.
// Mock timers drive the clock; the socket is a stand-in with the same fields.
import { after, before, describe, it, mock } from "node:test";
import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { watchDataInactivity } from "../../src/server/data-watchdog.js";
import { startServer, type TestServer } from "./helpers/ftp-test-client.js";
import { MemoryFileSystem } from "../../src/storage/memory-file-system.js";

/** Advances the mocked clock in 10 ms steps (one tick() runs all its intervals at the final time). */
function advance(ms: number): void {
  for (let i = 0; i < ms / 10; i++) mock.timers.tick(10);
}

class FakeSocket extends EventEmitter {
  bytesRead = 0;
  bytesWritten = 0;
  writableLength = 0;
  _handle = { writeQueueSize: 0 };
}

describe("data inactivity watchdog (mock clock)", () => {
  before(() => mock.timers.enable({ apis: ["setInterval", "Date"], now: 0 }));
  after(() => mock.timers.reset());

  it("a stalled reader: fires timeoutMs after the last byte moved, not a period later", () => {
    const socket = new FakeSocket();
    let firedAt: number | undefined;
    watchDataInactivity(socket, 1600, () => (firedAt = Date.now()));
    // The last write call at t=0 queued 1 MiB; the kernel takes part of it until t=300, then nothing.
    socket.bytesWritten = 1 << 20;
    socket._handle.writeQueueSize = 1 << 20;
    advance(300);
    socket._handle.writeQueueSize = 600_000; // the shrink Node's own timer mistakes for a write in progress
    advance(1600 - 100);
    assert.equal(firedAt, undefined, "not before the setting");
    advance(400);
    assert.ok(firedAt !== undefined && firedAt >= 300 + 1600 && firedAt <= 300 + 1600 + 200, `fired at ${firedAt}`);
  });

  it("a slow but moving transfer is never cut", () => {
    const socket = new FakeSocket();
    let fired = false;
    watchDataInactivity(socket, 1000, () => (fired = true));
    for (let i = 0; i < 50; i++) {
      socket.bytesRead += 1;
      advance(900);
    }
    assert.equal(fired, false);
  });

  it("stops at close", () => {
    const socket = new FakeSocket();
    let fired = false;
    watchDataInactivity(socket, 1000, () => (fired = true));
    socket.emit("close");
    advance(5000);
    assert.equal(fired, false);
  });
});

describe("data timeout over a real connection", () => {
  let t: TestServer;
  before(async () => {
    t = await startServer({ timeouts: { data: 300 } }, new MemoryFileSystem({ "/big.bin": Buffer.alloc(32 << 20, 1) }));
  });
  after(() => t.close());

  it("a client that stops reading a RETR gets 426, and the session goes on", async () => {
    const c = await t.login();
    await c.cmd("TYPE I");
    const data = await c.pasv();
    data.pause();
    data.on("error", () => {});
    assert.equal((await c.cmd("RETR /big.bin")).code, 150);
    assert.equal((await c.reply(10_000)).code, 426);
    data.destroy();
    assert.equal((await c.cmd("NOOP")).code, 200);
  });
});

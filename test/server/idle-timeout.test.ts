// Behaviour 39: an idle control connection gets 421 and is closed after
// `timeouts.idle`; a command restarts the clock, and a transfer pauses it.
// node:test mock timers drive the session's clock (setTimeout and Date; the
// data watchdog's setInterval and the sockets keep running in real time).
import { after, afterEach, before, describe, it, mock } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { startServer, readAll, type TestServer } from "./helpers/ftp-test-client.js";
import { MemoryFileSystem } from "../../src/storage/memory-file-system.js";
import { IdleTimer } from "../../src/server/idle-timer.js";

describe("39: idle timeout", () => {
  let t: TestServer | undefined;
  before(() => mock.timers.enable({ apis: ["setTimeout", "Date"], now: Date.now() }));
  after(() => mock.timers.reset());
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it("an idle connection gets 421 and is closed; each command restarts the clock", async () => {
    t = await startServer({ timeouts: { idle: 10_000 } });
    const c = await t.login();
    mock.timers.tick(6_000);
    assert.equal((await c.cmd("NOOP")).code, 200);
    mock.timers.tick(6_000); // 12 s since login, 6 s since the NOOP
    assert.equal((await c.cmd("NOOP")).code, 200);
    mock.timers.tick(10_000);
    const r = await c.reply();
    assert.equal(r.code, 421);
    assert.match(r.message, /[Ii]dle/);
    await c.closed;
  });

  it("the idle clock does not run during a transfer, and starts again after it", async () => {
    // The watchdog compares Date.now(), which the ticks move: a data timeout above them.
    t = await startServer({ timeouts: { idle: 10_000, data: 600_000 } }, new MemoryFileSystem({ "/big.bin": randomBytes(4 << 20) }));
    const c = await t.login();
    await c.cmd("TYPE I");
    const data = await c.pasv();
    data.pause();
    assert.equal((await c.cmd("RETR /big.bin")).code, 150);
    mock.timers.tick(60_000); // six idle periods while the transfer stalls
    data.resume();
    assert.equal((await readAll(data, 10_000)).length, 4 << 20);
    assert.equal((await c.reply()).code, 226);
    assert.equal((await c.cmd("NOOP")).code, 200);
    mock.timers.tick(10_000);
    assert.equal((await c.reply()).code, 421);
    await c.closed;
  });
});

describe("IdleTimer", () => {
  it("fires once no activity came for the timeout, measured from the last touch", () => {
    mock.timers.enable({ apis: ["setTimeout"] });
    try {
      let now = 0;
      let fired = 0;
      const idle = new IdleTimer(1000, () => fired++, () => now);
      idle.start();
      now = 600;
      idle.touch();
      now = 1000;
      mock.timers.tick(1000);
      assert.equal(fired, 0, "touched at 600: not idle at 1000");
      now = 1600;
      mock.timers.tick(600);
      assert.equal(fired, 1);
      idle.start();
      idle.stop();
      now = 5000;
      mock.timers.tick(5000);
      assert.equal(fired, 1, "stopped: never fires");
    } finally {
      mock.timers.reset();
    }
  });
});

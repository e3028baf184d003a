// Issue 11: a connection that never logged in but sent NOOP now and then
// stayed forever (only the idle timer ran, and every command reset it), so
// a few addresses could hold every connection slot. timeouts.login
// (default 60 s) now runs from the greeting to a successful login, and
// NOOPs do not extend it. node:test mock timers drive the clock.
import { after, afterEach, before, describe, it, mock } from "node:test";
import assert from "node:assert/strict";
import { SERVER_DEFAULTS } from "../../src/server/defaults.js";
import { startServer, type TestServer } from "./helpers/ftp-test-client.js";

describe("login timeout", () => {
  let t: TestServer | undefined;
  // One mocked clock for the file: re-enabling it between tests lost timers armed later.
  before(() => mock.timers.enable({ apis: ["setTimeout"] }));
  after(() => mock.timers.reset());
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it("defaults to 60 s", () => {
    assert.equal(SERVER_DEFAULTS.timeouts.login, 60_000);
  });

  it("NOOPs before login do not keep the connection: 421 and close at timeouts.login", async () => {
    t = await startServer({ timeouts: { idle: 600_000, login: 60_000 } });
    const c = await t.connect();
    for (let i = 0; i < 5; i++) {
      mock.timers.tick(11_000);
      assert.equal((await c.cmd("NOOP")).code, 200);
    }
    mock.timers.tick(5_000); // 60 s since the greeting
    const r = await c.reply();
    assert.equal(r.code, 421);
    assert.match(r.message, /[Ll]ogin timeout/);
    await c.closed;
  });

  it("a login in time stops it; REIN starts it again", async () => {
    t = await startServer({ timeouts: { idle: 600_000, login: 60_000 } });
    const c = await t.connect();
    await c.login();
    mock.timers.tick(120_000);
    assert.equal((await c.cmd("PWD")).code, 257);
    assert.equal((await c.cmd("REIN")).code, 220);
    mock.timers.tick(50_000);
    assert.equal((await c.cmd("NOOP")).code, 200);
    mock.timers.tick(10_000);
    assert.equal((await c.reply()).code, 421);
  });
});

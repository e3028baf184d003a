// Issue 11, password guessing: the failed-login delay was per connection,
// so one address tested 31.6 passwords a second over parallel connections
// (vsftpd: 8.7). Now attempts are spaced per address over all connections,
// the spacing doubles with each failure, and an address is banned after
// maxFailedLoginsPerAddress failures. Timing is driven by an injected clock
// (unit) and node:test mock timers (sockets), never by sleeping.
import { afterEach, describe, it, mock } from "node:test";
import assert from "node:assert/strict";
import { once } from "node:events";
import { LoginThrottle } from "../../src/server/login-throttle.js";
import { startServer, type TestServer } from "./helpers/ftp-test-client.js";

const LIMITS = { failedLoginDelayMs: 1000, maxFailedLoginDelayMs: 8000, maxFailedLoginsPerAddress: 6, loginBanMs: 60_000 };

describe("LoginThrottle (injected clock)", () => {
  it("a clean address is admitted at once, however many attempts run in parallel", () => {
    const t = new LoginThrottle(LIMITS, () => 0);
    for (let i = 0; i < 16; i++) assert.deepEqual(t.admit("10.0.0.1"), { banned: false, waitMs: 0 });
  });

  it("after a failure, parallel attempts from one address get slots spaced by the doubling delay", () => {
    let now = 0;
    const t = new LoginThrottle(LIMITS, () => now);
    t.failed("10.0.0.1");
    // Sixteen connections at once: one slot each, a second apart (one failure so far).
    const waits = Array.from({ length: 4 }, () => (t.admit("10.0.0.1") as { waitMs: number }).waitMs);
    assert.deepEqual(waits, [1000, 2000, 3000, 4000]);
    // Another address is not affected.
    assert.deepEqual(t.admit("10.0.0.2"), { banned: false, waitMs: 0 });
    now = 5000;
    t.failed("10.0.0.1"); // two failures: spacing 2 s
    assert.deepEqual(t.admit("10.0.0.1"), { banned: false, waitMs: 2000 });
    assert.deepEqual(t.admit("10.0.0.1"), { banned: false, waitMs: 4000 });
  });

  it("the spacing is capped, and a sustained attack stays under 2 guesses/s", () => {
    let now = 0;
    const t = new LoginThrottle({ ...LIMITS, maxFailedLoginsPerAddress: 1000 }, () => now);
    // 16 connections that retry as soon as allowed, for 10 simulated minutes.
    let guesses = 0;
    const slots: number[] = Array.from({ length: 16 }, () => 0);
    for (let round = 0; round < 10_000; round++) {
      const i = round % 16;
      now = Math.max(now, slots[i]!);
      if (now > 600_000) break;
      const a = t.admit("10.0.0.1");
      assert.equal(a.banned, false);
      const at = now + (a as { waitMs: number }).waitMs;
      if (at > 600_000) break;
      const saved = now;
      now = at;
      t.failed("10.0.0.1");
      guesses++;
      now = saved;
      slots[i] = at;
    }
    assert.ok(guesses / 600 <= 2, `${guesses} guesses in 600 s`);
    assert.ok(guesses < 16 + 600_000 / 8000 + 1, `capped spacing of 8 s: ${guesses}`);
  });

  it("bans after maxFailedLoginsPerAddress failures, for loginBanMs; then forgets", () => {
    let now = 0;
    const t = new LoginThrottle(LIMITS, () => now);
    for (let i = 0; i < 6; i++) t.failed("10.0.0.1");
    assert.deepEqual(t.admit("10.0.0.1"), { banned: true });
    assert.equal(t.isBanned("10.0.0.1"), true);
    now = 59_999;
    assert.deepEqual(t.admit("10.0.0.1"), { banned: true });
    now = 60_000;
    assert.deepEqual(t.admit("10.0.0.1"), { banned: false, waitMs: 0 });
    assert.equal(t.size, 0);
  });

  it("failures are forgotten loginBanMs after the last one", () => {
    let now = 0;
    const t = new LoginThrottle(LIMITS, () => now);
    t.failed("10.0.0.1");
    now = 59_999;
    assert.equal((t.admit("10.0.0.1") as { waitMs: number }).waitMs, 0 + Math.max(0, 1000 - 59_999));
    now = 200_000;
    assert.deepEqual(t.admit("10.0.0.1"), { banned: false, waitMs: 0 });
  });
});

describe("login throttling over real connections", () => {
  let t: TestServer | undefined;
  afterEach(async () => {
    mock.timers.reset();
    await t?.close();
    t = undefined;
  });

  it("unknown user and wrong password get the same 530", async () => {
    t = await startServer();
    const a = await t.connect();
    await a.cmd("USER nobody");
    const unknown = await a.cmd("PASS secret");
    await a.cmd("USER alice");
    const wrong = await a.cmd("PASS wrong");
    assert.equal(unknown.code, 530);
    assert.deepEqual([wrong.code, wrong.message], [unknown.code, unknown.message]);
  });

  it("a failure on one connection makes the next attempt on another wait its slot before authenticate runs", async () => {
    let calls = 0;
    t = await startServer({
      authenticate: () => {
        calls++;
        return null;
      },
      limits: { failedLoginDelayMs: 1000 },
    });
    const a = await t.connect();
    const b = await t.connect();
    mock.timers.enable({ apis: ["setTimeout", "Date"], now: 1_000_000 });
    await a.cmd("USER alice");
    await b.cmd("USER alice");
    a.send("PASS guess1");
    await once(t.server, "loginFailed");
    assert.equal(calls, 1);
    const passSeen = once(t.server, "command");
    b.send("PASS guess2");
    await passSeen;
    await new Promise((r) => setImmediate(r));
    assert.equal(calls, 1, "the second connection's guess waits for the address's slot");
    const bFailed = once(t.server, "loginFailed");
    mock.timers.tick(1000);
    assert.equal((await a.reply()).code, 530);
    await bFailed;
    assert.equal(calls, 2);
    mock.timers.tick(1000);
    assert.equal((await b.reply()).code, 530);
  });

  it("after maxFailedLoginsPerAddress failures over several connections, even the right password gets 421", async () => {
    let calls = 0;
    t = await startServer({
      authenticate: ({ password }) => {
        calls++;
        return password === "secret" ? { fileSystem: t!.fs } : null;
      },
      limits: { failedLoginDelayMs: 0, maxFailedLoginsPerAddress: 3 },
    });
    for (let i = 0; i < 3; i++) {
      const c = await t.connect();
      await c.cmd("USER alice");
      assert.equal((await c.cmd(`PASS wrong${i}`)).code, 530);
      c.close();
    }
    const c = await t.connect();
    await c.cmd("USER alice");
    const r = await c.cmd("PASS secret");
    assert.equal(r.code, 421, `${r.code} ${r.message}`);
    await c.closed;
    assert.equal(calls, 3, "authenticate is not called for a banned address");
  });
});

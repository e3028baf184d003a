// RedisSharedState against a real redis-server (issue 15): two instances
// stand for two nodes of a fleet sharing one Redis.
import { after, before, describe, it, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { RedisSharedState } from "../../src/fleet/redis-shared-state.js";
import type { LoginThrottleLimits } from "../../src/server/shared-state.js";
import { requirePeer } from "../support/require-peer.js";
import { startRedis, type RedisPeer } from "../support/redis.js";

const NO_DELAY: LoginThrottleLimits = { failedLoginDelayMs: 0, maxFailedLoginDelayMs: 0, maxFailedLoginsPerAddress: 10, loginBanMs: 60_000 };

describe("RedisSharedState with a real redis-server", () => {
  let redis: RedisPeer | undefined;
  const stores: RedisSharedState[] = [];
  const node = (options: ConstructorParameters<typeof RedisSharedState>[0] = {}) => {
    const store = new RedisSharedState({ port: redis!.port, prefix: `t${stores.length}:`, ...options });
    stores.push(store);
    return store;
  };
  /** Two nodes of one fleet: one prefix. */
  const fleet = () => {
    const prefix = `fleet${stores.length}:`;
    return [node({ prefix }), node({ prefix })] as const;
  };
  const ready = async (t: TestContext) => (await requirePeer(t, "redis-server")) && redis !== undefined;

  before(async () => {
    if (process.env.CI === "true" || (await import("node:fs")).existsSync("/usr/bin/redis-server")) redis = await startRedis();
  });
  after(async () => {
    for (const s of stores) await s.close();
    await redis?.stop();
  });

  it("connections per address are counted across nodes, and a release frees a slot for either", async (t) => {
    if (!(await ready(t))) return;
    const [a, b] = fleet();
    const first = await a.claimConnection("192.0.2.1", 3);
    const second = await a.claimConnection("192.0.2.1", 3);
    const third = await b.claimConnection("192.0.2.1", 3);
    assert.ok(first && second && third);
    assert.equal(await b.claimConnection("192.0.2.1", 3), undefined, "the fourth, on the other node, is refused");
    assert.ok(await b.claimConnection("192.0.2.2", 3), "another address has its own slots");
    first();
    first(); // idempotent: frees one slot, not two
    // The release is sent without waiting; the next call on the same connection comes after it.
    assert.ok(await b.claimConnection("192.0.2.1", 3));
    assert.equal(await a.claimConnection("192.0.2.1", 3), undefined);
    assert.equal(a.isDegraded || b.isDegraded, false);
  });

  it("five failed logins through each node ban the address on both (the shared ban)", async (t) => {
    if (!(await ready(t))) return;
    const [a, b] = fleet();
    for (let i = 0; i < 5; i++) {
      assert.deepEqual(await a.admitLogin("198.51.100.9", NO_DELAY), { banned: false, waitMs: 0 });
      await a.loginFailed("198.51.100.9", NO_DELAY);
      assert.deepEqual(await b.admitLogin("198.51.100.9", NO_DELAY), { banned: false, waitMs: 0 });
      if (i < 4) assert.equal(await b.isBanned("198.51.100.9", NO_DELAY), false);
      await b.loginFailed("198.51.100.9", NO_DELAY);
    }
    for (const store of [a, b]) {
      assert.deepEqual(await store.admitLogin("198.51.100.9", NO_DELAY), { banned: true });
      assert.equal(await store.isBanned("198.51.100.9", NO_DELAY), true);
    }
    assert.equal(await a.isBanned("198.51.100.10", NO_DELAY), false);
  });

  it("the failed-login spacing is shared: one node's failure makes the other's next attempt wait", async (t) => {
    if (!(await ready(t))) return;
    const [a, b] = fleet();
    const limits = { ...NO_DELAY, failedLoginDelayMs: 10_000, maxFailedLoginDelayMs: 60_000 };
    await a.loginFailed("203.0.113.5", limits);
    const first = await b.admitLogin("203.0.113.5", limits);
    const second = await a.admitLogin("203.0.113.5", limits);
    // 10 s after the failure, then a further 10 s (the reserved slots), on Redis's clock;
    // the bounds leave 5 s for the calls themselves.
    assert.ok(!first.banned && first.waitMs > 5_000 && first.waitMs <= 10_000, JSON.stringify(first));
    assert.ok(!second.banned && second.waitMs > 15_000 && second.waitMs <= 20_000, JSON.stringify(second));
  });

  it("a node that dies stops refreshing its slots, and they come free", async (t) => {
    if (!(await ready(t))) return;
    const prefix = "dead:";
    const dying = node({ prefix, claimTtlMs: 150 });
    const survivor = node({ prefix, claimTtlMs: 150 });
    assert.ok(await dying.claimConnection("192.0.2.50", 1));
    // While its node lives (and refreshes it every ttl/3) the slot stays taken.
    assert.equal(await survivor.claimConnection("192.0.2.50", 1), undefined);
    await dying.close();
    let claimed;
    for (let i = 0; i < 100 && !claimed; i++) {
      claimed = await survivor.claimConnection("192.0.2.50", 1);
      if (!claimed) await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(claimed, "the dead node's slot expired within 2 s");
  });

  it("an outage degrades to local limits with one warning, and never throws", async (t) => {
    if (!(await ready(t))) return;
    const own = await startRedis();
    const store = new RedisSharedState({ port: own.port, timeoutMs: 500, retryMs: 60_000 });
    try {
      assert.ok(await store.claimConnection("192.0.2.77", 1));
      await own.stop();
      const warnings: Error[] = [];
      const onWarning = (w: Error & { code?: string }) => void (w.code === "FTPWIRE_SHARED_STATE_DEGRADED" && warnings.push(w));
      process.on("warning", onWarning);
      const local = await store.claimConnection("192.0.2.77", 1);
      assert.ok(local, "local limits: this node has no local connection from that address yet");
      assert.equal(await store.claimConnection("192.0.2.77", 1), undefined, "and the local limit holds");
      assert.deepEqual(await store.admitLogin("192.0.2.77", NO_DELAY), { banned: false, waitMs: 0 });
      for (let i = 0; i < 10; i++) await store.loginFailed("192.0.2.77", NO_DELAY);
      assert.equal(await store.isBanned("192.0.2.77", NO_DELAY), true, "the local ban still applies");
      // process.emitWarning emits on a later tick; several round trips have passed since.
      await new Promise((r) => setImmediate(r));
      process.off("warning", onWarning);
      assert.equal(warnings.length, 1);
      assert.equal(store.isDegraded, true);
    } finally {
      await store.close();
      await own.stop();
    }
  });
});

/**
 * `SharedState` in Redis (issue 15): every node of a fleet counts the same
 * connections per address and the same failed logins and bans. The logic of
 * the login throttle (server/login-throttle.ts) runs as Lua scripts inside
 * Redis on Redis's own clock, so nodes with skewed clocks agree and two nodes
 * cannot both take the last slot.
 *
 * - Connections: a sorted set per address whose members are this fleet's
 *   live connections, each scored by an expiry that its node refreshes; a
 *   node that dies stops refreshing, and its slots come free after
 *   `claimTtlMs`.
 * - Failed logins: a hash per address (failures, next slot, ban end) that
 *   expires `loginBanMs` after the last failure, as the local throttle
 *   forgets it.
 * - An outage (Redis down, slow, or answering errors) degrades to this
 *   process's own limits with one warning per outage
 *   (`FTPWIRE_SHARED_STATE_DEGRADED`), and Redis is tried again after
 *   `retryMs`. It never refuses every login and never throws.
 */
import createDebug from "debug";
import { randomBytes } from "node:crypto";
import { MemorySharedState, type LoginAdmission, type LoginThrottleLimits, type ReleaseConnection, type SharedState } from "../server/shared-state.js";
import { RespConnection, type RespConnectionOptions, type RespValue } from "./resp-connection.js";

const debug = createDebug("ftpwire:fleet");

export interface RedisSharedStateOptions extends RespConnectionOptions {
  /** Key prefix, so that several fleets can share one Redis. Default "ftpwire:". */
  readonly prefix?: string;
  /** After a failed call, how long to use local limits before trying Redis again. Default 5000 ms. */
  readonly retryMs?: number;
  /** How long a connection slot outlives its node's last refresh. Default 30 000 ms. */
  readonly claimTtlMs?: number;
}

// Redis time in ms, shared by the scripts.
const NOW = "local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)";
const SPACING =
  "local function spacing(f, base, cap) if f <= 0 then return 0 end return math.min(base * math.pow(2, math.min(f - 1, 30)), cap) end";

// KEYS[1] set; ARGV limit, member, ttl → 1 taken, 0 full
const CLAIM = `${NOW}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[2])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
return 1`;

// KEYS[1] set; ARGV ttl, member… → refreshes the members still present
const REFRESH = `${NOW}
for i = 2, #ARGV do redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[1]), ARGV[i]) end
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]))
return 1`;

// KEYS[1] hash; ARGV base, cap → {banned 0|1, waitMs}
const ADMIT = `${NOW} ${SPACING}
local r = redis.call('HMGET', KEYS[1], 'failures', 'nextAt', 'bannedUntil')
if not r[1] then return {0, 0} end
if tonumber(r[3]) > now then return {1, 0} end
local slot = math.max(now, tonumber(r[2]))
redis.call('HSET', KEYS[1], 'nextAt', slot + spacing(tonumber(r[1]), tonumber(ARGV[1]), tonumber(ARGV[2])))
return {0, slot - now}`;

// KEYS[1] hash; ARGV base, cap, maxFailures, banMs
const FAILED = `${NOW} ${SPACING}
local r = redis.call('HMGET', KEYS[1], 'failures', 'nextAt', 'bannedUntil')
local failures = (tonumber(r[1]) or 0) + 1
local nextAt = math.max(tonumber(r[2]) or now, now + spacing(failures, tonumber(ARGV[1]), tonumber(ARGV[2])))
local banned = tonumber(r[3]) or 0
if failures >= tonumber(ARGV[3]) then banned = math.max(banned, now + tonumber(ARGV[4])) end
redis.call('HSET', KEYS[1], 'failures', failures, 'nextAt', nextAt, 'bannedUntil', banned)
redis.call('PEXPIRE', KEYS[1], math.max(tonumber(ARGV[4]), banned - now))
return failures`;

// KEYS[1] hash → 1 banned
const BANNED = `${NOW}
local b = tonumber(redis.call('HGET', KEYS[1], 'bannedUntil') or '0')
if b > now then return 1 end
return 0`;

export class RedisSharedState implements SharedState {
  private readonly redis: RespConnection;
  private readonly local = new MemorySharedState();
  private readonly prefix: string;
  private readonly retryMs: number;
  private readonly claimTtlMs: number;
  private readonly node = randomBytes(6).toString("hex");
  private sequence = 0;
  /** Live slots taken in Redis: address key → members. */
  private readonly claims = new Map<string, Set<string>>();
  private readonly refresher: NodeJS.Timeout;
  private downUntil = 0;
  private degraded = false;

  constructor(options: RedisSharedStateOptions = {}) {
    this.redis = new RespConnection(options);
    this.prefix = options.prefix ?? "ftpwire:";
    this.retryMs = options.retryMs ?? 5000;
    this.claimTtlMs = options.claimTtlMs ?? 30_000;
    this.refresher = setInterval(() => void this.refresh(), Math.max(50, Math.floor(this.claimTtlMs / 3)));
    this.refresher.unref();
  }

  /** Whether the last call fell back to local limits. */
  get isDegraded(): boolean {
    return this.degraded;
  }

  async claimConnection(address: string, limit: number): Promise<ReleaseConnection | undefined> {
    const key = `${this.prefix}conn:${address}`;
    const member = `${this.node}:${++this.sequence}`;
    const taken = await this.remote(
      async () => (await this.redis.command("EVAL", CLAIM, 1, key, limit, member, this.claimTtlMs)) === 1,
      () => undefined,
    );
    if (taken === undefined) return this.local.claimConnectionNow(address, limit);
    if (!taken) return undefined;
    let members = this.claims.get(key);
    if (!members) this.claims.set(key, (members = new Set()));
    members.add(member);
    return () => {
      if (!members.delete(member)) return;
      if (members.size === 0) this.claims.delete(key);
      void this.remote(
        () => this.redis.command("ZREM", key, member),
        () => undefined,
      );
    };
  }

  async admitLogin(address: string, limits: LoginThrottleLimits): Promise<LoginAdmission> {
    const reply = await this.remote(
      () => this.redis.command("EVAL", ADMIT, 1, this.loginKey(address), limits.failedLoginDelayMs, limits.maxFailedLoginDelayMs),
      () => undefined,
    );
    if (!Array.isArray(reply)) return this.local.admitLogin(address, limits);
    return reply[0] === 1 ? { banned: true } : { banned: false, waitMs: Number(reply[1]) };
  }

  async loginFailed(address: string, limits: LoginThrottleLimits): Promise<void> {
    // Counted locally too, so that an outage starts from what this node saw.
    await this.local.loginFailed(address, limits);
    await this.remote(
      () =>
        this.redis.command(
          "EVAL",
          FAILED,
          1,
          this.loginKey(address),
          limits.failedLoginDelayMs,
          limits.maxFailedLoginDelayMs,
          limits.maxFailedLoginsPerAddress,
          limits.loginBanMs,
        ),
      () => undefined,
    );
  }

  async isBanned(address: string, limits: LoginThrottleLimits): Promise<boolean> {
    const reply = await this.remote(
      () => this.redis.command("EVAL", BANNED, 1, this.loginKey(address)),
      () => undefined,
    );
    return reply === undefined ? this.local.isBanned(address, limits) : reply === 1;
  }

  async close(): Promise<void> {
    clearInterval(this.refresher);
    await this.redis.close();
  }

  private loginKey(address: string): string {
    return `${this.prefix}login:${address}`;
  }

  private async refresh(): Promise<void> {
    if (this.claims.size === 0 || Date.now() < this.downUntil) return;
    for (const [key, members] of this.claims) {
      await this.remote(
        () => this.redis.command("EVAL", REFRESH, 1, key, this.claimTtlMs, ...members),
        () => undefined,
      );
    }
  }

  /** Runs a Redis call; on failure marks an outage and answers `fallback()` (local limits). */
  private async remote<T>(call: () => Promise<T>, fallback: () => T): Promise<T> {
    if (Date.now() < this.downUntil) return fallback();
    try {
      const result = await call();
      if (this.degraded) {
        this.degraded = false;
        debug("redis is back: shared limits again");
      }
      return result;
    } catch (error) {
      this.downUntil = Date.now() + this.retryMs;
      if (!this.degraded) {
        this.degraded = true;
        process.emitWarning(`ftpwire: Redis shared state unavailable (${(error as Error).message}); using this process's own limits`, {
          code: "FTPWIRE_SHARED_STATE_DEGRADED",
        });
      }
      debug("redis call failed: %s", (error as Error).message);
      return fallback();
    }
  }
}

export type { RespValue };

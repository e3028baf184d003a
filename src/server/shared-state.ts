/**
 * What must hold across every process that serves one FTP address (issue
 * 15): connections per client address, and failed-login counts and bans. A
 * fleet of N nodes with only local counts would give an attacker N times the
 * allowance. The server asks a `SharedState` instead of keeping the counts
 * itself; the default, `MemorySharedState`, is one process's memory, and
 * `RedisSharedState` (src/fleet) shares them through Redis.
 *
 * Every method may be asynchronous (a network store) and must not throw for
 * an outage: a store degrades to local limits rather than refuse every login.
 */
import { LoginThrottle, type LoginAdmission, type LoginThrottleLimits } from "./login-throttle.js";

export type { LoginAdmission, LoginThrottleLimits };

/** Frees a connection slot taken by `claimConnection` (idempotent). */
export type ReleaseConnection = () => void;

export interface SharedState {
  /**
   * Takes one of the `limit` connection slots of `address`, or resolves
   * `undefined` when they are all taken.
   */
  claimConnection(address: string, limit: number): Promise<ReleaseConnection | undefined>;
  /** Before calling `authenticate`: banned, or how long this attempt must wait (its slot is reserved). */
  admitLogin(address: string, limits: LoginThrottleLimits): Promise<LoginAdmission>;
  /** A failed login from `address`. */
  loginFailed(address: string, limits: LoginThrottleLimits): Promise<void>;
  /** Whether `address` is banned now. */
  isBanned(address: string, limits: LoginThrottleLimits): Promise<boolean>;
  /** Releases the store's own resources (connections, timers); the server does not call it. */
  close?(): Promise<void>;
}

/** One process's memory: the default, and what a network store falls back to. */
export class MemorySharedState implements SharedState {
  private readonly connections = new Map<string, number>();
  private readonly throttles = new WeakMap<LoginThrottleLimits, LoginThrottle>();

  constructor(private readonly now: () => number = Date.now) {}

  async claimConnection(address: string, limit: number): Promise<ReleaseConnection | undefined> {
    return this.claimConnectionNow(address, limit);
  }

  /** The synchronous core, for callers that cannot wait. */
  claimConnectionNow(address: string, limit: number): ReleaseConnection | undefined {
    const count = this.connections.get(address) ?? 0;
    if (count >= limit) return undefined;
    this.connections.set(address, count + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.connections.get(address) ?? 1) - 1;
      if (left <= 0) this.connections.delete(address);
      else this.connections.set(address, left);
    };
  }

  async admitLogin(address: string, limits: LoginThrottleLimits): Promise<LoginAdmission> {
    return this.throttle(limits).admit(address);
  }

  async loginFailed(address: string, limits: LoginThrottleLimits): Promise<void> {
    this.throttle(limits).failed(address);
  }

  async isBanned(address: string, limits: LoginThrottleLimits): Promise<boolean> {
    return this.throttle(limits).isBanned(address);
  }

  /** Connections counted for `address` (tests). */
  connectionsOf(address: string): number {
    return this.connections.get(address) ?? 0;
  }

  private throttle(limits: LoginThrottleLimits): LoginThrottle {
    let throttle = this.throttles.get(limits);
    if (!throttle) this.throttles.set(limits, (throttle = new LoginThrottle(limits, this.now)));
    return throttle;
  }
}

/**
 * Password guessing, per remote address across all its connections
 * (issue 11). A per-connection delay alone let one address test 31.6
 * passwords a second over parallel connections; and delaying only the 530
 * reply does not help, since a success (230) comes at once and an attacker
 * can take silence as "wrong". So what is throttled is the call to
 * `authenticate` itself:
 *
 * - An address with no recent failure logs in at once (a client pool of
 *   eight connections is not slowed down).
 * - After a failure, every further attempt from that address waits for its
 *   own slot, spaced `failedLoginDelayMs × 2^(failures−1)` apart (at most
 *   `maxFailedLoginDelayMs`), whatever the number of connections.
 * - After `maxFailedLoginsPerAddress` failures the address is banned for
 *   `loginBanMs`: PASS gets 421 without calling `authenticate`, even with the
 *   right password. Failures are forgotten `loginBanMs` after the last one;
 *   a success does not reset them (one valid account must not let an
 *   attacker reset the counter).
 *
 * Pure bookkeeping over an injected clock; the session does the waiting.
 */

export interface LoginThrottleLimits {
  readonly failedLoginDelayMs: number;
  readonly maxFailedLoginDelayMs: number;
  readonly maxFailedLoginsPerAddress: number;
  readonly loginBanMs: number;
}

interface AddressRecord {
  failures: number;
  lastFailureAt: number;
  /** The earliest time the next attempt may call authenticate. */
  nextAt: number;
  bannedUntil: number;
}

export type LoginAdmission = { readonly banned: true } | { readonly banned: false; readonly waitMs: number };

/** Addresses remembered at once; past it the least recently failed is forgotten. */
const MAX_ADDRESSES = 100_000;

export class LoginThrottle {
  private readonly records = new Map<string, AddressRecord>();

  constructor(
    private readonly limits: LoginThrottleLimits,
    private readonly now: () => number = Date.now,
  ) {}

  /** Before authenticate: banned, or how long to wait first (the slot is reserved). */
  admit(address: string): LoginAdmission {
    const record = this.current(address);
    if (!record) return { banned: false, waitMs: 0 };
    const now = this.now();
    if (record.bannedUntil > now) return { banned: true };
    const slot = Math.max(now, record.nextAt);
    record.nextAt = slot + this.spacing(record.failures);
    return { banned: false, waitMs: slot - now };
  }

  /** A failed attempt from `address`. */
  failed(address: string): void {
    const now = this.now();
    const record = this.current(address) ?? { failures: 0, lastFailureAt: now, nextAt: now, bannedUntil: 0 };
    record.failures += 1;
    record.lastFailureAt = now;
    record.nextAt = Math.max(record.nextAt, now + this.spacing(record.failures));
    if (record.failures >= this.limits.maxFailedLoginsPerAddress) record.bannedUntil = now + this.limits.loginBanMs;
    // Re-inserted, so the map's order is "least recently failed first".
    this.records.delete(address);
    this.records.set(address, record);
    if (this.records.size > MAX_ADDRESSES) this.records.delete(this.records.keys().next().value as string);
  }

  /** Whether the address is banned right now. */
  isBanned(address: string): boolean {
    return (this.current(address)?.bannedUntil ?? 0) > this.now();
  }

  /** Addresses remembered (tests check the bound). */
  get size(): number {
    return this.records.size;
  }

  private spacing(failures: number): number {
    if (failures <= 0) return 0;
    const grown = this.limits.failedLoginDelayMs * 2 ** Math.min(failures - 1, 30);
    return Math.min(grown, this.limits.maxFailedLoginDelayMs);
  }

  /** The address's record, unless its failures have expired. */
  private current(address: string): AddressRecord | undefined {
    const record = this.records.get(address);
    if (!record) return undefined;
    const now = this.now();
    if (record.bannedUntil <= now && now - record.lastFailureAt >= this.limits.loginBanMs) {
      this.records.delete(address);
      return undefined;
    }
    return record;
  }
}

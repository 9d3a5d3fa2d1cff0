// Password logins under attack. The rules, and why:
// - Per account, failures buy exponential delays (a few free tries, then 1 s, 2 s, 4 s … capped), never
//   a lockout: a guesser gets a handful of tries an hour, the real user waits at most the cap.
// - A browser that signed in before carries a signed device cookie for that account. It bypasses the
//   account's delay and the address limit (its own failures are counted separately), and its success
//   resets the account: the real agent gets in during a guessing attack on their own account.
// - Per address, failures fill a bucket that drains over time; behind a reverse proxy the address is
//   the client's (X-Forwarded-For is believed only from the configured proxies: fastify trustProxy).
//   An office's shared address under attack slows new browsers there, never the agents' known ones.
// - scrypt work is a global budget (verifications per second, a share reserved for known devices),
//   so a flood of logins cannot take the hub's CPU or starve the real users.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { VisioError } from '../../common/result';

/** Tunables of the login guard (defaults in DEFAULT_LOGIN_GUARD). */
export interface LoginGuardOptions {
  /** Failures per account before delays start. */
  freeFailures: number;
  /** First delay after the free failures (ms); doubles with each further failure. */
  baseDelayMs: number;
  /** Longest account delay (ms): what a real user without a known device waits at worst. */
  maxDelayMs: number;
  /** A failure is forgotten after this long without another (ms). */
  failureMemoryMs: number;
  /** Failures one address may make at once (bucket size). */
  addressBurst: number;
  /** Failures per minute an address earns back. */
  addressPerMinute: number;
  /** Failures one known device may make before it stops bypassing (until a success). */
  deviceFailures: number;
  /** Password verifications (scrypt) per second, hub-wide. */
  hashPerSecond: number;
  /** Verifications that may start at once beyond the rate (bucket size). */
  hashBurst: number;
  /** Share of the hash budget only known devices may use (0–1). */
  knownDeviceShare: number;
  /** Device cookie lifetime (ms). */
  deviceTtlMs: number;
  /** Accounts and addresses remembered at most (oldest dropped first). */
  maxKeys: number;
}

export const DEFAULT_LOGIN_GUARD: LoginGuardOptions = {
  freeFailures: 3,
  baseDelayMs: 1_000,
  maxDelayMs: 5 * 60_000,
  failureMemoryMs: 24 * 3600_000,
  addressBurst: 30,
  addressPerMinute: 2,
  deviceFailures: 10,
  hashPerSecond: 20,
  hashBurst: 40,
  knownDeviceShare: 0.25,
  deviceTtlMs: 180 * 24 * 3600_000,
  maxKeys: 50_000,
};

/** Name of the device cookie (path /api/login only, HttpOnly, SameSite=Strict). */
export const DEVICE_COOKIE = 'vg_device';

/** A login refused before its password was checked; `retryAfterMs` goes in Retry-After. */
export class LoginThrottledError extends VisioError {
  constructor(
    readonly reason: 'account_delay' | 'address_limit' | 'hash_budget',
    readonly retryAfterMs: number,
  ) {
    super('rate_limited', reason === 'hash_budget' ? 'the hub is busy; try again in a moment' : 'too many failed attempts; try again later');
  }
}

interface AccountState { failures: number; last: number; until: number }
interface Bucket { tokens: number; at: number }

/** Decides whether a login attempt may check its password, and records the outcome. The clock is injected. */
export class LoginGuard {
  private readonly accounts = new Map<string, AccountState>();
  private readonly addresses = new Map<string, Bucket>();
  private readonly devices = new Map<string, number>();
  private readonly hash: Bucket;
  readonly opts: LoginGuardOptions;

  constructor(
    private readonly deviceKey: Uint8Array,
    private readonly now: () => number = Date.now,
    opts: Partial<LoginGuardOptions> = {},
  ) {
    if (deviceKey.length < 32) throw new RangeError('device cookie key must be at least 32 bytes');
    this.opts = { ...DEFAULT_LOGIN_GUARD, ...opts };
    this.hash = { tokens: this.opts.hashBurst, at: now() };
  }

  /**
   * Checks an attempt before any password work; throws LoginThrottledError when it must wait.
   * `device` is the request's device cookie (raw value); it counts only if signed for this username.
   * Returns the verified device id (or null) to pass to `succeeded`/`failed`.
   */
  admit(username: string, address: string, deviceCookie: string | undefined): { device: string | null } {
    const user = username.toLowerCase();
    const t = this.now();
    const device = this.verifyDevice(deviceCookie, user, t);
    const known = device !== null && (this.devices.get(`${user}|${device}`) ?? 0) < this.opts.deviceFailures;
    if (!known) {
      const acct = this.accounts.get(user);
      if (acct && acct.until > t && t - acct.last < this.opts.failureMemoryMs) throw new LoginThrottledError('account_delay', acct.until - t);
      const addr = this.refill(this.addresses.get(address), this.opts.addressBurst, this.opts.addressPerMinute / 60_000, t);
      if (addr.tokens < 1) throw new LoginThrottledError('address_limit', Math.ceil((1 - addr.tokens) / (this.opts.addressPerMinute / 60_000)));
    }
    // Known devices may spend the whole bucket; others stop where the reserved share begins.
    const h = this.refill(this.hash, this.opts.hashBurst, this.opts.hashPerSecond / 1000, t);
    const floor = known ? 1 : 1 + this.opts.hashBurst * this.opts.knownDeviceShare;
    if (h.tokens < floor) throw new LoginThrottledError('hash_budget', Math.ceil((floor - h.tokens) / (this.opts.hashPerSecond / 1000)));
    h.tokens -= 1;
    return { device: known ? device : null };
  }

  /** Records a wrong password (or unknown user) for the account, the address, and the device if any. */
  failed(username: string, address: string, device: string | null): void {
    const user = username.toLowerCase();
    const t = this.now();
    if (device !== null) {
      // A known device's failures do not delay the account for everyone else: they are its own.
      const key = `${user}|${device}`;
      this.remember(this.devices, key, (this.devices.get(key) ?? 0) + 1);
      return;
    }
    const prev = this.accounts.get(user);
    const failures = prev && t - prev.last < this.opts.failureMemoryMs ? prev.failures + 1 : 1;
    const over = failures - this.opts.freeFailures;
    const delay = over <= 0 ? 0 : Math.min(this.opts.maxDelayMs, this.opts.baseDelayMs * 2 ** Math.min(30, over - 1));
    this.remember(this.accounts, user, { failures, last: t, until: t + delay });
    const addr = this.refill(this.addresses.get(address), this.opts.addressBurst, this.opts.addressPerMinute / 60_000, t);
    addr.tokens -= 1;
    this.remember(this.addresses, address, addr);
  }

  /** A right password: the account's delay is reset; returns a fresh device cookie value for this browser. */
  succeeded(username: string, device: string | null): string {
    const user = username.toLowerCase();
    this.accounts.delete(user);
    const id = device ?? randomBytes(12).toString('base64url');
    this.devices.delete(`${user}|${id}`);
    return this.signDevice(user, id, this.now());
  }

  /** The account's current delay (ms, 0 when none): for logs and tests. */
  accountDelayMs(username: string): number {
    const acct = this.accounts.get(username.toLowerCase());
    return acct ? Math.max(0, acct.until - this.now()) : 0;
  }

  private signDevice(user: string, id: string, issuedAt: number): string {
    const body = `v1.${Buffer.from(user).toString('base64url')}.${id}.${issuedAt.toString(36)}`;
    return `${body}.${this.mac(body)}`;
  }

  /** The device id when the cookie is ours, for this user, and not expired; else null. */
  private verifyDevice(cookie: string | undefined, user: string, t: number): string | null {
    if (!cookie || cookie.length > 300) return null;
    const parts = cookie.split('.');
    if (parts.length !== 5 || parts[0] !== 'v1') return null;
    const body = parts.slice(0, 4).join('.');
    const given = Buffer.from(parts[4]!, 'base64url');
    const want = Buffer.from(this.mac(body), 'base64url');
    if (given.length !== want.length || !timingSafeEqual(given, want)) return null;
    if (Buffer.from(parts[1]!, 'base64url').toString() !== user) return null;
    const issued = parseInt(parts[3]!, 36);
    if (!Number.isFinite(issued) || t - issued > this.opts.deviceTtlMs || issued > t + 60_000) return null;
    return parts[2]!;
  }

  private mac(body: string): string {
    return createHmac('sha256', this.deviceKey).update(body).digest('base64url');
  }

  private refill(b: Bucket | undefined, burst: number, perMs: number, t: number): Bucket {
    const bucket = b ?? { tokens: burst, at: t };
    bucket.tokens = Math.min(burst, bucket.tokens + (t - bucket.at) * perMs);
    bucket.at = t;
    return bucket;
  }

  private remember<V>(map: Map<string, V>, key: string, value: V): void {
    map.delete(key);
    map.set(key, value);
    if (map.size > this.opts.maxKeys) map.delete(map.keys().next().value as string);
  }
}

/** The value of one cookie in a Cookie header (no dependency for one cookie). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Set-Cookie for the device cookie: only sent back to the login route, never readable by scripts. */
export function deviceCookieHeader(value: string, maxAgeMs: number, secure: boolean): string {
  return `${DEVICE_COOKIE}=${value}; Path=/api/login; Max-Age=${Math.floor(maxAgeMs / 1000)}; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

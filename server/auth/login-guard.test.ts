import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { LoginGuard, LoginThrottledError, readCookie } from './login-guard';

function guard(opts: ConstructorParameters<typeof LoginGuard>[2] = {}) {
  const clock = { t: 1_700_000_000_000 };
  const g = new LoginGuard(randomBytes(32), () => clock.t, opts);
  return { g, clock };
}

function refusal(fn: () => unknown): LoginThrottledError | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    if (err instanceof LoginThrottledError) return err;
    throw err;
  }
}

describe('LoginGuard: per-account delays', () => {
  it('gives a few free failures, then delays that double up to the cap, and never a lockout', () => {
    const { g, clock } = guard({ freeFailures: 3, baseDelayMs: 1_000, maxDelayMs: 60_000, hashPerSecond: 1e6, hashBurst: 1e6 });
    const delays: number[] = [];
    for (let i = 0; i < 12; i++) {
      // Wait out whatever delay there is, then fail once more.
      clock.t += g.accountDelayMs('alice');
      expect(refusal(() => g.admit('alice', '10.0.0.1', undefined))).toBeUndefined();
      g.failed('alice', `10.0.0.${i}`, null);
      delays.push(g.accountDelayMs('alice'));
    }
    expect(delays).toEqual([0, 0, 0, 1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000]);
    // Inside the delay the attempt is refused without a password check, with the wait to announce.
    const r = refusal(() => g.admit('alice', '10.9.9.9', undefined));
    expect(r?.reason).toBe('account_delay');
    expect(r?.retryAfterMs).toBe(60_000);
    // After it, the real password is tried again (no lockout), and a success resets the account.
    clock.t += 60_000;
    const { device } = g.admit('alice', '10.9.9.9', undefined);
    g.succeeded('alice', device);
    expect(g.accountDelayMs('alice')).toBe(0);
  });

  it('usernames are one account whatever their case', () => {
    const { g } = guard({ freeFailures: 0, hashPerSecond: 1e6, hashBurst: 1e6 });
    g.failed('Alice', '10.0.0.1', null);
    expect(refusal(() => g.admit('ALICE', '10.0.0.2', undefined))?.reason).toBe('account_delay');
  });
});

describe('LoginGuard: the real user gets in during a guessing attack', () => {
  it('a known device (signed cookie from an earlier success) bypasses the account delay and the address limit, and its success resets the account', () => {
    const { g, clock } = guard({ freeFailures: 3, addressBurst: 30, addressPerMinute: 2, hashPerSecond: 1e6, hashBurst: 1e6 });
    // Monday: Alice signs in from her office PC and keeps the cookie.
    const cookie = g.succeeded('alice', g.admit('alice', '192.0.2.10', undefined).device);
    // Tuesday: someone guesses Alice's password from the office's own NAT address (the same as hers) and from elsewhere.
    clock.t += 86_400_000;
    let guesses = 0;
    for (let i = 0; i < 200; i++) {
      const addr = i % 2 ? '192.0.2.10' : '203.0.113.7';
      if (refusal(() => g.admit('alice', addr, undefined))) continue;
      guesses++;
      g.failed('alice', addr, null);
      clock.t += 100;
    }
    // The guesser got a handful of tries, and both addresses and the account are now slowed down.
    expect(guesses).toBeLessThanOrEqual(4);
    expect(refusal(() => g.admit('alice', '192.0.2.10', undefined))?.reason).toBe('account_delay');
    expect(refusal(() => g.admit('bob', '192.0.2.10', undefined))).toBeUndefined();
    // Alice, from her PC at the same address, is let through at once; a typo first does not lock her out either.
    const first = g.admit('alice', '192.0.2.10', cookie);
    expect(first.device).not.toBeNull();
    g.failed('alice', '192.0.2.10', first.device);
    const second = g.admit('alice', '192.0.2.10', cookie);
    g.succeeded('alice', second.device);
    expect(g.accountDelayMs('alice')).toBe(0);
  });

  it('an office address under a spraying attack slows only new browsers there; an agent with a known device still gets in', () => {
    const { g } = guard({ addressBurst: 30, addressPerMinute: 2, hashPerSecond: 1e6, hashBurst: 1e6 });
    const cookie = g.succeeded('carole', g.admit('carole', '198.51.100.4', undefined).device);
    // Many usernames from the office's one address.
    for (let i = 0; i < 30; i++) {
      g.admit(`user${i}`, '198.51.100.4', undefined);
      g.failed(`user${i}`, '198.51.100.4', null);
    }
    expect(refusal(() => g.admit('dave', '198.51.100.4', undefined))?.reason).toBe('address_limit');
    expect(refusal(() => g.admit('carole', '198.51.100.4', cookie))).toBeUndefined();
    // Elsewhere nobody notices.
    expect(refusal(() => g.admit('dave', '198.51.100.5', undefined))).toBeUndefined();
  });

  it('a cookie is only good for the account it was issued to, unaltered, and not past its lifetime', () => {
    const { g, clock } = guard({ freeFailures: 0, baseDelayMs: 5_000_000, maxDelayMs: 5_000_000, deviceTtlMs: 1_000_000, hashPerSecond: 1e6, hashBurst: 1e6 });
    const cookie = g.succeeded('alice', null);
    g.failed('alice', '10.0.0.1', null);
    g.failed('bob', '10.0.0.1', null);
    expect(refusal(() => g.admit('bob', '10.0.0.1', cookie))?.reason).toBe('account_delay');
    const forged = cookie.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    expect(refusal(() => g.admit('alice', '10.0.0.1', forged))?.reason).toBe('account_delay');
    expect(refusal(() => g.admit('alice', '10.0.0.1', cookie))).toBeUndefined();
    clock.t += 1_000_001;
    expect(refusal(() => g.admit('alice', '10.0.0.1', cookie))?.reason).toBe('account_delay');
  });

  it('a stolen cookie stops bypassing after its own failures', () => {
    const { g } = guard({ freeFailures: 0, deviceFailures: 3, hashPerSecond: 1e6, hashBurst: 1e6 });
    const cookie = g.succeeded('alice', null);
    let bypassing = 0;
    for (let i = 0; i < 20; i++) {
      if (refusal(() => g.admit('alice', '10.0.0.1', cookie))) break;
      const { device } = g.admit('alice', '10.0.0.1', cookie);
      if (device !== null) bypassing++;
      g.failed('alice', '10.0.0.1', device);
    }
    // Three tries as a known device, then one as anybody, which starts the account's delay.
    expect(bypassing).toBe(3);
    expect(refusal(() => g.admit('alice', '10.0.0.1', cookie))?.reason).toBe('account_delay');
  });
});

describe('LoginGuard: the password-hash budget', () => {
  it('caps verifications per second hub-wide and keeps a share for known devices', () => {
    const { g, clock } = guard({ hashPerSecond: 10, hashBurst: 20, knownDeviceShare: 0.25, addressBurst: 1e6 });
    const cookie = g.succeeded('alice', null);
    let admitted = 0;
    for (let i = 0; i < 100; i++) if (!refusal(() => g.admit(`u${i}`, `10.1.${i}.1`, undefined))) admitted++;
    // 20 in the bucket, 5 of them reserved.
    expect(admitted).toBe(15);
    const r = refusal(() => g.admit('zed', '10.2.0.1', undefined));
    expect(r?.reason).toBe('hash_budget');
    expect(r!.retryAfterMs).toBeGreaterThan(0);
    // The known device uses the reserve.
    expect(refusal(() => g.admit('alice', '10.1.0.1', cookie))).toBeUndefined();
    // One second later, ten more.
    clock.t += 1_000;
    admitted = 0;
    for (let i = 0; i < 100; i++) if (!refusal(() => g.admit(`v${i}`, `10.3.${i}.1`, undefined))) admitted++;
    expect(admitted).toBe(9);
  });
});

describe('readCookie', () => {
  it('finds one cookie among others', () => {
    expect(readCookie('a=1; vg_device=v1.x.y.z.w; b=2', 'vg_device')).toBe('v1.x.y.z.w');
    expect(readCookie('a=1', 'vg_device')).toBeUndefined();
    expect(readCookie(undefined, 'vg_device')).toBeUndefined();
  });
});

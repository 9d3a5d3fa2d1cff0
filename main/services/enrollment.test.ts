import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EnrollState } from '../../common/enroll';
import { IdentityFileError, readIdentity, startEnrollment, writeIdentity, type FetchLike } from './enrollment';

/** Timers a test fires by hand: each sleep waits until `tick()`. */
function manualTimers() {
  const pending: { fn: () => void; ms: number }[] = [];
  return {
    timers: {
      setTimeout: (fn: () => void, ms: number) => {
        const h = { fn, ms };
        pending.push(h);
        return h;
      },
      clearTimeout: (h: unknown) => {
        const i = pending.indexOf(h as { fn: () => void; ms: number });
        if (i >= 0) pending.splice(i, 1);
      },
    },
    /** Fires the oldest timer; returns its delay. */
    async tick(): Promise<number> {
      for (let i = 0; i < 50 && pending.length === 0; i++) await new Promise((r) => setImmediate(r));
      const h = pending.shift();
      if (!h) throw new Error('no timer pending');
      h.fn();
      return h.ms;
    },
  };
}

const grant = (n: number) => ({
  device_code: `device-code-${n}-xxxxxxxxxxxxxxxxxxxx`, user_code: `BCDF-GHJ${'KLM'[n] ?? 'K'}`, verification_uri: 'http://hub/console/#/enroll',
  verification_uri_complete: `http://hub/console/#/enroll?code=X${n}`, expires_in: 600, interval: 5, fingerprint: 'abcdef0123456789',
});

/** A scripted hub: answers in order; records what the booth asked. */
function scriptedFetch(answers: ({ status: number; body: unknown } | Error)[]) {
  const calls: { url: string; body: unknown }[] = [];
  const fetch: FetchLike = async (url, init) => {
    calls.push({ url, body: JSON.parse(init.body) as unknown });
    const a = answers.shift();
    if (!a) throw new Error('script exhausted');
    if (a instanceof Error) throw a;
    return { status: a.status, json: async () => a.body };
  };
  return { fetch, calls };
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('booth enrollment client', () => {
  it('follows the RFC: pending, slow_down lengthens the interval, an expired code is replaced, a down hub is retried', async () => {
    const { timers, tick } = manualTimers();
    const { fetch, calls } = scriptedFetch([
      new Error('ECONNREFUSED'),
      { status: 200, body: grant(0) },
      { status: 400, body: { error: 'authorization_pending' } },
      { status: 400, body: { error: 'slow_down' } },
      { status: 400, body: { error: 'expired_token' } },
      { status: 200, body: grant(1) },
      { status: 200, body: { kioskId: 'qc-01', name: 'K1', office: 'Québec' } },
    ]);
    const states: EnrollState[] = [];
    const e = startEnrollment({ hubBase: 'http://hub/', publicKeyPem: 'PEM', onState: (s) => states.push(s), fetch, timers, random: () => 0.5 });
    expect(await tick()).toBeGreaterThan(0); // retry after the refused connection
    expect(await tick()).toBe(5000); // first poll after the interval
    expect(await tick()).toBe(5000); // pending: same interval
    expect(await tick()).toBe(10_000); // slow_down: +5 s
    expect(await tick()).toBe(5000); // new code: its own interval
    await expect(e.result).resolves.toEqual({ kioskId: 'qc-01', name: 'K1', office: 'Québec' });
    expect(states.map((s) => s.state)).toEqual(['starting', 'code', 'code']);
    expect(states[1]).toMatchObject({ userCode: 'BCDF-GHJK', verifyUrl: 'http://hub/console/#/enroll?code=X0', revoked: false });
    expect(calls.map((c) => c.url)).toEqual([
      'http://hub/api/enroll/device', 'http://hub/api/enroll/device', 'http://hub/api/enroll/token', 'http://hub/api/enroll/token',
      'http://hub/api/enroll/token', 'http://hub/api/enroll/device', 'http://hub/api/enroll/token',
    ]);
    expect(calls[2]!.body).toEqual({ grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: grant(0).device_code });
  });

  it('stop() ends the wait: the result rejects with enrollment_stopped', async () => {
    const { timers } = manualTimers();
    const { fetch } = scriptedFetch([{ status: 200, body: grant(0) }]);
    const e = startEnrollment({ hubBase: 'http://hub', publicKeyPem: 'PEM', onState: () => {}, fetch, timers });
    await new Promise((r) => setImmediate(r));
    e.stop();
    await expect(e.result).rejects.toMatchObject({ code: 'enrollment_stopped' });
  });

  it('keeps its identity in a file; a damaged file is a named error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vg-identity-'));
    dirs.push(dir);
    expect(readIdentity(dir)).toBeUndefined();
    writeIdentity(dir, { state: 'enrolled', kioskId: 'qc-01', name: 'K1', office: 'Québec', hubUrl: 'http://hub', enrolledAt: 1 });
    expect(readIdentity(dir)).toMatchObject({ state: 'enrolled', kioskId: 'qc-01' });
    writeIdentity(dir, { state: 'revoked', kioskId: 'qc-01', revokedAt: 2 });
    expect(readIdentity(dir)).toEqual({ state: 'revoked', kioskId: 'qc-01', revokedAt: 2 });
    writeFileSync(join(dir, 'identity.json'), '{"state":"enrolled"');
    expect(() => readIdentity(dir)).toThrow(IdentityFileError);
  });
});

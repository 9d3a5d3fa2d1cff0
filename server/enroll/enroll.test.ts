import { afterEach, describe, expect, it } from 'vitest';
import { generateKeyPairSync, sign } from 'node:crypto';
import { WebSocket } from 'ws';
import { normalizeUserCode, USER_CODE_ALPHABET } from '../../common/enroll';
import { kioskAuthMessage } from '../../common/protocol';
import { createAgent } from '../accounts';
import { createHub, type Hub } from '../hub';
import { GuessGuard, DEFAULT_ENROLL_LIMITS } from './routes';
import { kioskIdFrom, newUserCode } from './store';

const hubs: Hub[] = [];
afterEach(async () => {
  await Promise.all(hubs.splice(0).map((h) => h.close()));
});

function boothKey() {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { pem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), sign: (m: string) => sign(null, Buffer.from(m), privateKey).toString('base64url') };
}

async function start(limits = {}) {
  let t = 1_700_000_000_000;
  const clock = { now: () => t, advance: (ms: number) => (t += ms) };
  const hub = await createHub({ dbPath: ':memory:', now: clock.now, enrollLimits: limits });
  hubs.push(hub);
  const tokens: Record<string, string> = {};
  for (const role of ['technician', 'agent'] as const) {
    const { password } = await createAgent(hub.db, { username: role, displayName: role, role });
    const res = await fetch(`${hub.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: role, password }) });
    tokens[role] = ((await res.json()) as { token: string }).token;
  }
  const post = async (path: string, body: unknown, token?: string) => {
    const res = await fetch(`${hub.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  return { hub, clock, tokens, post };
}

/** Dials /ws with the booth key: resolves with the close code, or 'welcome'. */
function dial(hub: Hub, kioskId: string, key: ReturnType<typeof boothKey>): Promise<{ result: 'welcome' | number; ws: WebSocket }> {
  return new Promise((done) => {
    const ws = new WebSocket(hub.wsUrl);
    ws.on('open', () => ws.send(JSON.stringify({ type: 'kiosk.hello', v: 1, kioskId })));
    ws.on('message', (data) => {
      const f = JSON.parse(String(data)) as { type: string; nonce?: string };
      if (f.type === 'kiosk.challenge') ws.send(JSON.stringify({ type: 'kiosk.prove', v: 1, kioskId, signature: key.sign(kioskAuthMessage(kioskId, new URL(hub.url).host, f.nonce!)) }));
      if (f.type === 'welcome') done({ result: 'welcome', ws });
    });
    ws.on('close', (code) => done({ result: code, ws }));
  });
}

describe('enrollment (RFC 8628 device grant)', () => {
  it('codes use 8 unambiguous letters; ids come from office and name', () => {
    for (let i = 0; i < 200; i++) {
      const c = newUserCode();
      expect(c).toMatch(new RegExp(`^[${USER_CODE_ALPHABET}]{8}$`));
    }
    expect(USER_CODE_ALPHABET).not.toMatch(/[AEIOUY01]/);
    expect(normalizeUserCode(' bcdf-ghjk ')).toBe('BCDFGHJK');
    expect(normalizeUserCode('BCDF-GHJ0')).toBeNull();
    expect(kioskIdFrom('Bureau de Lévis', 'Kiosque 1')).toBe('bureau-de-levis-kiosque-1');
  });

  it('pending → slow_down → approved by a technician → the booth gets its id once, then connects with its key', async () => {
    const { hub, clock, tokens, post } = await start();
    const key = boothKey();
    const dev = await post('/api/enroll/device', { publicKey: key.pem });
    expect(dev.status).toBe(200);
    expect(dev.body).toMatchObject({ expires_in: 600, interval: 5 });
    expect(String(dev.body.user_code)).toMatch(/^[A-Z]{4}-[A-Z]{4}$/);
    expect(String(dev.body.verification_uri_complete)).toContain(`/console/#/enroll?code=${String(dev.body.user_code)}`);
    const device_code = String(dev.body.device_code);

    expect(await post('/api/enroll/token', { device_code })).toMatchObject({ status: 400, body: { error: 'authorization_pending' } });
    clock.advance(1000);
    expect(await post('/api/enroll/token', { device_code })).toMatchObject({ status: 400, body: { error: 'slow_down' } });

    // Agents answer citizens; they do not enroll booths.
    const approve = { userCode: String(dev.body.user_code).toLowerCase(), name: 'Kiosque 1', office: 'Bureau de Lévis' };
    expect((await post('/api/enroll/approve', approve, tokens.agent)).status).toBe(403);
    expect((await post('/api/enroll/approve', approve)).status).toBe(401);
    const view = await fetch(`${hub.url}/api/enroll/requests/${String(dev.body.user_code)}`, { headers: { authorization: `Bearer ${tokens.technician}` } });
    expect(await view.json()).toMatchObject({ fingerprint: dev.body.fingerprint, status: 'pending' });
    expect(await post('/api/enroll/approve', approve, tokens.technician)).toMatchObject({ status: 200, body: { kioskId: 'bureau-de-levis-kiosque-1' } });
    // Single use: the same code cannot approve a second booth.
    expect((await post('/api/enroll/approve', approve, tokens.technician)).status).toBe(404);

    clock.advance(10_000);
    expect(await post('/api/enroll/token', { device_code })).toMatchObject({ status: 200, body: { kioskId: 'bureau-de-levis-kiosque-1', name: 'Kiosque 1', office: 'Bureau de Lévis' } });
    expect(await post('/api/enroll/token', { device_code })).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });

    const { result, ws } = await dial(hub, 'bureau-de-levis-kiosque-1', key);
    expect(result).toBe('welcome');
    ws.close();
  });

  it('a code expires after 10 minutes; a refused code gets access_denied', async () => {
    const { clock, tokens, post } = await start();
    const a = await post('/api/enroll/device', { publicKey: boothKey().pem });
    const b = await post('/api/enroll/device', { publicKey: boothKey().pem });
    expect((await post('/api/enroll/deny', { userCode: b.body.user_code }, tokens.technician)).status).toBe(200);
    expect(await post('/api/enroll/token', { device_code: b.body.device_code })).toMatchObject({ body: { error: 'access_denied' } });
    clock.advance(600_000);
    expect(await post('/api/enroll/token', { device_code: a.body.device_code })).toMatchObject({ body: { error: 'expired_token' } });
    expect((await post('/api/enroll/approve', { userCode: a.body.user_code, name: 'K', office: 'O' }, tokens.technician)).status).toBe(404);
    expect((await post('/api/enroll/device', { publicKey: 'not a key at all, certainly not ed25519' })).status).toBe(400);
  });

  it('brute force fails: after 10 wrong codes from an address even the right code is refused there', async () => {
    const { tokens, post } = await start();
    const real = await post('/api/enroll/device', { publicKey: boothKey().pem });
    let refused = 0;
    for (let i = 0; i < 40; i++) {
      const guess = newUserCode();
      if (guess === String(real.body.user_code).replace('-', '')) continue;
      const r = await post('/api/enroll/approve', { userCode: guess, name: 'Pirate', office: 'Nulle part' }, tokens.technician);
      expect([404, 429]).toContain(r.status);
      if (r.status === 429) refused++;
    }
    expect(refused).toBeGreaterThanOrEqual(29);
    expect((await post('/api/enroll/approve', { userCode: real.body.user_code, name: 'K', office: 'O' }, tokens.technician)).status).toBe(429);
    expect(await post('/api/enroll/token', { device_code: real.body.device_code })).toMatchObject({ body: { error: 'authorization_pending' } });
  });

  it('the hub-wide guess budget holds against guesses spread over many addresses', () => {
    let t = 0;
    const guard = new GuessGuard({ ...DEFAULT_ENROLL_LIMITS }, () => t);
    let tried = 0;
    for (let a = 0; a < 1000 && !guard.blocked(`10.0.${a >> 8}.${a & 255}`); a++) {
      for (let i = 0; i < 5; i++) guard.fail(`10.0.${a >> 8}.${a & 255}`);
      tried += 5;
    }
    expect(tried).toBe(DEFAULT_ENROLL_LIMITS.global);
    expect(guard.blocked('192.0.2.1')).toBe(true);
    t += DEFAULT_ENROLL_LIMITS.windowMs + 1;
    expect(guard.blocked('192.0.2.1')).toBe(false);
    // 200 guesses per 15 min over 2.6e10 codes with a 10-minute life: the odds of hitting one live code are ~1e-8.
  });

  it('revocation closes the booth socket at once (4403) and its next dial hears 4403; re-enrollment reuses the id', async () => {
    const { hub, tokens, post } = await start();
    const key = boothKey();
    const dev = await post('/api/enroll/device', { publicKey: key.pem });
    await post('/api/enroll/approve', { userCode: dev.body.user_code, name: 'K1', office: 'Québec', kioskId: 'qc-01' }, tokens.technician);
    const { result, ws } = await dial(hub, 'qc-01', key);
    expect(result).toBe('welcome');
    const closed = new Promise<number>((done) => ws.on('close', (code) => done(code)));
    expect((await post('/api/kiosks/qc-01/revoke', {}, tokens.agent)).status).toBe(403);
    expect((await post('/api/kiosks/qc-01/revoke', {}, tokens.technician)).status).toBe(200);
    expect(await closed).toBe(4403);
    expect((await dial(hub, 'qc-01', key)).result).toBe(4403);

    // An active id is not taken over; the revoked one is, with the new request's key.
    const again = await post('/api/enroll/device', { publicKey: key.pem });
    expect(await post('/api/enroll/approve', { userCode: again.body.user_code, name: 'K1', office: 'Québec', kioskId: 'qc-01' }, tokens.technician)).toMatchObject({ status: 200, body: { reenrolled: true } });
    const back = await dial(hub, 'qc-01', key);
    expect(back.result).toBe('welcome');
    back.ws.close();
    const other = await post('/api/enroll/device', { publicKey: boothKey().pem });
    expect((await post('/api/enroll/approve', { userCode: other.body.user_code, name: 'X', office: 'Y', kioskId: 'qc-01' }, tokens.technician)).status).toBe(409);
  });
});

import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { kioskAuthMessage, type HubChallenge } from '../../common/protocol';
import { createKiosk, KioskVerifier, registerKioskKey } from '../accounts';
import { createHub, type Hub, type HubOptions } from '../hub';
import { HubTestClient } from '../test-client';
import { kioskKeyFingerprint, kioskPublicKeyPem, parseKioskPublicKey, PublicKeyCache, WorkLimiter } from './kiosk-keys';

const open: { close(): unknown }[] = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

function boothKey(): { privateKey: KeyObject; pem: string; raw: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return { privateKey, pem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), raw: der.subarray(der.length - 32).toString('base64') };
}

const signProof = (key: KeyObject, kioskId: string, host: string, nonce: string) => sign(null, Buffer.from(kioskAuthMessage(kioskId, host, nonce)), key).toString('base64url');

describe('booth public keys', () => {
  it('accepts Ed25519 as PEM or raw base64, normalises to PEM, and refuses anything else with a clear error', () => {
    const k = boothKey();
    expect(kioskPublicKeyPem(k.raw)).toBe(k.pem);
    expect(kioskPublicKeyPem(k.pem)).toBe(k.pem);
    expect(kioskKeyFingerprint(k.pem)).toMatch(/^[0-9a-f]{16}$/);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(() => parseKioskPublicKey(rsa)).toThrow(/must be Ed25519, not rsa/);
    expect(() => parseKioskPublicKey('AAAA')).toThrow(expect.objectContaining({ code: 'invalid_message' }));
    expect(() => parseKioskPublicKey('-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----')).toThrow(/not a public key/);
  });

  it('parses a key once per kiosk and again when it is replaced', () => {
    const cache = new PublicKeyCache(2);
    const [a, b, c] = [boothKey(), boothKey(), boothKey()];
    const first = cache.get('k1', a.pem);
    expect(cache.get('k1', a.pem)).toBe(first);
    expect(cache.get('k1', b.pem)).not.toBe(first);
    cache.get('k2', b.pem);
    cache.get('k3', c.pem);
    expect(cache.size).toBe(2);
    expect(cache.get('k4', 'garbage')).toBeUndefined();
  });
});

describe('work limiter', () => {
  it('runs at most N jobs at once, queues a bounded number, and refuses beyond with rate_limited', async () => {
    const limiter = new WorkLimiter(2, 2);
    let running = 0;
    let peak = 0;
    const gates: (() => void)[] = [];
    const job = () =>
      limiter.run(async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise<void>((go) => gates.push(go));
        running--;
      });
    const jobs = [job(), job(), job(), job()];
    await expect(job()).rejects.toMatchObject({ code: 'rate_limited' });
    expect(limiter.load).toEqual({ active: 2, waiting: 2 });
    while (gates.length || limiter.load.active) {
      gates.shift()?.();
      await new Promise((r) => setImmediate(r));
    }
    await Promise.all(jobs);
    expect(peak).toBe(2);
    expect(limiter.load).toEqual({ active: 0, waiting: 0 });
  });
});

describe('hub: booth key-pair authentication', () => {
  async function startHub(extra: Partial<HubOptions> = {}) {
    const hub = await createHub({ dbPath: ':memory:', ...extra });
    open.push(hub);
    return hub;
  }
  async function connect(hub: Hub): Promise<HubTestClient> {
    const c = await HubTestClient.connect(hub.wsUrl);
    open.push(c);
    return c;
  }
  const hostOf = (hub: Hub) => new URL(hub.url).host;
  async function challenge(c: HubTestClient, kioskId: string): Promise<string> {
    c.send({ type: 'kiosk.hello', v: 1, kioskId });
    const frame = (await c.next()) as unknown as HubChallenge;
    expect(frame).toMatchObject({ type: 'kiosk.challenge', v: 1 });
    return frame.nonce;
  }

  it('welcomes a booth that signs the challenge with its registered key; the secret path is not needed', async () => {
    const hub = await startHub();
    const key = boothKey();
    expect(registerKioskKey(hub.db, { kioskId: 'qc-01', publicKey: key.raw, name: 'Kiosque 1', office: 'Québec' })).toMatchObject({ kioskId: 'qc-01', created: true });
    const c = await connect(hub);
    const nonce = await challenge(c, 'qc-01');
    c.send({ type: 'kiosk.prove', v: 1, kioskId: 'qc-01', signature: signProof(key.privateKey, 'qc-01', hostOf(hub), nonce) });
    expect(await c.next('welcome')).toMatchObject({ role: 'kiosk', name: 'Kiosque 1' });
    // A key-only kiosk has no secret: no secret opens it.
    const legacy = await connect(hub);
    legacy.send({ type: 'kiosk.auth', v: 1, kioskId: 'qc-01', secret: 'x'.repeat(32) });
    expect(await legacy.next()).toMatchObject({ type: 'error', code: 'unauthorized' });
  });

  it('refuses a wrong key, a proof without a challenge, a proof replayed on a new socket, another host, and a disabled kiosk', async () => {
    const hub = await startHub();
    const key = boothKey();
    const other = boothKey();
    registerKioskKey(hub.db, { kioskId: 'qc-01', publicKey: key.pem });
    const refused = async (c: HubTestClient) => {
      expect(await c.next()).toMatchObject({ type: 'error', code: 'unauthorized' });
      expect((await c.waitClosed()).code).toBe(4401);
    };

    const wrongKey = await connect(hub);
    const n1 = await challenge(wrongKey, 'qc-01');
    wrongKey.send({ type: 'kiosk.prove', v: 1, kioskId: 'qc-01', signature: signProof(other.privateKey, 'qc-01', hostOf(hub), n1) });
    await refused(wrongKey);

    const noHello = await connect(hub);
    noHello.send({ type: 'kiosk.prove', v: 1, kioskId: 'qc-01', signature: signProof(key.privateKey, 'qc-01', hostOf(hub), 'A'.repeat(43)) });
    await refused(noHello);

    // A proof captured on one socket is worth nothing on the next: the nonce is new.
    const first = await connect(hub);
    const n2 = await challenge(first, 'qc-01');
    const captured = signProof(key.privateKey, 'qc-01', hostOf(hub), n2);
    first.send({ type: 'kiosk.prove', v: 1, kioskId: 'qc-01', signature: captured });
    await first.next('welcome');
    const replay = await connect(hub);
    await challenge(replay, 'qc-01');
    replay.send({ type: 'kiosk.prove', v: 1, kioskId: 'qc-01', signature: captured });
    await refused(replay);

    // Signed for the host the booth dialled (here another server that relays): not this hub.
    const relayed = await connect(hub);
    const n3 = await challenge(relayed, 'qc-01');
    relayed.send({ type: 'kiosk.prove', v: 1, kioskId: 'qc-01', signature: signProof(key.privateKey, 'qc-01', 'evil.example:443', n3) });
    await refused(relayed);

    const twice = await connect(hub);
    await challenge(twice, 'qc-01');
    twice.send({ type: 'kiosk.hello', v: 1, kioskId: 'qc-01' });
    await refused(twice);

    hub.db.db.prepare('UPDATE kiosks SET disabled = 1 WHERE kiosk_id = ?').run('qc-01');
    const disabled = await connect(hub);
    const n4 = await challenge(disabled, 'qc-01');
    disabled.send({ type: 'kiosk.prove', v: 1, kioskId: 'qc-01', signature: signProof(key.privateKey, 'qc-01', hostOf(hub), n4) });
    await refused(disabled);
  });

  it('a re-registered key takes effect at the next connection; a reconnect replaces the older socket', async () => {
    const hub = await startHub();
    const [k1, k2] = [boothKey(), boothKey()];
    registerKioskKey(hub.db, { kioskId: 'qc-02', publicKey: k1.pem });
    const a = await connect(hub);
    a.send({ type: 'kiosk.prove', v: 1, kioskId: 'qc-02', signature: signProof(k1.privateKey, 'qc-02', hostOf(hub), await challenge(a, 'qc-02')) });
    await a.next('welcome');
    expect(registerKioskKey(hub.db, { kioskId: 'qc-02', publicKey: k2.raw }).created).toBe(false);
    const b = await connect(hub);
    b.send({ type: 'kiosk.prove', v: 1, kioskId: 'qc-02', signature: signProof(k2.privateKey, 'qc-02', hostOf(hub), await challenge(b, 'qc-02')) });
    await b.next('welcome');
    expect(await a.next('error')).toMatchObject({ code: 'conflict' });
    expect((await a.waitClosed()).code).toBe(4409);
  });

  it('refuses new sockets past the unauthenticated cap with 1013, and takes them again once some authenticated', async () => {
    const hub = await startHub();
    const key = boothKey();
    registerKioskKey(hub.db, { kioskId: 'qc-03', publicKey: key.pem });
    const fake = () => {
      const f = { closedWith: undefined as number | undefined, readyState: 1, OPEN: 1, on: () => f, removeAllListeners: () => f, close: (code: number) => (f.closedWith = code), send: () => {}, ping: () => {}, terminate: () => {} };
      return f;
    };
    const { HubSockets } = await import('../sockets');
    const layer = new HubSockets({
      dispatcher: hub.dispatcher, store: hub.db, tokens: undefined as never, kiosks: new KioskVerifier(hub.db), log: hub.app.log, now: Date.now,
      options: { iceServers: [], services: [], authTimeoutMs: 60_000, heartbeatMs: 60_000, rateBurst: 10, ratePerSecond: 10, expiryRecheckMs: 60_000, maxUnauthenticated: 2 },
    });
    open.push(layer);
    const [s1, s2, s3] = [fake(), fake(), fake()];
    layer.accept(s1 as never, 'hub:1');
    layer.accept(s2 as never, 'hub:1');
    layer.accept(s3 as never, 'hub:1');
    expect([s1.closedWith, s2.closedWith, s3.closedWith]).toEqual([undefined, undefined, 1013]);
    expect(layer.counts()).toEqual({ kiosks: 0, agents: 0, unauthenticated: 2 });
    // s1 authenticates: its slot frees, a new socket is taken.
    let nonce = '';
    (s1 as { send: (t: string) => void }).send = (t) => (nonce = (JSON.parse(t) as { nonce?: string }).nonce ?? nonce);
    layer.received(connOf(layer, 1), Buffer.from(JSON.stringify({ type: 'kiosk.hello', v: 1, kioskId: 'qc-03' })), false);
    await vi.waitFor(() => expect(nonce).not.toBe(''));
    layer.received(connOf(layer, 1), Buffer.from(JSON.stringify({ type: 'kiosk.prove', v: 1, kioskId: 'qc-03', signature: signProof(key.privateKey, 'qc-03', 'hub:1', nonce) })), false);
    await vi.waitFor(() => expect(layer.counts()).toEqual({ kiosks: 1, agents: 0, unauthenticated: 1 }));
    const s4 = fake();
    layer.accept(s4 as never, 'hub:1');
    expect(s4.closedWith).toBeUndefined();
  });
});

/** The n-th connection of a socket layer (ids are c1, c2, …). */
function connOf(layer: unknown, n: number): never {
  return (layer as { conns: Map<string, unknown> }).conns.get(`c${n}`) as never;
}

describe('development secret', () => {
  it('costs one scrypt per kiosk: the digest kept after the first check survives a restart of the verifier', async () => {
    const hub = await createHub({ dbPath: ':memory:' });
    open.push(hub);
    const { secret } = await createKiosk(hub.db, { kioskId: 'dev-1', name: 'Dev', office: 'Dev' });
    const digest = () => (hub.db.db.prepare('SELECT secret_digest AS d FROM kiosks WHERE kiosk_id = ?').get('dev-1') as { d: string | null }).d;
    expect(digest()).toBeNull();
    expect(await new KioskVerifier(hub.db).verify('dev-1', 'w'.repeat(32))).toBeNull();
    expect(digest()).toBeNull();
    expect(await new KioskVerifier(hub.db).verify('dev-1', secret)).toMatchObject({ kioskId: 'dev-1' });
    expect(digest()).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // A fresh verifier (a restarted hub) answers from the digest: break the scrypt hash to prove it is not used.
    hub.db.db.prepare("UPDATE kiosks SET secret_hash = 'scrypt$broken' WHERE kiosk_id = ?").run('dev-1');
    const fresh = new KioskVerifier(hub.db);
    expect(await fresh.verify('dev-1', secret)).toMatchObject({ kioskId: 'dev-1' });
    expect(await fresh.verify('dev-1', `${secret.slice(0, -1)}x`)).toBeNull();
    expect(await fresh.verify('nobody', secret)).toBeNull();
  });
});

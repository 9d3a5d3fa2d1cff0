// A fresh booth against a real hub: it shows a code, a technician approves it over the hub's API,
// it composes the full kiosk under the new id and comes online with its key; revoked, it returns to
// a code and its undelivered records wait in the outbox file until it is enrolled again.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EnrollState } from '../../common/enroll';
import { createAgent } from '../../server/accounts';
import { createHub, type Hub } from '../../server/hub';
import { ingestPlugin } from '../../server/ingest/plugin';
import { HubStore } from '../../server/db/store';
import { composeKiosk, hubHttpBase } from '../../main/compose';
import { startBooth, type Booth } from '../../main/services/booth';
import { readIdentity } from '../../main/services/enrollment';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function until<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function setup(dbPath = ':memory:', port = 0) {
  const hub: Hub = await createHub({ dbPath, port, plugins: [ingestPlugin()] });
  cleanups.push(() => hub.close());
  const { password } = await createAgent(hub.db, { username: 'tech', displayName: 'Tech', role: 'technician' });
  const login = await fetch(`${hub.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'tech', password }) });
  const token = ((await login.json()) as { token: string }).token;
  const api = (path: string, body: unknown) =>
    fetch(`${hub.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
  const dataDir = mkdtempSync(join(tmpdir(), 'vg-booth-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const states: EnrollState[] = [];
  const config = {
    hubUrl: hub.wsUrl, dataDir, devMode: false, runtimePort: 0,
    public: (await import('../../common/config')).KioskPublicConfig.parse({}),
  };
  // Fast polls: the hub's interval is 5 s; the test's timers run it at 1/50 of that.
  const timers = { setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms / 50), clearTimeout: (h: unknown) => clearTimeout(h as NodeJS.Timeout) };
  const booth: Booth = await startBooth({
    config, hubBase: hubHttpBase(hub.wsUrl), enrollment: { timers },
    compose: (c) => composeKiosk({ config: c }),
  });
  cleanups.push(() => booth.close());
  booth.subscribe((event, payload) => event === 'enroll.state' && states.push(payload[0] as EnrollState));
  return { hub, api, booth, dataDir, states };
}

const codeOf = async (booth: Booth) => (await until('a code', () => booth.enrollState.state === 'code' && booth.enrollState)) as Extract<EnrollState, { state: 'code' }>;

describe('booth enrollment against a real hub', () => {
  it('code → approved → full kiosk online under its new id; revoked → a code again, outbox kept and delivered after re-enrollment', async () => {
    const { hub, api, booth, dataDir, states } = await setup();
    const first = await codeOf(booth);
    expect(first.userCode).toMatch(/^[A-Z]{4}-[A-Z]{4}$/);
    expect(first.verifyUrl).toContain(`/console/#/enroll?code=${first.userCode}`);
    expect(first.revoked).toBe(false);
    expect((await booth.handlers['enroll.status']()).state).toBe('code');
    expect((await api('/api/enroll/approve', { userCode: first.userCode, name: 'Kiosque 1', office: 'Bureau de Lévis' })).status).toBe(200);
    await until('enrolled', () => booth.enrollState.state === 'enrolled');
    expect(states.map((s) => s.state)).toContain('enrolled');
    expect(readIdentity(dataDir)).toMatchObject({ state: 'enrolled', kioskId: 'bureau-de-levis-kiosque-1', office: 'Bureau de Lévis' });
    await until('online', () => booth.hubLink.status === 'online');

    // Revoked at the hub while the booth still holds its socket: what it writes now cannot be delivered.
    hub.db.db.prepare('UPDATE kiosks SET disabled = 1, public_key = NULL, revoked_at = ? WHERE kiosk_id = ?').run(Date.now(), 'bureau-de-levis-kiosque-1');
    await booth.handlers['outbox.put']({ kind: 'visit', record: { service: 'emploi', language: 'fr', waitMs: 1000, durationMs: 60_000, outcome: 'completed' } });
    await until('the refused delivery', async () => (await booth.handlers['outbox.stats']()).lastSync?.ok === false);
    expect((await booth.handlers['outbox.stats']()).byKind.visit).toBe(1);
    // The console's revoke closes its socket (4403): the booth shows a code again.
    expect((await api('/api/kiosks/bureau-de-levis-kiosque-1/revoke', {})).status).toBe(200);
    const second = await codeOf(booth);
    expect(second.revoked).toBe(true);
    expect(readIdentity(dataDir)).toMatchObject({ state: 'revoked', kioskId: 'bureau-de-levis-kiosque-1' });
    expect(booth.hubLink.status).toBe('offline');
    const delivered = () => hub.db.db.prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM ingest_records WHERE kiosk_id = 'bureau-de-levis-kiosque-1' AND kind = 'visit'").get()!.n;
    expect(delivered()).toBe(0);

    // Enrolled again under the same id: the record written before the revocation reaches the hub.
    expect((await api('/api/enroll/approve', { userCode: second.userCode, name: 'Kiosque 1', office: 'Bureau de Lévis', kioskId: 'bureau-de-levis-kiosque-1' })).status).toBe(200);
    await until('enrolled again', () => booth.enrollState.state === 'enrolled');
    await until('the record delivered', () => delivered() === 1);
    // The hub stores it before the booth reads the acknowledgement.
    await until('the record acknowledged', async () => (await booth.handlers['outbox.stats']()).byKind.visit === 0);
  }, 60_000);

  it('a booth revoked while the hub was away hears it at its next dial and shows a code again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vg-booth-hub-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const dbPath = join(dir, 'hub.sqlite');
    const { hub, api, booth } = await setup(dbPath);
    const code = await codeOf(booth);
    expect((await api('/api/enroll/approve', { userCode: code.userCode, name: 'K2', office: 'Gaspé', kioskId: 'gaspe-02' })).status).toBe(200);
    await until('online', () => booth.hubLink.status === 'online');
    const port = Number(new URL(hub.url).port);
    await hub.close();
    // Revoked while the booth could not be told (a revoke from the CLI or another hub process).
    const store = HubStore.open(dbPath);
    store.db.prepare('UPDATE kiosks SET disabled = 1, public_key = NULL, revoked_at = ? WHERE kiosk_id = ?').run(Date.now(), 'gaspe-02');
    store.close();
    const again = await createHub({ dbPath, port, plugins: [ingestPlugin()] });
    cleanups.push(() => again.close());
    const next = await until('a code after the redial', () => booth.enrollState.state === 'code' && booth.enrollState, 40_000);
    expect(next).toMatchObject({ revoked: true });
  }, 60_000);
});

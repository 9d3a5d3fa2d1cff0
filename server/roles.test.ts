import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Role } from '../common/roles';
import { createAgent, createKiosk, setAccountDisabled, setAccountRole } from './accounts';
import { createHub, type Hub } from './hub';
import { ingestPlugin } from './ingest/plugin';
import { updatesPlugin } from './updates/plugin';

// Every HTTP route of a hub with its plugins, and who may call it. A route missing from this table
// fails the first test: a new route must say which roles it admits.
type Access = 'public' | 'kiosk' | readonly Role[];
const CALLS: readonly Role[] = ['agent', 'supervisor', 'administrator'];
const ANY: readonly Role[] = Role.options;
const TABLE: Record<string, Access> = {
  'POST /api/login': 'public',
  'GET /api/health': 'public',
  'GET /api/kiosks': ANY,
  'POST /api/kiosks/:kioskId/revoke': ['technician', 'administrator'],
  'GET /api/me': ANY,
  'GET /api/accounts': ['administrator'],
  'POST /api/accounts': ['administrator'],
  'PATCH /api/accounts/:username': ['administrator'],
  'POST /api/accounts/:username/password': ['administrator'],
  'POST /api/enroll/device': 'public',
  'POST /api/enroll/token': 'public',
  'GET /api/enroll/requests/:code': ['technician', 'administrator'],
  'POST /api/enroll/approve': ['technician', 'administrator'],
  'POST /api/enroll/deny': ['technician', 'administrator'],
  'POST /api/outbox/ingest': 'kiosk',
  'GET /api/callbacks': CALLS,
  'POST /api/callbacks/:id/claim': CALLS,
  'POST /api/callbacks/:id/done': CALLS,
  'GET /api/kiosk/update': 'kiosk',
  'GET /api/kiosk/update/bundle/:version': 'kiosk',
  'GET /api/admin/updates/status': ['administrator'],
  'GET /api/admin/updates/audit': ['administrator'],
  'GET /api/admin/updates/releases': ['administrator'],
  'POST /api/admin/updates/releases': ['administrator'],
  'PUT /api/admin/updates/releases/:version/bundle': ['administrator'],
  'DELETE /api/admin/updates/releases/:version/bundle': ['administrator'],
  'POST /api/admin/updates/rollout': ['administrator'],
  'POST /api/admin/updates/rollout/advance': ['administrator'],
  'POST /api/admin/updates/rollout/pause': ['administrator'],
  'POST /api/admin/updates/rollout/resume': ['administrator'],
  'POST /api/admin/updates/rollout/rollback': ['administrator'],
  'GET /api/config/:scope': ['technician', 'supervisor', 'administrator'],
  'GET /api/config/:scope/history': ['technician', 'supervisor', 'administrator'],
  'PUT /api/config/:scope': ['technician', 'administrator'],
  'POST /api/config/:scope/rollback': ['technician', 'administrator'],
  'GET /api/config-effective/:kioskId': ['technician', 'supervisor', 'administrator'],
};

/** `METHOD /path` for every route fastify knows (HEAD twins dropped), from its printed tree. */
function routesOf(hub: Hub): string[] {
  const out: string[] = [];
  const stack: string[] = [];
  for (const line of hub.app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^([│ ]*)[├└]── (\S+) \(([^)]+)\)$/.exec(line.replace(/\u00a0/g, ' '));
    if (!m) continue;
    const depth = m[1]!.length / 4;
    stack.length = depth;
    stack.push(m[2]!);
    for (const method of m[3]!.split(', ')) if (method !== 'HEAD') out.push(`${method} ${stack.join('')}`);
  }
  return out;
}

let hub: Hub;
let dir: string;
const tokens: Partial<Record<Role, string>> = {};

async function login(username: string, password: string): Promise<string> {
  const res = await fetch(`${hub.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  expect(res.status).toBe(200);
  return ((await res.json()) as { token: string }).token;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vg-roles-'));
  hub = await createHub({ dbPath: ':memory:', plugins: [ingestPlugin(), updatesPlugin({ keys: [], releasesDir: dir })] });
  await createKiosk(hub.db, { kioskId: 'k1', name: 'K1', office: 'Québec' });
  for (const role of Role.options) {
    const { password } = await createAgent(hub.db, { username: role, displayName: role, role });
    tokens[role] = await login(role, password);
  }
});
afterAll(async () => {
  await hub?.close();
  rmSync(dir, { recursive: true, force: true });
});

const call = (method: string, path: string, token?: string) =>
  fetch(`${hub.url}${path.replace(/:[a-zA-Z]+/g, 'x1')}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(method === 'GET' ? {} : { 'content-type': 'application/json' }) },
    ...(method === 'GET' ? {} : { body: '{}' }),
  });

describe('roles: every HTTP route checks who calls it', () => {
  it('the table names every route the hub serves, and nothing it does not serve', () => {
    const served = routesOf(hub).filter((r) => !r.includes('/agent/') && !r.includes('/console/') && !r.includes('/assets/') && r !== 'GET /' && r !== 'GET /ws');
    // The WebSocket authenticates in its first frame (server/sockets.ts); its role checks are tested below.
    expect(served.length).toBeGreaterThan(20);
    expect(served.filter((r) => !(r in TABLE))).toEqual([]);
    expect(Object.keys(TABLE).filter((r) => !served.includes(r))).toEqual([]);
  });

  for (const [route, access] of Object.entries(TABLE)) {
    if (access === 'public') continue;
    const [method, path] = route.split(' ') as [string, string];
    it(`${route}: ${access === 'kiosk' ? 'booths only' : access.join(', ')}`, async () => {
      const anonymous = await call(method, path);
      expect(anonymous.status).toBe(401);
      for (const role of Role.options) {
        const res = await call(method, path, tokens[role]);
        const allowed = access !== 'kiosk' && (role === 'administrator' || access.includes(role));
        if (access === 'kiosk') expect(res.status, `${role} on ${route}`).toBe(401);
        else if (allowed) expect([401, 403], `${role} on ${route}`).not.toContain(res.status);
        else expect(res.status, `${role} on ${route}`).toBe(403);
      }
    });
  }

  it('a role change and a disabled account apply on the next request, not at token expiry', async () => {
    const { password } = await createAgent(hub.db, { username: 'luc', displayName: 'Luc', role: 'technician' });
    const token = await login('luc', password);
    const accounts = () => call('GET', '/api/accounts', token);
    expect((await accounts()).status).toBe(403);
    setAccountRole(hub.db, 'luc', 'administrator');
    expect((await accounts()).status).toBe(200);
    setAccountDisabled(hub.db, 'luc', true);
    expect((await accounts()).status).toBe(401);
  });

  it('the hub keeps one enabled administrator', async () => {
    const res = await fetch(`${hub.url}/api/accounts/administrator`, {
      method: 'PATCH', headers: { authorization: `Bearer ${tokens.administrator}`, 'content-type': 'application/json' }, body: JSON.stringify({ role: 'agent' }),
    });
    // 'luc' was made administrator then disabled above: 'administrator' is the last enabled one.
    expect(res.status).toBe(409);
    expect(((await res.json()) as { code: string }).code).toBe('conflict');
  });

  it('a technician cannot open the agent socket (no citizen reaches them)', async () => {
    const { WebSocket } = await import('ws');
    const ws = new WebSocket(hub.wsUrl);
    const closed = new Promise<number>((done) => ws.on('close', (code) => done(code)));
    ws.on('open', () => ws.send(JSON.stringify({ type: 'agent.auth', v: 1, token: tokens.technician })));
    expect(await closed).toBe(4401);
  });
});

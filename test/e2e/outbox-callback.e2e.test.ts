// Offline callback request E2E: with the hub unreachable, a citizen leaves a callback request on the kiosk form in
// Chromium; "Votre demande est enregistrée" shows only after the commit; the hub comes back, the
// outbox delivers; an agent sees the request in the console panel, claims it and marks it done;
// the kiosk database file no longer holds the name or the phone number.
import { createServer, type Server } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { build } from 'esbuild';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatchBridgeCall } from '../../common/bridge/dispatch';
import type { BridgeHandlers } from '../../common/bridge/contract';
import { createOutbox, type Outbox } from '../../main/outbox/outbox';
import { createSender, type Sender } from '../../main/outbox/sender';
import { outboxHandlers } from '../../main/outbox/bridge';
import { startTestHub, waitFor, type TestHub } from '../crash/hub-fixture';

const root = resolve('.');
async function bundle(contents: string): Promise<string> {
  const r = await build({ stdin: { contents, resolveDir: root, loader: 'ts' }, bundle: true, format: 'esm', platform: 'browser', target: 'chrome120', write: false, logLevel: 'error' });
  return r.outputFiles[0]!.text;
}
const page = (script: string) => `<!doctype html><html lang="fr"><meta charset="utf-8"><body><div id="root"></div><script type="module">${script.replace(/<\/script/g, '<\\/script')}</script></body></html>`;

let dir: string;
let hub: TestHub;
let outbox: Outbox;
let sender: Sender;
let kioskServer: Server;
let kioskUrl: string;
let browser: Browser;
let agentHtml = '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'outbox-e2e-'));
  const kioskJs = await bundle(`
    import { renderCallbackForm } from './renderer/kiosk/screens/callback.ts';
    import { translator } from './common/i18n/index.ts';
    // Stand-in for window.kiosk.invoke('outbox.put', …): the same main-side dispatch, over HTTP.
    renderCallbackForm(document.getElementById('root'), {
      t: translator('fr'), language: 'fr', service: 'emploi', reason: 'hub_unreachable',
      onSubmit: async (record) => (await fetch('/bridge/outbox.put', { method: 'POST', body: JSON.stringify([{ kind: 'callback', record }]) })).json(),
      onCancel: () => {},
    });`);
  const agentJs = await bundle(`
    import { mountCallbacks } from './renderer/agent/callbacks.ts';
    import { translator } from './common/i18n/index.ts';
    const login = await fetch('/api/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'agent1', password: 'correct-horse-1' }) });
    const { token } = await login.json();
    mountCallbacks(document.getElementById('root'), { token, hubUrl: '', t: translator('fr'), pollMs: 500 });`);
  // The hub's strict CSP (script-src 'self', no inline script) covers this test page too: its script is a file of its own.
  agentHtml = '<!doctype html><html lang="fr"><meta charset="utf-8"><body><div id="root"></div><script type="module" src="/test-agent.js"></script></body></html>';
  hub = await startTestHub(join(dir, 'hub.db'), {
    plugins: [
      (app) => {
        app.get('/test-agent', (_req, reply) => reply.type('text/html').send(agentHtml));
        app.get('/test-agent.js', (_req, reply) => reply.type('text/javascript').send(agentJs));
      },
    ],
  });

  outbox = createOutbox({ path: join(dir, 'kiosk.db'), key: randomBytes(32) });
  sender = createSender({ outbox, hubUrl: hub.url, kioskId: hub.kioskId, secret: hub.secret, baseBackoffMs: 50, maxBackoffMs: 200, idleMs: 100 });
  const handlers = outboxHandlers(outbox) as unknown as BridgeHandlers;
  const kioskHtml = page(kioskJs);
  kioskServer = createServer((req, res) => {
    if (req.method === 'POST' && req.url === '/bridge/outbox.put') {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        void dispatchBridgeCall(handlers, 'outbox.put', JSON.parse(body)).then((r) => res.setHeader('content-type', 'application/json').end(JSON.stringify(r)));
      });
      return;
    }
    res.setHeader('content-type', 'text/html').end(kioskHtml);
  });
  await new Promise<void>((ok) => kioskServer.listen(0, '127.0.0.1', ok));
  const addr = kioskServer.address();
  kioskUrl = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/`;
  browser = await chromium.launch({
    executablePath: process.env.VG_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-gpu', '--no-first-run'],
  });
});

afterAll(async () => {
  await browser?.close();
  await sender?.stop();
  outbox?.close();
  await new Promise((ok) => kioskServer?.close(ok));
  await hub?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const kioskBytes = () => Buffer.concat(['', '-wal'].map((s) => join(dir, 'kiosk.db' + s)).filter(existsSync).map((p) => readFileSync(p)));

describe('callback request, hub unreachable → delivered → handled by an agent', () => {
  it('saves offline, delivers when the hub is back, agent claims and closes it, kiosk keeps no personal data', async () => {
    await hub.stop();
    sender.start();
    const kiosk = await browser.newPage();
    await kiosk.goto(kioskUrl);
    await kiosk.waitForSelector('[data-screen="callback"]');

    // Submitting an empty form explains what is missing and stores nothing.
    await kiosk.click('[data-action="submit"]');
    await expect.poll(() => kiosk.textContent('[data-error="phone"]')).toContain('n’est pas valide');
    expect(outbox.stats().depth).toBe(0);

    await kiosk.click('[data-field="name"]');
    for (const c of ['J', 'O', 'S', 'É', ' ', 'Q', 'U', 'X']) await kiosk.click(`[data-key="${c}"]`);
    await kiosk.click('[data-field="phone"]');
    for (const d of '5195550133') await kiosk.click(`[data-key="${d}"]`);
    await kiosk.click('[data-window="afternoon"]');
    expect(await kiosk.textContent('[data-field="phone"]')).toBe('519 555-0133');
    await kiosk.click('[data-action="submit"]');
    await kiosk.waitForSelector('[data-saved]');
    expect(await kiosk.textContent('[data-saved]')).toBe('Votre demande est enregistrée');
    expect(outbox.stats().byKind.callback).toBe(1); // committed before the message showed
    expect(await kiosk.locator('body').innerText()).not.toContain('José');
    expect(kioskBytes().includes('José Qux')).toBe(false);
    expect(kioskBytes().includes('5195550133')).toBe(false);
    await waitFor(() => outbox.stats().lastSync?.error === 'hub_unreachable');

    await hub.start();
    sender.nudge();
    await waitFor(() => outbox.stats().depth === 0);

    const agent = await browser.newPage();
    await agent.goto(`${hub.url}/test-agent`);
    const item = agent.locator('[data-callback-id]');
    await item.waitFor();
    expect(await item.textContent()).toContain('emploi');
    expect(await item.textContent()).toContain('L’après-midi');
    expect(await item.textContent()).not.toContain('José'); // only the claiming agent sees who to call
    await agent.click('[data-action="claim"]');
    await agent.waitForSelector('.callback-contact');
    expect(await agent.textContent('.callback-contact')).toBe('Appeler José Qux au +15195550133');
    await agent.click('[data-action="done"]');
    await agent.waitForSelector('[data-callback-id]', { state: 'detached' });
    // Done also erases the name and phone on the hub.
    const hubDb = new Database(join(dir, 'hub.db'), { readonly: true });
    expect(hubDb.prepare('SELECT status, name, phone FROM callbacks').all()).toEqual([{ status: 'done', name: null, phone: null }]);
    hubDb.close();

    await sender.stop();
    outbox.close();
    const raw = new Database(join(dir, 'kiosk.db'));
    raw.pragma('wal_checkpoint(TRUNCATE)');
    raw.close();
    expect(kioskBytes().includes('José Qux')).toBe(false);
    expect(kioskBytes().includes('5195550133')).toBe(false);
    outbox = createOutbox({ path: join(dir, 'kiosk.db'), key: randomBytes(32) });
    expect(outbox.stats().depth).toBe(0);
  });

  it('says it cannot take the request when the outbox is full, and never shows "enregistrée" on failure', async () => {
    const kiosk = await browser.newPage();
    // The bridge answers as main does when createOutbox's put throws OutboxFullError.
    await kiosk.route('**/bridge/outbox.put', (route) => route.fulfill({ contentType: 'application/json', body: JSON.stringify({ ok: false, error: { code: 'outbox_full', message: 'full' } }) }));
    await kiosk.goto(kioskUrl);
    await kiosk.click('[data-field="name"]');
    await kiosk.click('[data-key="A"]');
    await kiosk.click('[data-field="phone"]');
    for (const d of '4185550123') await kiosk.click(`[data-key="${d}"]`);
    await kiosk.click('[data-window="any"]');
    await kiosk.click('[data-action="submit"]');
    await expect.poll(() => kiosk.textContent('[data-error="form"]')).toContain('Nous ne pouvons pas prendre de nouvelle demande');
    expect(await kiosk.locator('[data-saved]').count()).toBe(0);
    await kiosk.close();
  });
});

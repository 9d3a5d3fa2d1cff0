// The callback request end to end through the real product: the kiosk app (browser runtime, real bridge, the
// outbox and sender composed as in production) and the agent console served by a real hub, in
// Debian's Chromium. With the hub unreachable a citizen leaves a callback request; the hub comes
// back and the outbox delivers it; an agent claims it and marks it done; the kiosk's database files
// hold neither the name nor the phone number, and the kiosk is back to attract with nothing left.
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { translator } from '../../common/i18n/index';
import { composeKiosk } from '../../main/compose';
import type { KioskCore } from '../../main/services/core';
import { committedRows, fillCallbackForm, filesHolding, sealedBlobs, holdPuts, hubCallbacks, hubDbFiles, outboxStats, personalDataIn } from '../support/callback';
import { assertWiped, recordStreams, screen, useE2ESession } from '../support/e2e';
import { agentReady, neverOpen, type Stack, type StackOptions } from '../support/stack';

const e2e = useE2ESession();

const fr = translator('fr');
const en = translator('en');
// Long enough that no screen moves on by itself while the test looks at it.
const timers = { idleMs: 120_000, idleCountdownMs: 15_000, waitTimeoutMs: 120_000, thankYouMs: 60_000, declinedMs: 2_000 };
// Hub restarts: the kiosk's link redials with capped backoff (≤ 30 s), then the sender is nudged.
const DELIVERY_TIMEOUT = 75_000;

const stack = (opts: StackOptions = {}): Promise<Stack> => e2e.stack(opts);

async function newPage(): Promise<{ page: Page; context: BrowserContext }> {
  const context = await e2e.context({ width: 1280, height: 1000 });
  return { page: await context.newPage(), context };
}

/** The kiosk page, with every MediaStream it acquires recorded so the wipe check can see they were stopped. */
async function kioskPage(s: Stack, first: 'attract' | 'closed' = 'attract'): Promise<{ page: Page; context: BrowserContext }> {
  const r = await newPage();
  await recordStreams(r.page);
  await r.page.goto(s.kioskUrl);
  await screen(r.page, first);
  return r;
}


/** Stops the hub and waits until the kiosk's link has noticed (a visit then cannot reach it). */
async function hubDown(s: Stack): Promise<void> {
  await s.stopHub();
  await expect.poll(() => s.core.hubLink.status, { timeout: 20_000 }).not.toBe('online');
}

/** attract → language → service → walk-in → consent → device check → (call request) → callFailed. */
async function walkInToFailure(k: Page, service: string): Promise<void> {
  await k.getByTestId('attract-start').click();
  await screen(k, 'language');
  await k.getByTestId('lang-fr').click();
  await screen(k, 'service');
  await k.getByTestId(`service-${service}`).click();
  await screen(k, 'visitType');
  await k.getByTestId('visit-walkin').click();
  await screen(k, 'consent');
  await k.getByTestId('consent-accept').click();
  await screen(k, 'deviceCheck');
  await k.waitForSelector('[data-testid="devices-continue"]:not([disabled])', { timeout: 20_000 });
  await k.getByTestId('devices-continue').click();
  await screen(k, 'callFailed');
}


/** Every way the phone number and the name could be written into a file. */
const personal = (name: string, digits: string) => {
  const [a, b, c] = [digits.slice(0, 3), digits.slice(3, 6), digits.slice(6)];
  return [name, ...name.split(' '), digits, `+1${digits}`, `1${digits}`, `${a} ${b} ${c}`, `${a} ${b}-${c}`, `(${a}) ${b}-${c}`, `${a}-${b}-${c}`];
};

describe('callback request through the real kiosk and agent console', () => {
  it('hub unreachable: the citizen leaves a request, saved only after the commit; the hub comes back, an agent handles it; the kiosk keeps nothing', { timeout: 240_000 }, async () => {
    const s = await stack({ agents: 1, publicConfig: { timers } });
    const { page: k } = await kioskPage(s);
    await hubDown(s);

    await walkInToFailure(k, 'emploi');
    expect(await k.getByTestId('failed-reason').getAttribute('data-reason')).toBe('hubOffline');
    expect(await k.getByTestId('screen-callFailed').innerText()).toContain(fr('kiosk.failed.hubOffline'));
    await k.getByTestId('offer-callback').click();
    await screen(k, 'callback');
    expect(await k.getByTestId('callback-form').innerText()).toContain(fr('callback.reason.hub_unreachable'));

    const name = 'MARIE-ÈVE GAGNON';
    const shown = 'Marie-Ève Gagnon';
    const digits = '5145550199';
    await fillCallbackForm(k, { name, phoneDigits: digits, window: 'afternoon' });
    expect(await k.getByTestId('callback-name').innerText()).toBe(shown);
    expect(await k.getByTestId('callback-phone').innerText()).toBe('514 555-0199');

    // Hold the put in main: until the commit, the screen must not say the request is saved.
    const gate = holdPuts(s.core, 'callback');
    await k.getByTestId('callback-submit').click();
    await gate.arrived;
    expect(await k.getByTestId('callback-error').innerText()).toBe(fr('callback.saving'));
    expect(await k.getByTestId('callback-saved').count()).toBe(0);
    expect(committedRows(s.dataDir, 'callback')).toEqual([]);
    gate.release();
    await k.getByTestId('callback-saved').waitFor({ timeout: 20_000 });
    gate.restore();
    // At the moment the confirmation shows, the row is committed (another connection sees it), sealed.
    const rows = committedRows(s.dataDir, 'callback');
    expect(rows).toHaveLength(1);
    expect(rows[0]!.sealed).toBe(true);
    // The sealed (encrypted) name and phone, as written: the purge must remove these bytes too.
    const [sealed] = sealedBlobs(s.dataDir, 'callback');
    expect(filesHolding(s.dataDir, sealed!)).not.toEqual([]);
    expect((await outboxStats(s.core)).byKind.callback).toBe(1);
    expect(await k.getByTestId('screen-callback').innerText()).toContain(fr('callback.saved'));
    expect(await k.locator('body').innerText()).not.toContain('Gagnon');
    // Never in clear in the files, even before delivery (the search does see the clear fields of the same row).
    expect(personalDataIn(s.dataDir, personal(shown, digits))).toEqual([]);
    expect(personalDataIn(s.dataDir, ['"service":"emploi"'])).not.toEqual([]);
    // The sender tried and found the hub unreachable; the request waits.
    await expect.poll(async () => (await outboxStats(s.core)).lastSync?.error, { timeout: 30_000 }).toBe('hub_unreachable');

    await k.getByTestId('callback-finish').click();
    await assertWiped(k, [shown, 'Gagnon', '514 555', digits, fr('callback.saved')]);

    // The hub comes back: the outbox delivers, exactly once, and forgets the request.
    await s.startHub();
    await expect.poll(() => hubCallbacks(s.dataDir).callbacks.length, { timeout: DELIVERY_TIMEOUT, interval: 250 }).toBe(1);
    await expect.poll(async () => (await outboxStats(s.core)).byKind.callback ?? 0, { timeout: 20_000 }).toBe(0);
    const atHub = hubCallbacks(s.dataDir);
    expect(atHub.ingested.map((r) => r.id)).toEqual([rows[0]!.id]);
    expect(atHub.callbacks[0]).toMatchObject({ id: rows[0]!.id, kiosk_id: 'kiosk-e2e', service: 'emploi', language: 'fr', time_window: 'afternoon', reason: 'hub_unreachable', name: shown, phone: `+1${digits}`, status: 'open' });
    expect(committedRows(s.dataDir, 'callback')).toEqual([]);
    // Not even the ciphertext is left (main file and WAL): the key sits beside the database.
    expect(filesHolding(s.dataDir, sealed!)).toEqual([]);

    // The agent's console lists it (service, language, time window), without who to call until claimed.
    const { page: agent } = await newPage();
    await agentReady(agent, s.agentUrl, s.agents[0]!);
    const item = agent.locator(`[data-callback-id="${rows[0]!.id}"]`);
    await item.waitFor({ timeout: 20_000 });
    // The service by its name from the hub's catalogue, not its id.
    expect(await item.locator('.callback-what').innerText()).toBe(`Emploi · ${fr('callbacks.language.fr')}`);
    expect(await item.locator('.callback-window').innerText()).toBe(fr('callbacks.window', { window: fr('callback.window.afternoon') }));
    expect(await item.innerText()).not.toContain('Gagnon');
    await item.locator('[data-action="claim"]').click();
    await item.locator('.callback-contact').waitFor();
    expect(await item.locator('.callback-contact').innerText()).toBe(fr('callbacks.contact', { name: shown, phone: `+1${digits}` }));
    await item.locator('[data-action="done"]').click();
    await item.waitFor({ state: 'detached' });
    expect(hubCallbacks(s.dataDir).callbacks).toEqual([expect.objectContaining({ status: 'done', name: null, phone: null })]);
    // Once done, the hub's files (zeroed deletes, WAL checkpointed) no longer hold them either.
    expect(personalDataIn(s.dataDir, personal(shown, digits), hubDbFiles(s.dataDir))).toEqual([]);

    // The kiosk's database files (main file, WAL, shared memory) hold neither the name nor the phone.
    expect(personalDataIn(s.dataDir, personal(shown, digits))).toEqual([]);
    // Nor does any log line, kiosk's or hub's (the logs did record the visit: they are not empty).
    const logs = s.logText();
    expect(logs).toContain('ingest');
    expect(logs).toContain('hub-link');
    expect(personal(shown, digits).filter((p) => logs.includes(p))).toEqual([]);
    await assertWiped(k, [shown, 'Gagnon', '514 555', digits]);
  });

  it('outside opening hours: the closed screen offers the callback; the request is stored and delivered', { timeout: 180_000 }, async () => {
    const s = await stack({ agents: 1, publicConfig: { schedule: neverOpen, timers } });
    const { page: k } = await kioskPage(s, 'closed');
    await k.getByTestId('offer-callback').click();
    await screen(k, 'language');
    await k.getByTestId('lang-en').click();
    await screen(k, 'service');
    await k.getByTestId('service-immigration').click();
    await screen(k, 'callback');
    expect(await k.getByTestId('callback-form').innerText()).toContain(en('callback.reason.closed'));

    const shown = "John O'Neil";
    const digits = '4385550142';
    await fillCallbackForm(k, { name: "JOHN O'NEIL", phoneDigits: digits, window: 'morning' });
    expect(await k.getByTestId('callback-name').innerText()).toBe(shown);
    await k.getByTestId('callback-submit').click();
    await k.getByTestId('callback-saved').waitFor({ timeout: 20_000 });
    expect(await k.getByTestId('screen-callback').innerText()).toContain(en('callback.saved'));

    await expect.poll(() => hubCallbacks(s.dataDir).callbacks.length, { timeout: DELIVERY_TIMEOUT, interval: 250 }).toBe(1);
    expect(hubCallbacks(s.dataDir).callbacks[0]).toMatchObject({ service: 'immigration', language: 'en', time_window: 'morning', reason: 'closed', name: shown, phone: `+1${digits}`, status: 'open' });
    await expect.poll(async () => (await outboxStats(s.core)).byKind.callback ?? 0, { timeout: 20_000 }).toBe(0);
    expect(personalDataIn(s.dataDir, personal(shown, digits))).toEqual([]);

    await k.getByTestId('callback-finish').click();
    await assertWiped(k, [shown, 'Neil', digits, en('callback.saved')], 'closed');
  });

  it('a request left while the hub is down survives a kiosk restart and reaches the hub exactly once', { timeout: 240_000 }, async () => {
    const s = await stack({ agents: 1, publicConfig: { timers } });
    const { page: k, context } = await kioskPage(s);
    await hubDown(s);
    await walkInToFailure(k, 'solidarite');
    await k.getByTestId('offer-callback').click();
    await screen(k, 'callback');
    const shown = 'Lucie Côté';
    const digits = '8195550177';
    await fillCallbackForm(k, { name: 'LUCIE CÔTÉ', phoneDigits: digits, window: 'any' });
    await k.getByTestId('callback-submit').click();
    await k.getByTestId('callback-saved').waitFor({ timeout: 20_000 });
    const rows = committedRows(s.dataDir, 'callback');
    expect(rows).toHaveLength(1);
    const [sealed] = sealedBlobs(s.dataDir, 'callback');
    await k.getByTestId('callback-finish').click();
    await assertWiped(k, [shown, digits]);

    // The booth goes down (page and main services), then starts again on the same data directory.
    await context.close();
    await s.core.close();
    const restarted: KioskCore = await composeKiosk({ config: s.kioskConfig, hardware: 'none' });
    e2e.defer(() => restarted.close());
    const pending = await outboxStats(restarted);
    expect(pending.byKind.callback).toBe(1);
    expect(pending.recovered).toBeNull();
    expect(committedRows(s.dataDir, 'callback')).toEqual(rows);

    await s.startHub();
    await expect.poll(() => hubCallbacks(s.dataDir).callbacks.length, { timeout: DELIVERY_TIMEOUT, interval: 250 }).toBe(1);
    await expect.poll(async () => (await outboxStats(restarted)).byKind.callback ?? 0, { timeout: 20_000 }).toBe(0);
    // Once: one ingested callback record, one request, with the key from before the restart (decrypted by the new process).
    const atHub = hubCallbacks(s.dataDir);
    expect(atHub.ingested.map((r) => r.id)).toEqual([rows[0]!.id]);
    expect(atHub.callbacks).toEqual([expect.objectContaining({ id: rows[0]!.id, service: 'solidarite', language: 'fr', time_window: 'any', name: shown, phone: `+1${digits}`, status: 'open' })]);
    expect(personalDataIn(s.dataDir, personal(shown, digits))).toEqual([]);
    expect(filesHolding(s.dataDir, sealed!)).toEqual([]);
  });
});

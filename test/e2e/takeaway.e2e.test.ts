// What a citizen takes away, on the real kiosk page through a real hub: after a call the thanks
// screen shows a reference number the hub can find (derived from the call id it logged) and the
// complaint and service pages as QR codes drawn on the booth; the reset leaves none of it.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { KioskPublicConfig } from '../../common/config';
import { referenceOf } from '../../common/reference';
import { assertWiped, recordStreams, screen, useE2ESession } from '../support/e2e';
import { agentReady } from '../support/stack';

const e2e = useE2ESession();
const page = async (): Promise<Page> => (await e2e.context()).newPage();
const defaults = KioskPublicConfig.parse({});

describe('take-away after a call', () => {
  it('reference number of the call and local QR codes on the thanks screen, gone after the reset', async () => {
    const s = await e2e.stack({ agents: 1, publicConfig: { timers: { idleMs: 120_000, idleCountdownMs: 15_000, waitTimeoutMs: 120_000, thankYouMs: 60_000, declinedMs: 2_000 } } });
    const agent = await page();
    await agentReady(agent, s.agentUrl, s.agents[0]!);
    const k = await page();
    await recordStreams(k);
    await k.goto(s.kioskUrl);
    await screen(k, 'attract');
    await k.getByTestId('attract-start').click();
    await k.getByTestId('lang-fr').click();
    await k.getByTestId('service-emploi').click();
    await k.getByTestId('visit-walkin').click();
    await k.getByTestId('consent-accept').click();
    await k.waitForSelector('[data-testid="devices-continue"]:not([disabled])', { timeout: 20_000 });
    await k.getByTestId('devices-continue').click();
    await agent.getByTestId('ring-accept').click({ timeout: 30_000 });
    await screen(k, 'inCall');
    await agent.getByTestId('end-call').click({ timeout: 30_000 });
    await screen(k, 'survey');
    await k.getByTestId('survey-skip').click();
    await screen(k, 'thanks');

    const [call] = s.hub.db.recentCalls();
    const reference = referenceOf(call!.callId);
    expect(await k.getByTestId('reference-number').innerText()).toBe(reference);
    for (const [id, url] of [
      ['qr-complaint', defaults.complaintUrl],
      ['qr-service', defaults.serviceUrl],
    ] as const) {
      const qr = k.getByTestId(id);
      expect(await qr.getAttribute('data-value')).toBe(`https://${url}`);
      // Drawn locally: an inline SVG with the code's modules, not an image fetched from anywhere.
      expect(await qr.locator('svg path, svg rect').count()).toBeGreaterThan(0);
      expect(await qr.locator('img').count()).toBe(0);
    }
    await k.getByTestId('btn-home').click();
    await assertWiped(k, [reference]);
  });
});

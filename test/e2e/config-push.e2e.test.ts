// Central configuration on a real booth in Chromium: a change made at the hub appears on the kiosk
// page by itself when nobody is at the booth, and waits while a citizen is in a visit: the screen they
// are on keeps what it showed until the visit ends.
import { describe, expect, it } from 'vitest';
import { createAgent } from '../../server/accounts';
import { screen, useE2ESession } from '../support/e2e';

const e2e = useE2ESession();
const services = (ids: string[]) => ids.map((id) => ({ id, label: { fr: id, en: id } }));

describe('config pushed from the hub to a booth in Chromium', () => {
  it('applies at attract at once, and during a visit only once the visit is over', async () => {
    const s = await e2e.stack({ agents: 0 });
    const { password } = await createAgent(s.hub.db, { username: 'tech', displayName: 'Tech', role: 'technician' });
    const login = await fetch(`${s.hub.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'tech', password }) });
    const token = ((await login.json()) as { token: string }).token;
    const put = async (config: Record<string, unknown>) => {
      const res = await fetch(`${s.hub.url}/api/config/${encodeURIComponent('office:Bureau de test')}`, {
        method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ config }),
      });
      expect(res.status).toBe(200);
    };
    const page = await (await e2e.context({ width: 1920, height: 1080 })).newPage();
    await page.goto(s.kioskUrl);
    await screen(page, 'attract');

    // Nobody at the booth: the office's new name shows by itself (main applies, the page reloads).
    await put({ office: { fr: 'Bureau de Rimouski', en: 'Rimouski office' }, services: services(['emploi', 'immigration', 'renseignements']) });
    await page.getByTestId('attract-start').filter({ hasText: 'Bureau de Rimouski' }).waitFor({ timeout: 20_000 });

    // A citizen starts a visit and reaches the services; the office removes one meanwhile.
    await page.getByTestId('attract-start').click();
    await screen(page, 'language');
    await page.getByTestId('lang-fr').click();
    await screen(page, 'service');
    await expect.poll(() => page.getByTestId('service-immigration').count()).toBe(1);
    await put({ office: { fr: 'Bureau de Rimouski', en: 'Rimouski office' }, services: services(['emploi', 'renseignements']) });
    await expect.poll(() => s.core.config.pending(), { timeout: 10_000 }).not.toBeUndefined();
    // Held: the citizen's screen is unchanged (no reload), the booth still runs the old services.
    await page.waitForTimeout(1_500);
    await screen(page, 'service');
    expect(await page.getByTestId('service-immigration').count()).toBe(1);
    expect(s.core.config.current().services.map((x) => x.id)).toEqual(['emploi', 'immigration', 'renseignements']);

    // The visit ends: the new config is applied, and the next citizen sees two services.
    // Back to the languages is still the same visit: still held.
    await page.getByTestId('btn-back').click();
    await screen(page, 'language');
    expect(s.core.config.current().services).toHaveLength(3);
    await page.getByTestId('btn-back').click();
    await screen(page, 'attract');
    await expect.poll(() => s.core.config.current().services.map((x) => x.id), { timeout: 10_000 }).toEqual(['emploi', 'renseignements']);
    await page.getByTestId('attract-start').filter({ hasText: 'Bureau de Rimouski' }).waitFor({ timeout: 20_000 });
    await page.getByTestId('attract-start').click();
    await screen(page, 'language');
    await page.getByTestId('lang-fr').click();
    await screen(page, 'service');
    await expect.poll(() => page.getByTestId('service-immigration').count()).toBe(0);
    expect(await page.getByTestId('service-emploi').count()).toBe(1);
  });
});

// Enrollment in Chromium: a booth that was never enrolled shows its code and QR code; a technician
// signs in to the hub console on a phone-sized page, types the code and approves; the booth reaches
// its attract screen by itself and comes online with its key. Revoked from the console, it shows a
// code again, and the record it could not deliver reaches the hub after it is enrolled again.
import { describe, expect, it } from 'vitest';
import { axeViolations } from '../support/a11y';
import { useE2ESession, screen } from '../support/e2e';
import { until } from '../support/booth';
import { approveInConsole, consoleSignIn, startEnrollStack } from '../support/enroll';

const session = useE2ESession();
/** A context whose waits allow for a loaded CI machine (page loads took over 30 s at load 70). */
const context = async (viewport: { width: number; height: number }) => {
  const ctx = await session.context(viewport);
  ctx.setDefaultTimeout(90_000);
  ctx.setDefaultNavigationTimeout(90_000);
  return ctx;
};

describe('booth enrollment (E2E)', () => {
  it('fresh booth → code → technician approves on a phone → attract; revoked → code again, outbox delivered after re-enrollment', async () => {
    const s = await startEnrollStack();
    session.defer(() => s.close());
    const kioskCtx = await context({ width: 1920, height: 1080 });
    const kiosk = await kioskCtx.newPage();
    await kiosk.goto(s.runtime.url);
    await kiosk.getByTestId('enroll-screen').waitFor();
    const code = (await kiosk.getByTestId('enroll-user-code').textContent())!;
    expect(code).toMatch(/^[A-Z]{4}-[A-Z]{4}$/);
    const qr = await kiosk.getByTestId('enroll-qr').getAttribute('data-value');
    expect(qr).toBe(`${s.hub.url}/console/#/enroll?code=${code}`);
    const boothPrint = (await kiosk.getByTestId('enroll-fingerprint').textContent())!;
    expect(await axeViolations(kiosk, false)).toEqual([]);

    // The technician scans the QR code: the console opens on the enroll page with the code.
    const phone = await (await context({ width: 390, height: 844 })).newPage();
    await phone.goto(qr!);
    await consoleSignIn(phone, s.technician);
    await phone.getByTestId('enroll-fingerprint').waitFor();
    // The same key on both screens: the technician approves the booth in front of them.
    const consolePrint = (await phone.getByTestId('enroll-fingerprint').textContent())!;
    expect(consolePrint).toContain(boothPrint.split(' : ')[1]!.trim());
    await phone.getByTestId('enroll-name').fill('Kiosque 1');
    await phone.getByTestId('enroll-office').fill('Bureau de Lévis');
    await phone.getByTestId('enroll-approve').click();
    await expect.poll(() => phone.getByTestId('enroll-notice').textContent()).toContain('bureau-de-levis-kiosque-1');

    await screen(kiosk, 'attract');
    await until(() => s.booth.hubLink.status, (st) => st === 'online', 'booth online with its key');

    // Revoked at the hub while it still holds its socket: the record it writes now is refused.
    s.hub.db.db.prepare('UPDATE kiosks SET disabled = 1, public_key = NULL, revoked_at = ? WHERE kiosk_id = ?').run(Date.now(), 'bureau-de-levis-kiosque-1');
    await s.booth.handlers['outbox.put']({ kind: 'visit', record: { service: 'emploi', language: 'fr', waitMs: 1000, durationMs: 30_000, outcome: 'completed' } });
    await until(() => s.booth.handlers['outbox.stats'](), (st) => st.lastSync?.ok === false && st.byKind.visit === 1, 'delivery refused');

    // The revocation from the console (confirmed) closes its socket: the booth shows a code again.
    await phone.getByTestId('nav-booths').click();
    await phone.getByTestId('revoke-bureau-de-levis-kiosque-1').click();
    await phone.getByTestId('revoke-confirm-yes').click();
    await phone.getByTestId('booths-notice').waitFor();
    await kiosk.getByTestId('enroll-screen').waitFor({ timeout: 20_000 });
    await expect.poll(() => kiosk.getByTestId('enroll-user-code').textContent(), { timeout: 20_000 }).toMatch(/^[A-Z]{4}-[A-Z]{4}$/);
    const again = (await kiosk.getByTestId('enroll-user-code').textContent())!;
    const delivered = () => s.hub.db.db.prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM ingest_records WHERE kiosk_id = 'bureau-de-levis-kiosque-1' AND kind = 'visit'").get()!.n;
    expect(delivered()).toBe(0);

    await approveInConsole(phone, { code: again, name: 'Kiosque 1', office: 'Bureau de Lévis', kioskId: 'bureau-de-levis-kiosque-1' });
    await screen(kiosk, 'attract');
    await until(() => delivered(), (n) => n === 1, 'the record kept in the outbox delivered after re-enrollment', 30_000);
  }, 180_000);

  it('console pages pass axe at 1920×1080 and 390×844; each page checks the role', async () => {
    const s = await startEnrollStack();
    session.defer(() => s.close());
    for (const viewport of [{ width: 1920, height: 1080 }, { width: 390, height: 844 }]) {
      const page = await (await context(viewport)).newPage();
      await page.goto(s.consoleUrl);
      await page.getByTestId('signin-submit').waitFor();
      expect(await axeViolations(page, false), `sign-in ${viewport.width}`).toEqual([]);
      await consoleSignIn(page, s.administrator);
      for (const id of ['enroll', 'booths', 'accounts']) {
        await page.getByTestId(`nav-${id}`).click();
        await page.locator(`section.${id}`).waitFor();
        if (id !== 'enroll') await page.getByTestId(`${id === 'booths' ? 'booths' : 'accounts'}-table`).or(page.getByText(/Aucun visioguichet/)).first().waitFor();
        expect(await axeViolations(page, false), `${id} ${viewport.width}`).toEqual([]);
        // Nothing wider than the phone's screen except the tables' own scrolling box.
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow, `${id} ${viewport.width} horizontal overflow`).toBeLessThanOrEqual(0);
      }
    }
    // A technician sees no accounts page, and gets "forbidden" when typing its address.
    const tech = await (await context({ width: 390, height: 844 })).newPage();
    await tech.goto(s.consoleUrl);
    await consoleSignIn(tech, s.technician);
    expect(await tech.getByTestId('nav-accounts').count()).toBe(0);
    await tech.goto(`${s.consoleUrl}#/accounts`);
    await tech.getByTestId('forbidden').waitFor();
  }, 180_000);
});

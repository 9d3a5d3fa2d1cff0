import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KIOSK_HTTP_WINDOW_MS } from '../../common/kiosk-auth';
import { createHubLink, type HubLink } from '../../main/services/hub-link';
import { kioskHttpAuthorization, loadOrCreateKioskKey } from '../../main/services/kiosk-key';
import { KioskVerifier, registerKioskKey } from '../../server/accounts';
import { createHub } from '../../server/hub';

// The booth side (main/services/kiosk-key.ts, hub-link.ts) against the real hub: the key pair made on
// the booth is the only credential; no secret is configured anywhere.
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vg-key-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('booth key pair at a real hub', () => {
  it('the hub link comes online by proving the key (no secret configured), and HTTP requests carry a signed window the hub accepts', async () => {
    const hub = await createHub({ dbPath: ':memory:' });
    cleanups.push(() => hub.close());
    const key = loadOrCreateKioskKey(tempDir());
    expect(registerKioskKey(hub.db, { kioskId: 'qc-07', publicKey: key.publicKeyPem, name: 'Kiosque 7', office: 'Lévis' }).fingerprint).toBe(key.fingerprint);
    const link: HubLink = createHubLink({ url: hub.wsUrl, kioskId: 'qc-07', key, initialBackoffMs: 50 });
    cleanups.push(() => link.close());
    await new Promise<void>((online) => {
      if (link.status === 'online') online();
      link.onStatus((s) => s === 'online' && online());
    });
    expect(hub.db.kiosk('qc-07')?.name).toBe('Kiosque 7');

    let now = Date.UTC(2026, 10, 29, 12);
    const verifier = new KioskVerifier(hub.db, () => now);
    const header = kioskHttpAuthorization('qc-07', { key }, () => now);
    expect(header()).toMatch(/^KioskKey qc-07:\d+:[A-Za-z0-9_-]{86}$/);
    expect(await verifier.verifyHeader(header())).toMatchObject({ kioskId: 'qc-07' });
    // A booth clock 4 min off is accepted (neighbouring window); a header from 20 min ago is not.
    const old = header();
    now += 4 * 60_000;
    expect(await verifier.verifyHeader(old)).toMatchObject({ kioskId: 'qc-07' });
    now += 4 * KIOSK_HTTP_WINDOW_MS;
    expect(await verifier.verifyHeader(old)).toBeNull();
    expect(await verifier.verifyHeader(header())).toMatchObject({ kioskId: 'qc-07' });
    // Another booth's key signing for qc-07 is refused.
    const other = loadOrCreateKioskKey(tempDir());
    expect(await verifier.verifyHeader(kioskHttpAuthorization('qc-07', { key: other }, () => now)())).toBeNull();
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dispatchBridgeCall } from '../common/bridge/dispatch';
import { KioskPublicConfig } from '../common/config';
import { composeKiosk, hubHttpBase } from './compose';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('composeKiosk', () => {
  it('derives the hub HTTP base from its WebSocket endpoint', () => {
    expect(hubHttpBase('ws://127.0.0.1:8080/ws')).toBe('http://127.0.0.1:8080/');
    expect(hubHttpBase('wss://hub.example/base/ws')).toBe('https://hub.example/base/');
  });

  it('wires the outbox section into the bridge (records survive a restart) and closes everything', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'vg-compose-'));
    dirs.push(dataDir);
    // Port 9 (discard) on loopback: nothing listens, so the link and sender stay offline.
    const config = { public: KioskPublicConfig.parse({}), hubUrl: 'ws://127.0.0.1:9/ws', kioskId: 'k1', kioskSecret: 's'.repeat(24), dataDir, devMode: false };
    const core = await composeKiosk({ config });
    const put = await dispatchBridgeCall(core.handlers, 'outbox.put', [{ kind: 'survey', record: { service: 'emploi', language: 'fr', rating: 4 } }]);
    expect(put).toMatchObject({ ok: true, value: { id: expect.any(String) } });
    expect(await dispatchBridgeCall(core.handlers, 'hardware.states', [])).toMatchObject({ ok: false, error: { code: 'feature_unavailable' } });
    await core.close();

    const again = await composeKiosk({ config });
    expect(await dispatchBridgeCall(again.handlers, 'outbox.stats', [])).toMatchObject({ ok: true, value: { depth: 1 } });
    await again.close();
  });
});

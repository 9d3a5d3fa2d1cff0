// The demo starter in-process: hub + seeded accounts + kiosk core + browser runtime, no window.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { allDaySchedule, KioskPublicConfig } from '../../common/config';
import { isOpen } from '../../common/hours';
import { parseArgs, startDemo } from '../../scripts/start';
import { freePort } from '../support/net';

const dataDir = mkdtempSync(join(tmpdir(), 'vg-demo-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** Asks the kiosk's bridge for the hub link status, as the kiosk page would. */
async function kioskHubStatus(kioskUrl: string): Promise<unknown> {
  const u = new URL(kioskUrl);
  const token = new URLSearchParams(u.hash.slice(1)).get('token')!;
  const ws = new WebSocket(`ws://${u.host}/bridge?token=${token}`, { origin: u.origin });
  try {
    await new Promise((r, j) => ws.once('open', r).once('error', j));
    for (;;) {
      ws.send(JSON.stringify({ id: 1, channel: 'hub.status', args: [] }));
      const answer = await new Promise<{ id?: number; result?: { value?: unknown } }>((r) =>
        ws.on('message', function onMsg(d) {
          const f = JSON.parse(d.toString()) as { id?: number };
          if (f.id === 1) {
            ws.off('message', onMsg);
            r(f);
          }
        }),
      );
      if (answer.result?.value === 'online') return 'online';
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    ws.close();
  }
}

describe('./vg start --no-open', () => {
  it('seeds a demo agent and kiosk, connects the kiosk to the hub, and reuses them on the next start', async () => {
    const first = await startDemo({ noOpen: true, hubPort: 0, dataDir, build: false, quiet: true });
    try {
      expect(first.runtime).toBe('none');
      expect(first.kioskUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=[\w-]{40,}$/);
      expect(first.agentUrl).toBe(`${first.hubUrl}/agent/`);
      expect(first.agent.username).toBe('agent');
      expect(first.agent.password.length).toBeGreaterThanOrEqual(8);
      expect(await kioskHubStatus(first.kioskUrl)).toBe('online');
      const login = await fetch(`${first.hubUrl}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(first.agent) });
      expect(login.status).toBe(200);
      // Secrets on disk are readable by the kiosk user only.
      expect(statSync(join(dataDir, 'kiosk/kiosk.json')).mode & 0o077).toBe(0);
    } finally {
      await first.close();
    }
    const second = await startDemo({ noOpen: true, hubPort: 0, dataDir, build: false, quiet: true });
    try {
      expect(second.agent).toEqual(first.agent);
      expect(second.kioskUrl).not.toBe(first.kioskUrl); // fresh token per launch
      expect(await kioskHubStatus(second.kioskUrl)).toBe('online');
    } finally {
      await second.close();
    }
  });

  it('the demo booth is open all day, every day (a newcomer in the evening or on a weekend can try a visit)', async () => {
    const configPath = join(dataDir, 'kiosk/kiosk.json');
    // State seeded by an older demo (no schedule: the office default, closed evenings and weekends).
    const old = JSON.parse(readFileSync(configPath, 'utf8')) as { public: Record<string, unknown> };
    delete old.public.schedule;
    writeFileSync(configPath, JSON.stringify(old), { mode: 0o600 });
    const demo = await startDemo({ noOpen: true, hubPort: 0, dataDir, build: false, quiet: true });
    try {
      const pub = KioskPublicConfig.parse((JSON.parse(readFileSync(configPath, 'utf8')) as { public: unknown }).public);
      expect(pub.schedule).toEqual(allDaySchedule);
      // Sunday 23:30 and Saturday 03:00 in Montréal: closed under the office default, open here.
      for (const iso of ['2026-11-30T04:30:00Z', '2026-11-28T08:00:00Z']) expect(isOpen(pub.schedule, new Date(iso)), iso).toBe(true);
      expect(await kioskHubStatus(demo.kioskUrl)).toBe('online');
    } finally {
      await demo.close();
    }
  });

  it('--kiosk-port fixes the kiosk runtime\'s loopback port; bad values are refused', async () => {
    expect(parseArgs(['--kiosk-port', '47123', '--port=0'])).toEqual({ kioskPort: 47123, hubPort: 0 });
    expect(() => parseArgs(['--kiosk-port', 'x'])).toThrow('--kiosk-port must be 0–65535');
    expect(() => parseArgs(['--kiosk-port=70000'])).toThrow('--kiosk-port must be 0–65535');
    const probe = await freePort();
    const demo = await startDemo({ noOpen: true, hubPort: 0, kioskPort: probe, dataDir, build: false, quiet: true });
    try {
      expect(new URL(demo.kioskUrl).port).toBe(String(probe));
      expect(await kioskHubStatus(demo.kioskUrl)).toBe('online');
    } finally {
      await demo.close();
    }
  });
});

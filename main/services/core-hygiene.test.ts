import { describe, expect, it, vi } from 'vitest';
import { dispatchBridgeCall } from '../../common/bridge/dispatch';
import type { HubLinkStatus } from '../../common/bridge/core';
import type { HubToKiosk, KioskToHub } from '../../common/protocol';
import { KioskPublicConfig } from '../../common/config';
import { createKioskCore } from './core';
import type { HubLink } from './hub-link';
import { HubOfflineError } from './hub-link';

function setup(extra: { technicianPin?: string } = {}) {
  let status: HubLinkStatus = 'online';
  const statusL = new Set<(s: HubLinkStatus) => void>();
  const msgL = new Set<(f: HubToKiosk) => void>();
  const sent: KioskToHub[] = [];
  const link: HubLink = {
    get status() {
      return status;
    },
    iceServers: [],
    send(frame) {
      if (status !== 'online') throw new HubOfflineError();
      sent.push(frame);
    },
    onStatus: (l) => (statusL.add(l), () => statusL.delete(l)),
    onMessage: (l) => (msgL.add(l), () => msgL.delete(l)),
    close: vi.fn(async () => {}),
  };
  const core = createKioskCore({
    config: { public: KioskPublicConfig.parse({}), hubUrl: 'ws://h/ws', kioskId: 'k', kioskSecret: 's'.repeat(16), dataDir: '/tmp', devMode: false, ...extra },
    createHubLink: () => link,
    health: { appVersion: '9.9.9', intervalMs: 3_600_000 },
  });
  const call = (channel: string, ...args: unknown[]) => dispatchBridgeCall(core.handlers, channel, args);
  const receive = (f: HubToKiosk) => msgL.forEach((l) => l(f));
  const setStatus = (s: HubLinkStatus) => {
    status = s;
    statusL.forEach((l) => l(s));
  };
  return { core, sent, call, receive, setStatus };
}

const callFrames = (sent: KioskToHub[]) => sent.filter((f) => f.type !== 'kiosk.health');

describe('kiosk core: reset hygiene', () => {
  it('main resetVisit mid-call ends the call at the hub', async () => {
    const { core, sent, call, receive } = setup();
    await call('session.phase', 'visit');
    await call('hub.send', { type: 'call.request', requestId: 'r1', service: 'emploi', language: 'fr' });
    receive({ type: 'call.queued', callId: 'c1', requestId: 'r1', position: 1, estimateSeconds: 30 });
    receive({ type: 'call.accepted', callId: 'c1', agentName: 'Marie' });
    await call('session.phase', 'call');
    core.resetVisit('renderer_crash');
    expect(callFrames(sent).slice(1)).toEqual([{ type: 'call.end', callId: 'c1', reason: 'peer_lost' }]);
    expect(core.calls.current).toBeNull();
    await core.close();
  });

  it('a reloaded renderer reporting attract while a call is queued cancels it; a normal cancel is not doubled', async () => {
    const { core, sent, call, receive } = setup();
    await call('hub.send', { type: 'call.request', requestId: 'r1', service: 'emploi', language: 'fr' });
    receive({ type: 'call.queued', callId: 'c1', requestId: 'r1', position: 1, estimateSeconds: 30 });
    await call('session.phase', 'attract'); // fresh page after a reload
    expect(callFrames(sent).slice(1)).toEqual([{ type: 'call.cancel', callId: 'c1' }]);

    sent.length = 0;
    await call('hub.send', { type: 'call.request', requestId: 'r2', service: 'emploi', language: 'fr' });
    receive({ type: 'call.queued', callId: 'c2', requestId: 'r2', position: 1, estimateSeconds: 30 });
    await call('hub.send', { type: 'call.cancel', callId: 'c2' }); // the renderer's own reset
    await call('session.phase', 'attract');
    expect(callFrames(sent).map((f) => f.type)).toEqual(['call.request', 'call.cancel']);
    await core.close();
  });
});

describe('kiosk core: health and technician channels', () => {
  it('health.get returns the snapshot; technician.unlock checks the configured PIN', async () => {
    const { core, call } = setup({ technicianPin: '2468' });
    expect(await call('health.get')).toMatchObject({ ok: true, value: { appVersion: '9.9.9', hubLink: 'online', phase: 'attract', devices: null, outbox: null } });
    expect(await call('technician.unlock', '1111')).toEqual({ ok: true, value: false });
    expect(await call('technician.unlock', '2468')).toEqual({ ok: true, value: true });
    await core.close();
    const other = setup();
    expect(await other.call('technician.unlock', '2468')).toMatchObject({ ok: false, error: { code: 'technician_disabled' } });
    await other.core.close();
  });

  it('sends a health frame when the link comes online', async () => {
    const { core, sent, setStatus } = setup();
    setStatus('offline');
    setStatus('online');
    expect(sent.filter((f) => f.type === 'kiosk.health')).toHaveLength(1);
    await core.close();
  });
});

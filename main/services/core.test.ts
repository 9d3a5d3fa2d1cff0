import { describe, expect, it, vi } from 'vitest';
import { dispatchBridgeCall } from '../../common/bridge/dispatch';
import type { HubLinkStatus } from '../../common/bridge/core';
import type { HubToKiosk } from '../../common/protocol';
import { KioskPublicConfig } from '../../common/config';
import { createKioskCore } from './core';
import type { HubLink } from './hub-link';
import { HubOfflineError } from './hub-link';

function fakeHubLink() {
  const status: { value: HubLinkStatus } = { value: 'connecting' };
  const statusL = new Set<(s: HubLinkStatus) => void>();
  const msgL = new Set<(f: HubToKiosk) => void>();
  const sent: unknown[] = [];
  const link: HubLink = {
    get status() {
      return status.value;
    },
    iceServers: [{ urls: 'stun:x' }],
    send(frame) {
      if (status.value !== 'online') throw new HubOfflineError();
      sent.push(frame);
    },
    onStatus: (l) => (statusL.add(l), () => statusL.delete(l)),
    onMessage: (l) => (msgL.add(l), () => msgL.delete(l)),
    close: vi.fn(async () => {}),
  };
  return {
    link,
    sent,
    setStatus(s: HubLinkStatus) {
      status.value = s;
      statusL.forEach((l) => l(s));
    },
    receive: (f: HubToKiosk) => msgL.forEach((l) => l(f)),
  };
}

function setup() {
  const hub = fakeHubLink();
  const blocker = { start: vi.fn(() => 7), stop: vi.fn() };
  const outboxClose = vi.fn();
  const onPhase = vi.fn(async (p: string) => {
    if (p === 'closed') throw new Error('light unplugged');
  });
  const core = createKioskCore({
    onPhase,
    sections: { 'outbox.put': async () => ({ id: 'rec-1' }) },
    closeables: [{ close: outboxClose }],
    config: { public: KioskPublicConfig.parse({ kioskName: 'K-test' }), hubUrl: 'ws://h/ws', kioskId: 'k', kioskSecret: 's'.repeat(16), dataDir: '/tmp', devMode: false },
    powerSave: blocker,
    createHubLink: () => hub.link,
  });
  const events: [string, unknown[]][] = [];
  core.subscribe((e, p) => events.push([e, p]));
  return { hub, blocker, core, events, outboxClose, onPhase };
}

describe('kiosk core + bridge handlers', () => {
  it('serves config, status and ICE servers through dispatchBridgeCall', async () => {
    const { core } = setup();
    const cfg = await dispatchBridgeCall(core.handlers, 'config.get', []);
    expect(cfg).toMatchObject({ ok: true, value: { kioskName: 'K-test' } });
    expect(JSON.stringify(cfg)).not.toContain('s'.repeat(16));
    expect(await dispatchBridgeCall(core.handlers, 'hub.status', [])).toEqual({ ok: true, value: 'connecting' });
    expect(await dispatchBridgeCall(core.handlers, 'hub.iceServers', [])).toEqual({ ok: true, value: [{ urls: 'stun:x' }] });
  });

  it('forwards renderer frames to the hub, and reports hub_offline as a Result when down', async () => {
    const { core, hub } = setup();
    const frame = { type: 'call.request', requestId: 'r1', service: 'emploi', language: 'fr' };
    expect(await dispatchBridgeCall(core.handlers, 'hub.send', [frame])).toEqual({ ok: false, error: { code: 'hub_offline', message: expect.any(String) } });
    hub.setStatus('online');
    expect(await dispatchBridgeCall(core.handlers, 'hub.send', [frame])).toEqual({ ok: true, value: null });
    // (the health reporter also sends kiosk.health when the link comes online)
    expect(hub.sent.filter((f) => (f as { type: string }).type !== 'kiosk.health')).toEqual([frame]);
    // The renderer can never authenticate as anyone: kiosk.auth is not a RendererToHub frame.
    const auth = await dispatchBridgeCall(core.handlers, 'hub.send', [{ type: 'kiosk.auth', v: 1, kioskId: 'x', secret: 'y'.repeat(16) }]);
    expect(auth).toMatchObject({ ok: false, error: { code: 'invalid_args' } });
  });

  it('relays hub status and frames as bridge events', () => {
    const { hub, events } = setup();
    hub.setStatus('online');
    hub.receive({ type: 'pong', t: 1 });
    expect(events).toEqual([
      ['hub.status', ['online']],
      ['hub.message', [{ type: 'pong', t: 1 }]],
    ]);
  });

  it('checks the offered services against the hub catalogue: unknown ones are health problems, the frame stays in main', async () => {
    const { core, hub, events } = setup();
    hub.setStatus('online');
    const label = { fr: 'x', en: 'x' };
    hub.receive({ type: 'catalog', services: [{ id: 'emploi', label, icon: 'info' }, { id: 'immigration', label, icon: 'info' }] });
    const health = await dispatchBridgeCall(core.handlers, 'health.get', []);
    expect(health.ok && (health.value as { problems: string[] }).problems).toEqual(['config:unknown_service:solidarite', 'config:unknown_service:renseignements']);
    expect(events.some(([e]) => e === 'hub.message')).toBe(false);
    hub.receive({ type: 'catalog', services: ['emploi', 'immigration', 'solidarite', 'renseignements'].map((id) => ({ id, label, icon: 'info' })) });
    const after = await dispatchBridgeCall(core.handlers, 'health.get', []);
    expect(after.ok && (after.value as { problems: string[] }).problems).toEqual([]);
  });

  it('holds one power-save block during visit and call, releases it otherwise', async () => {
    const { core, blocker } = setup();
    await dispatchBridgeCall(core.handlers, 'session.phase', ['visit']);
    await dispatchBridgeCall(core.handlers, 'session.phase', ['call']);
    expect(blocker.start).toHaveBeenCalledTimes(1);
    expect(blocker.stop).not.toHaveBeenCalled();
    await dispatchBridgeCall(core.handlers, 'session.phase', ['attract']);
    expect(blocker.stop).toHaveBeenCalledWith(7);
    expect(core.phase).toBe('attract');
    expect(await dispatchBridgeCall(core.handlers, 'session.phase', ['dancing'])).toMatchObject({ ok: false, error: { code: 'invalid_args' } });
  });

  it('composes other sections and answers feature_unavailable for channels nobody provides', async () => {
    const { core } = setup();
    expect(await dispatchBridgeCall(core.handlers, 'outbox.put', [{ kind: 'survey', record: { service: 'emploi', language: 'fr', rating: 5 } }])).toMatchObject({ ok: true, value: { id: 'rec-1' } });
    expect(await dispatchBridgeCall(core.handlers, 'hardware.states', [])).toMatchObject({ ok: false, error: { code: 'feature_unavailable' } });
  });

  it('tells the phase listener (status light, screen) without letting its failure fail the call', async () => {
    const { core, onPhase } = setup();
    expect(await dispatchBridgeCall(core.handlers, 'session.phase', ['call'])).toEqual({ ok: true, value: null });
    expect(await dispatchBridgeCall(core.handlers, 'session.phase', ['closed'])).toEqual({ ok: true, value: null });
    await vi.waitFor(() => expect(onPhase.mock.calls).toEqual([['call', 'renderer'], ['closed', 'renderer']]));
    core.resetVisit('technician');
    // Main's own reset says so: the updater must not take it for the renderer proving it runs.
    await vi.waitFor(() => expect(onPhase).toHaveBeenLastCalledWith('attract', 'main'));
  });

  it('resetVisit releases the blocker and tells the renderer; close() closes the hub link and the blocker', async () => {
    const { core, blocker, events, hub, outboxClose } = setup();
    await dispatchBridgeCall(core.handlers, 'session.phase', ['call']);
    core.resetVisit('renderer_crash');
    expect(blocker.stop).toHaveBeenCalledTimes(1);
    expect(events).toContainEqual(['session.reset', ['renderer_crash']]);
    await dispatchBridgeCall(core.handlers, 'session.phase', ['visit']);
    await core.close();
    await core.close();
    expect(blocker.stop).toHaveBeenCalledTimes(2);
    expect(hub.link.close).toHaveBeenCalledTimes(1);
    expect(outboxClose).toHaveBeenCalledTimes(1);
  });
});

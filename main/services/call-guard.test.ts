import { describe, expect, it } from 'vitest';
import type { OutgoingFrame } from './hub-link';
import { HubOfflineError } from './hub-link';
import { createCallGuard } from './call-guard';

function setup() {
  const sent: OutgoingFrame[] = [];
  let online = true;
  const guard = createCallGuard({
    send: (f) => {
      if (!online) throw new HubOfflineError();
      sent.push(f);
    },
  });
  const renderer = (f: OutgoingFrame) => {
    guard.beforeSend(f);
    guard.sent(f);
  };
  return { guard, sent, renderer, setOnline: (v: boolean) => (online = v) };
}

describe('call guard (reset hygiene)', () => {
  it('cancels a queued call the renderer left behind', () => {
    const { guard, sent, renderer } = setup();
    renderer({ type: 'call.request', requestId: 'r1', service: 'emploi', language: 'fr' });
    guard.received({ type: 'call.queued', callId: 'c1', requestId: 'r1', position: 1, estimateSeconds: 60 });
    expect(guard.current).toEqual({ requestId: 'r1', callId: 'c1', accepted: false });
    expect(guard.release('renderer_gone')).toEqual({ type: 'call.cancel', callId: 'c1' });
    expect(sent).toEqual([{ type: 'call.cancel', callId: 'c1' }]);
    expect(guard.current).toBeNull();
    expect(guard.release('again')).toBeNull();
  });

  it('ends an accepted call with peer_lost', () => {
    const { guard, sent, renderer } = setup();
    renderer({ type: 'call.request', requestId: 'r1', service: 'emploi', language: 'fr' });
    guard.received({ type: 'call.queued', callId: 'c1', requestId: 'r1', position: 1, estimateSeconds: 60 });
    guard.received({ type: 'call.accepted', callId: 'c1', agentName: 'Marie' });
    guard.release('renderer_crash');
    expect(sent).toEqual([{ type: 'call.end', callId: 'c1', reason: 'peer_lost' }]);
  });

  it('sends nothing when the renderer released the call itself, or the hub ended it', () => {
    const { guard, sent, renderer } = setup();
    renderer({ type: 'call.request', requestId: 'r1', service: 'emploi', language: 'fr' });
    guard.received({ type: 'call.queued', callId: 'c1', requestId: 'r1', position: 1, estimateSeconds: 60 });
    renderer({ type: 'call.cancel', callId: 'c1' });
    expect(guard.release('phase_attract')).toBeNull();
    renderer({ type: 'call.request', requestId: 'r2', service: 'emploi', language: 'fr' });
    guard.received({ type: 'call.queued', callId: 'c2', requestId: 'r2', position: 1, estimateSeconds: 60 });
    guard.received({ type: 'call.ended', callId: 'c2', reason: 'agent_hangup' });
    expect(guard.release('phase_attract')).toBeNull();
    expect(sent).toEqual([]);
  });

  it('a request released before call.queued is cancelled as soon as the hub names the call', () => {
    const { guard, sent, renderer } = setup();
    renderer({ type: 'call.request', requestId: 'r1', service: 'emploi', language: 'fr' });
    expect(guard.release('renderer_gone')).toBeNull();
    guard.received({ type: 'call.queued', callId: 'c1', requestId: 'r1', position: 1, estimateSeconds: 60 });
    expect(sent).toEqual([{ type: 'call.cancel', callId: 'c1' }]);
    expect(guard.current).toBeNull();
  });

  it('a new call.request first releases an older call still held (no conflict at the hub)', () => {
    const { guard, sent, renderer } = setup();
    renderer({ type: 'call.request', requestId: 'r1', service: 'emploi', language: 'fr' });
    guard.received({ type: 'call.queued', callId: 'c1', requestId: 'r1', position: 1, estimateSeconds: 60 });
    renderer({ type: 'call.request', requestId: 'r2', service: 'emploi', language: 'fr' });
    expect(sent).toEqual([{ type: 'call.cancel', callId: 'c1' }]);
    expect(guard.current).toEqual({ requestId: 'r2', callId: null, accepted: false });
  });

  it('forgets everything when the link drops (the hub ends the call with the socket) and a refused request', () => {
    const { guard, sent, renderer, setOnline } = setup();
    renderer({ type: 'call.request', requestId: 'r1', service: 'emploi', language: 'fr' });
    guard.received({ type: 'call.queued', callId: 'c1', requestId: 'r1', position: 1, estimateSeconds: 60 });
    guard.linkStatus('offline');
    expect(guard.current).toBeNull();
    renderer({ type: 'call.request', requestId: 'r2', service: 'emploi', language: 'fr' });
    guard.received({ type: 'error', code: 'conflict', message: 'x', ref: 'call.request' });
    expect(guard.current).toBeNull();
    // Offline at release time: nothing thrown, nothing sent.
    renderer({ type: 'call.request', requestId: 'r3', service: 'emploi', language: 'fr' });
    guard.received({ type: 'call.queued', callId: 'c3', requestId: 'r3', position: 1, estimateSeconds: 60 });
    setOnline(false);
    expect(guard.release('reset')).toBeNull();
    expect(sent).toEqual([]);
  });
});

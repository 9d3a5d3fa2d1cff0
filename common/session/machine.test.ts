import { describe, expect, it } from 'vitest';
import { CALL_RECOVERY_MS, emptyVisit } from './types';
import { toView } from './session';
import { CLOSED, createHarness, flush, timers } from './test/harness';

type H = ReturnType<typeof createHarness>;
const view = (h: H) => toView(h.actor.getSnapshot());
const visitFields = (h: H) => {
  const { timers: _t, schedule: _s, serviceIds: _i, idPrefix: _p, requestSeq: _q, ...rest } = h.actor.getSnapshot().context;
  return rest;
};

/** Walks a fresh harness to the waiting screen with a queued call `c1`. */
async function toWaiting(h: H, appointment = false) {
  h.actor.send({ type: 'touch' });
  h.actor.send({ type: 'lang.select', lang: 'en' });
  h.actor.send({ type: 'service.select', serviceId: 'immigration' });
  if (appointment) {
    h.actor.send({ type: 'visit.appointment' });
    h.actor.send({ type: 'code.submit', code: 'AB12CD' });
  } else h.actor.send({ type: 'visit.walkIn' });
  h.actor.send({ type: 'consent.accept' });
  h.media.ready();
  await flush();
  h.actor.send({ type: 'devices.continue' });
  const requestId = h.actor.getSnapshot().context.requestId!;
  h.actor.send({ type: 'call.queued', callId: 'c1', requestId, position: 3, estimateSeconds: 240 });
}

async function toCall(h: H) {
  await toWaiting(h);
  h.actor.send({ type: 'call.accepted', callId: 'c1', agentName: 'Agente Tremblay' });
  await flush();
  h.log.peers[0]!.opts.onState('connected');
}

function expectReset(h: H) {
  expect(view(h).screen).toBe('attract');
  expect(visitFields(h)).toEqual(emptyVisit());
  expect(h.log.uiWiped).toBeGreaterThan(0);
}

describe('session machine', () => {
  it('starts through the reset into attract when open, closed otherwise', () => {
    const open = createHarness();
    expect(open.log.visits).toEqual([]); // a reset without a visit records nothing
    expect(view(open).screen).toBe('attract');
    expect(open.log.phases).toEqual(['attract']);
    expect(open.log.uiWiped).toBe(1);
    expect(open.log.mediaStopped).toBe(1);
    const closed = createHarness({ now: CLOSED });
    expect(view(closed).screen).toBe('closed');
    closed.actor.send({ type: 'touch' });
    expect(view(closed).screen).toBe('closed');
  });

  it('follows the opening hours on hours.tick', () => {
    const h = createHarness();
    h.clockNow.t = CLOSED;
    h.actor.send({ type: 'hours.tick' });
    expect(view(h).screen).toBe('closed');
    h.clockNow.t = Date.parse('2026-11-24T14:00:00Z');
    h.actor.send({ type: 'hours.tick' });
    expect(view(h).screen).toBe('attract');
  });

  it('runs a whole visit: request carries service, language and code; survey recorded; reset after thanks', async () => {
    const h = createHarness();
    await toWaiting(h, true);
    const req = h.log.hub.find((f) => f.type === 'call.request');
    expect(req).toEqual({ type: 'call.request', requestId: 'k1-1', service: 'immigration', language: 'en', uiLanguage: 'en', v: 2, appointmentCode: 'AB12CD' });
    expect(view(h)).toMatchObject({ screen: 'waiting', context: { position: 3, estimateSeconds: 240 } });
    h.actor.send({ type: 'queue.update', callId: 'c1', position: 1, estimateSeconds: 30 });
    expect(view(h).context.position).toBe(1);
    h.clockNow.t += 90_000; // 90 s in line
    h.actor.send({ type: 'call.accepted', callId: 'c1', agentName: 'Agente Tremblay' });
    expect(view(h)).toMatchObject({ screen: 'inCall', sub: 'connecting' });
    expect(h.log.phases.at(-1)).toBe('call');
    await flush();
    const peer = h.log.peers[0]!;
    expect(peer.opts.initiator).toBe(false);
    peer.opts.onState('connected');
    expect(view(h).sub).toBe('connected');
    peer.opts.onSignal({ type: 'answer', sdp: 'x' });
    expect(h.log.hub.at(-1)).toEqual({ type: 'signal', callId: 'c1', data: { type: 'answer', sdp: 'x' } });
    h.clockNow.t += 300_000; // a 5-minute call
    h.actor.send({ type: 'call.ended', callId: 'c1', reason: 'agent_hangup' });
    expect(view(h).screen).toBe('survey');
    expect(peer.destroyed).toBe(true);
    expect(h.log.remote.at(-1)).toBeNull();
    h.actor.send({ type: 'survey.submit', rating: 5, comment: 'Merci' });
    expect(h.log.surveys).toEqual([{ rating: 5, comment: 'Merci', service: 'immigration', language: 'en' }]);
    const sent = h.log.hub.length;
    h.clock.increment(timers.thankYouMs);
    expectReset(h);
    // The call had already ended on the hub: the reset sends nothing more.
    expect(h.framesSince(sent)).toEqual([]);
    // One anonymous visit record, written by the reset: no code, no call id.
    expect(h.log.visits).toEqual([{ outcome: 'completed', serviceId: 'immigration', lang: 'en', waitMs: 90_000, durationMs: 300_000 }]);
  });

  it('idle: prompt after idleMs, countdown resets the visit', () => {
    const h = createHarness();
    h.actor.send({ type: 'touch' });
    h.actor.send({ type: 'lang.select', lang: 'en' });
    h.clock.increment(timers.idleMs - 1);
    h.actor.send({ type: 'activity' });
    h.clock.increment(timers.idleMs - 1);
    expect(view(h).idlePrompt).toBe(false);
    h.clock.increment(1);
    expect(view(h)).toMatchObject({ screen: 'service', idlePrompt: true });
    h.actor.send({ type: 'activity' }); // a touch alone does not dismiss the prompt
    expect(view(h).idlePrompt).toBe(true);
    h.actor.send({ type: 'idle.stillHere' });
    expect(view(h)).toMatchObject({ screen: 'service', idlePrompt: false, context: { lang: 'en' } });
    h.clock.increment(timers.idleMs);
    h.clock.increment(timers.idleCountdownMs - 1);
    expect(view(h).screen).toBe('service');
    h.clock.increment(1);
    expectReset(h);
  });

  it('idle never interrupts a call, and a prompt showing when the agent answers is withdrawn', async () => {
    const h = createHarness();
    await toWaiting(h);
    h.clock.increment(timers.idleMs);
    expect(view(h).idlePrompt).toBe(true);
    h.actor.send({ type: 'call.accepted', callId: 'c1', agentName: 'A' });
    expect(view(h)).toMatchObject({ screen: 'inCall', idlePrompt: false });
    h.clock.increment(timers.idleMs * 10);
    expect(view(h).screen).toBe('inCall');
    h.actor.send({ type: 'call.hangup' });
    expect(h.log.hub.at(-1)).toEqual({ type: 'call.end', callId: 'c1', reason: 'kiosk_hangup' });
    expect(view(h)).toMatchObject({ screen: 'survey', idlePrompt: false });
    h.clock.increment(timers.idleMs);
    expect(view(h).idlePrompt).toBe(true);
  });

  it('wait timeout: cancels the queued call and says no agent is available', async () => {
    const h = createHarness();
    await toWaiting(h);
    for (let t = 0; t < timers.waitTimeoutMs; t += timers.idleMs / 2) {
      h.clock.increment(timers.idleMs / 2);
      h.actor.send({ type: 'activity' }); // the citizen is still there, touching now and then
    }
    expect(view(h)).toMatchObject({ screen: 'callFailed', context: { failure: 'noAgent', callId: null } });
    expect(h.log.hub.at(-1)).toEqual({ type: 'call.cancel', callId: 'c1' });
    expect(h.log.mediaStopped).toBeGreaterThan(1);
    h.actor.send({ type: 'call.retry' });
    expect(view(h)).toMatchObject({ screen: 'deviceCheck', sub: 'acquiring' });
  });

  it('declined consent shows the toll-free screen, then attract after declinedMs', () => {
    const h = createHarness();
    h.actor.send({ type: 'touch' });
    h.actor.send({ type: 'lang.select', lang: 'fr' });
    h.actor.send({ type: 'service.select', serviceId: 'emploi' });
    h.actor.send({ type: 'visit.walkIn' });
    h.actor.send({ type: 'consent.refuse' });
    expect(view(h).screen).toBe('declined');
    expect(h.log.mediaAcquired).toBe(0);
    h.clock.increment(timers.declinedMs);
    expectReset(h);
    expect(h.log.visits).toEqual([{ outcome: 'consent_refused', serviceId: 'emploi', lang: 'fr', waitMs: 0, durationMs: 0 }]);
  });

  it('rejects an invalid appointment code and ignores unknown services', () => {
    const h = createHarness();
    h.actor.send({ type: 'touch' });
    h.actor.send({ type: 'lang.select', lang: 'fr' });
    h.actor.send({ type: 'service.select', serviceId: 'nope' });
    expect(view(h).screen).toBe('service');
    h.actor.send({ type: 'service.select', serviceId: 'emploi' });
    h.actor.send({ type: 'visit.appointment' });
    h.actor.send({ type: 'code.submit', code: '12' });
    expect(view(h)).toMatchObject({ screen: 'appointmentCode', context: { codeError: true, appointmentCode: null } });
  });

  it('buffers signals that arrive before the peer exists, in order', async () => {
    const h = createHarness();
    await toWaiting(h);
    h.actor.send({ type: 'call.signal', callId: 'c1', data: { n: 1 } });
    h.actor.send({ type: 'call.accepted', callId: 'c1', agentName: 'A' });
    h.actor.send({ type: 'call.signal', callId: 'c1', data: { n: 2 } });
    h.actor.send({ type: 'call.signal', callId: 'other', data: { n: 99 } });
    await flush();
    h.actor.send({ type: 'call.signal', callId: 'c1', data: { n: 3 } });
    expect(h.log.peers[0]!.signals).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    h.actor.send({ type: 'call.mute', muted: true });
    expect(h.log.peers[0]!.muted).toBe(true);
  });

  it('cancels calls it does not own (queued just before a reset or reload)', () => {
    const h = createHarness();
    h.actor.send({ type: 'call.queued', callId: 'old', requestId: 'previous-1', position: 1, estimateSeconds: 0 });
    h.actor.send({ type: 'call.accepted', callId: 'old2', agentName: 'A' });
    expect(h.log.hub).toEqual([
      { type: 'call.cancel', callId: 'old' },
      { type: 'call.end', callId: 'old2', reason: 'cancelled' },
    ]);
    expect(view(h).screen).toBe('attract');
  });

  it('hub offline when requesting the call fails plainly', async () => {
    const h = createHarness({ hubResult: () => ({ ok: false, error: { code: 'hub_offline', message: 'down' } }) });
    h.actor.send({ type: 'touch' });
    h.actor.send({ type: 'lang.select', lang: 'fr' });
    h.actor.send({ type: 'service.select', serviceId: 'emploi' });
    h.actor.send({ type: 'visit.walkIn' });
    h.actor.send({ type: 'consent.accept' });
    h.media.ready();
    await flush();
    h.actor.send({ type: 'devices.continue' });
    await flush();
    expect(view(h)).toMatchObject({ screen: 'callFailed', context: { failure: 'hubOffline' } });
  });

  it('a refused call.request (hub error naming it) fails the wait at once', async () => {
    const h = createHarness();
    h.actor.send({ type: 'touch' });
    h.actor.send({ type: 'lang.select', lang: 'fr' });
    h.actor.send({ type: 'service.select', serviceId: 'emploi' });
    h.actor.send({ type: 'visit.walkIn' });
    h.actor.send({ type: 'consent.accept' });
    h.media.ready();
    await flush();
    h.actor.send({ type: 'devices.continue' });
    h.actor.send({ type: 'hub.error', code: 'rate_limited', ref: 'ping' });
    expect(view(h).screen).toBe('waiting');
    h.actor.send({ type: 'hub.error', code: 'conflict', ref: 'call.request' });
    expect(view(h)).toMatchObject({ screen: 'callFailed', context: { failure: 'error' } });
  });

  it('a peer that closes by itself waits for the hub\'s word for the recovery window; silence is a drop', async () => {
    const h = createHarness();
    await toCall(h);
    h.log.peers[0]!.opts.onState('closed');
    expect(view(h).sub).toBe('closing');
    h.clock.increment(CALL_RECOVERY_MS - 1);
    expect(view(h).sub).toBe('closing');
    h.clock.increment(1);
    expect(view(h)).toMatchObject({ screen: 'callFailed', context: { failure: 'dropped', lostCallId: 'c1' } });
    expect(h.log.hub.at(-1)).toEqual({ type: 'call.end', callId: 'c1', reason: 'peer_lost' });

    const h2 = createHarness();
    await toCall(h2);
    h2.log.peers[0]!.opts.onState('closed');
    h2.actor.send({ type: 'call.ended', callId: 'c1', reason: 'agent_hangup' });
    expect(view(h2).screen).toBe('survey');
  });

  it('a peer that fails as the agent hangs up waits for the hub: survey, not "call cut"; silence is a drop', async () => {
    const h = createHarness();
    await toCall(h);
    h.log.peers[0]!.opts.onState('failed');
    expect(view(h).sub).toBe('closing');
    h.actor.send({ type: 'call.ended', callId: 'c1', reason: 'agent_hangup' });
    expect(view(h).screen).toBe('survey');

    const h2 = createHarness();
    await toCall(h2);
    h2.log.peers[0]!.opts.onState('failed');
    h2.clock.increment(CALL_RECOVERY_MS);
    expect(view(h2)).toMatchObject({ screen: 'callFailed', context: { failure: 'dropped' } });
    expect(h2.log.hub.at(-1)).toEqual({ type: 'call.end', callId: 'c1', reason: 'peer_lost' });
  });

  it('agent lost: the hub\'s peer_lost says "L\'agent a été déconnecté", never the survey; Réessayer asks for the head of the same line', async () => {
    const h = createHarness();
    await toCall(h);
    h.log.peers[0]!.opts.onState('closed'); // the agent's browser closed
    h.clock.increment(60_000); // the hub's resume window
    h.actor.send({ type: 'call.ended', callId: 'c1', reason: 'peer_lost' });
    expect(view(h)).toMatchObject({ screen: 'callFailed', context: { failure: 'agentLost', lostCallId: 'c1', callId: null } });
    expect(h.log.visits).toEqual([]);
    h.actor.send({ type: 'call.retry' });
    h.media.ready();
    await flush();
    h.actor.send({ type: 'devices.continue' });
    expect(view(h).screen).toBe('waiting');
    expect(h.log.hub.at(-1)).toMatchObject({ type: 'call.request', service: 'immigration', language: 'en', requeueOf: 'c1' });
    // Answered again: a later loss names this call, not the first one.
    const requestId = h.actor.getSnapshot().context.requestId!;
    h.actor.send({ type: 'call.queued', callId: 'c2', requestId, position: 1, estimateSeconds: 0 });
    h.actor.send({ type: 'call.accepted', callId: 'c2', agentName: 'Agent Roy' });
    expect(h.actor.getSnapshot().context.lostCallId).toBeNull();
  });

  it('media down: reconnecting while ICE restarts, back to connected, or lost after the recovery window', async () => {
    const h = createHarness();
    await toCall(h);
    h.log.peers[0]!.opts.onState('reconnecting');
    expect(view(h).sub).toBe('reconnecting');
    h.clock.increment(CALL_RECOVERY_MS - 1_000);
    h.log.peers[0]!.opts.onState('connected');
    expect(view(h)).toMatchObject({ screen: 'inCall', sub: 'connected' });
    // The window counts afresh for the next outage.
    h.log.peers[0]!.opts.onState('reconnecting');
    h.clock.increment(CALL_RECOVERY_MS - 1);
    expect(view(h).sub).toBe('reconnecting');
    h.clock.increment(1);
    expect(view(h)).toMatchObject({ screen: 'callFailed', context: { failure: 'dropped', lostCallId: 'c1' } });
    expect(h.log.hub.at(-1)).toEqual({ type: 'call.end', callId: 'c1', reason: 'peer_lost' });
    expect(h.log.peers[0]!.destroyed).toBe(true);
  });

  it('signaling is not the call: the hub link going down and up leaves the call connected and only flags the link', async () => {
    const h = createHarness();
    await toCall(h);
    h.actor.send({ type: 'hub.status', status: 'offline' });
    expect(view(h)).toMatchObject({ screen: 'inCall', sub: 'connected', context: { linkDown: true } });
    h.clock.increment(120_000);
    expect(view(h)).toMatchObject({ screen: 'inCall', sub: 'connected' });
    expect(h.log.peers[0]!.destroyed).toBe(false);
    h.actor.send({ type: 'hub.status', status: 'online' });
    h.actor.send({ type: 'call.resumed', callId: 'c1' });
    expect(view(h)).toMatchObject({ screen: 'inCall', sub: 'connected', context: { linkDown: false } });
  });

  it('session.reset from main during a call ends it, destroys the peer and stops media', async () => {
    const h = createHarness();
    await toCall(h);
    const stops = h.log.mediaStopped;
    h.actor.send({ type: 'session.reset', reason: 'renderer-crash' });
    expectReset(h);
    expect(h.log.hub.at(-1)).toEqual({ type: 'call.end', callId: 'c1', reason: 'kiosk_hangup' });
    expect(h.log.peers[0]!.destroyed).toBe(true);
    expect(h.log.mediaStopped).toBe(stops + 1);
    expect(h.log.phases.at(-1)).toBe('attract');
  });

  it('media that fails goes to the video-unavailable hook', async () => {
    const h = createHarness();
    h.actor.send({ type: 'touch' });
    h.actor.send({ type: 'lang.select', lang: 'fr' });
    h.actor.send({ type: 'service.select', serviceId: 'emploi' });
    h.actor.send({ type: 'visit.walkIn' });
    h.actor.send({ type: 'consent.accept' });
    h.media.fail();
    await flush();
    expect(view(h).screen).toBe('videoUnavailable');
  });
});

/** A harness whose call failed with no agent (wait timeout), outbox answering `available`. */
async function toNoAgent(available: boolean) {
  const h = createHarness({ callbackAvailable: () => Promise.resolve(available) });
  await toWaiting(h);
  h.clock.increment(timers.waitTimeoutMs);
  await flush();
  return h;
}

describe('callback request', () => {
  it('callFailed offers it once outbox.stats said it can be taken; the form carries service, language and reason', async () => {
    const h = await toNoAgent(true);
    expect(view(h).screen).toBe('callFailed');
    expect(h.log.callbackChecks).toBe(1);
    expect(view(h).context.callbackAvailable).toBe(true);
    h.actor.send({ type: 'callback.offer' });
    expect(view(h)).toMatchObject({ screen: 'callback', sub: 'form' });
    expect(view(h).context).toMatchObject({ serviceId: 'immigration', lang: 'en', callbackFrom: 'callFailed', callbackReason: 'no_agent' });
    // Annuler on the form: back to the failure screen, which asks the outbox again.
    h.actor.send({ type: 'visit.back' });
    await flush();
    expect(view(h).screen).toBe('callFailed');
    expect(h.log.callbackChecks).toBe(2);
    expect(view(h).context.callbackFrom).toBeNull();
  });

  it('"Votre demande est enregistrée" only after the put resolved; then the same reset, recorded as callback', async () => {
    const h = await toNoAgent(true);
    h.actor.send({ type: 'callback.offer' });
    h.actor.send({ type: 'callback.saved' });
    expect(view(h)).toMatchObject({ screen: 'callback', sub: 'saved' });
    h.clock.increment(timers.thankYouMs);
    expectReset(h);
    expect(h.log.visits.map((v) => v.outcome)).toEqual(['callback']);
  });

  it('is not offered when the outbox is full or unreachable, and a put refused as full is remembered', async () => {
    const full = await toNoAgent(false);
    expect(view(full).context.callbackAvailable).toBe(false);
    full.actor.send({ type: 'callback.offer' });
    expect(view(full).screen).toBe('callFailed');
    const down = createHarness({ callbackAvailable: () => Promise.reject(new Error('bridge down')) });
    await toWaiting(down);
    down.actor.send({ type: 'hub.status', status: 'offline' });
    await flush();
    expect(view(down).context).toMatchObject({ failure: 'hubOffline', callbackAvailable: false });
    const h = await toNoAgent(true);
    h.actor.send({ type: 'callback.offer' });
    h.actor.send({ type: 'callback.availability', available: false }); // put failed with outbox_full
    expect(view(h)).toMatchObject({ screen: 'callback', sub: 'form' });
    expect(view(h).context.callbackAvailable).toBe(false);
  });

  it('the reason follows the failure (dropped → call_failed, hub offline → hub_unreachable)', async () => {
    const h = createHarness();
    await toCall(h);
    h.actor.send({ type: 'call.ended', callId: 'c1', reason: 'peer_lost' });
    await flush();
    h.actor.send({ type: 'callback.offer' });
    expect(view(h).context.callbackReason).toBe('call_failed');
    const o = createHarness();
    await toWaiting(o);
    o.actor.send({ type: 'hub.status', status: 'offline' });
    await flush();
    o.actor.send({ type: 'callback.offer' });
    expect(view(o).context.callbackReason).toBe('hub_unreachable');
  });

  it('idle applies on the form: the countdown resets the visit', async () => {
    const h = await toNoAgent(true);
    h.actor.send({ type: 'callback.offer' });
    // (the long wait left a prompt up: answer it, then type nothing)
    if (view(h).idlePrompt) h.actor.send({ type: 'idle.stillHere' });
    h.clock.increment(timers.idleMs - 1);
    expect(view(h).idlePrompt).toBe(false);
    h.clock.increment(1);
    expect(view(h).idlePrompt).toBe(true);
    h.clock.increment(timers.idleCountdownMs);
    expectReset(h);
  });

  it('from the closed screen: language, then service, then the form (reason closed); back to closed after', async () => {
    const h = createHarness({ now: CLOSED });
    await flush();
    expect(view(h).screen).toBe('closed');
    expect(view(h).context.callbackAvailable).toBe(true);
    h.actor.send({ type: 'callback.offer' });
    expect(view(h).screen).toBe('language');
    expect(h.log.phases.at(-1)).toBe('visit');
    h.actor.send({ type: 'lang.select', lang: 'fr' });
    h.actor.send({ type: 'service.select', serviceId: 'emploi' });
    expect(view(h)).toMatchObject({ screen: 'callback', sub: 'form' });
    expect(view(h).context).toMatchObject({ callbackFrom: 'closed', callbackReason: 'closed', serviceId: 'emploi' });
    h.actor.send({ type: 'visit.back' });
    expect(view(h).screen).toBe('service');
    h.actor.send({ type: 'visit.cancel' });
    expect(view(h).screen).toBe('closed');
    expect(h.log.visits.map((v) => v.outcome)).toEqual(['closed']);
  });
});

describe('hardware inputs', () => {
  it('call button starts a visit from attract like a touch, and answers the idle prompt', () => {
    const h = createHarness();
    h.actor.send({ type: 'callButton.pressed' });
    expect(view(h).screen).toBe('language');
    h.clock.increment(timers.idleMs);
    expect(view(h).idlePrompt).toBe(true);
    h.actor.send({ type: 'callButton.pressed' });
    expect(view(h).idlePrompt).toBe(false);
    const closed = createHarness({ now: CLOSED });
    closed.actor.send({ type: 'callButton.pressed' });
    expect(view(closed).screen).toBe('closed');
  });

  it('presence wakes the screen and leaves attract showing; a touch when closed wakes it too', () => {
    const h = createHarness();
    h.actor.send({ type: 'presence.changed', present: true });
    h.actor.send({ type: 'presence.changed', present: false });
    expect(view(h).screen).toBe('attract');
    expect(h.log.wakes).toBe(1);
    const c = createHarness({ now: CLOSED });
    c.actor.send({ type: 'presence.changed', present: true });
    c.actor.send({ type: 'touch' });
    expect(c.log.wakes).toBe(2);
    expect(view(c).screen).toBe('closed');
  });

  it('a scanned valid code answers the visit type and goes to consent; an invalid one prefills the keypad', () => {
    const h = createHarness();
    h.actor.send({ type: 'touch' });
    h.actor.send({ type: 'lang.select', lang: 'fr' });
    h.actor.send({ type: 'service.select', serviceId: 'emploi' });
    h.actor.send({ type: 'code.scanned', code: ' ab12-cd34 ', symbology: 'QR' });
    expect(view(h).screen).toBe('consent');
    expect(view(h).context).toMatchObject({ visitType: 'appointment', appointmentCode: 'AB12CD34' });
    const bad = createHarness();
    bad.actor.send({ type: 'touch' });
    bad.actor.send({ type: 'lang.select', lang: 'fr' });
    bad.actor.send({ type: 'service.select', serviceId: 'emploi' });
    bad.actor.send({ type: 'code.scanned', code: 'https://x/AB1', symbology: 'QR' });
    expect(view(bad).screen).toBe('appointmentCode');
    expect(view(bad).context).toMatchObject({ codeError: true, scannedCode: 'HTTPSXAB1' });
    bad.actor.send({ type: 'code.scanned', code: 'ZZ99', symbology: 'Code128' });
    expect(view(bad).screen).toBe('consent');
    expect(view(bad).context.appointmentCode).toBe('ZZ99');
  });

  it('a code scanned at attract starts the visit and is remembered for the keypad', () => {
    const h = createHarness();
    h.actor.send({ type: 'code.scanned', code: 'AB12', symbology: 'QR' });
    expect(view(h).screen).toBe('language');
    expect(view(h).context.scannedCode).toBe('AB12');
  });

  it('lifting the handset routes audio to it; hanging up in call asks first — Oui ends, Non keeps the call', async () => {
    const h = createHarness();
    await toCall(h);
    h.actor.send({ type: 'handset.lifted' });
    expect(view(h).context.audioRoute).toBe('handset');
    expect(h.log.routes.at(-1)).toBe('handset');
    h.actor.send({ type: 'handset.muteChanged', muted: true });
    expect(h.log.peers[0]!.muted).toBe(true);
    h.actor.send({ type: 'handset.hungUp' });
    expect(view(h)).toMatchObject({ screen: 'inCall', hangupPrompt: true });
    expect(h.log.routes.at(-1)).toBe('speaker'); // meanwhile the agent is heard on the loudspeaker
    h.actor.send({ type: 'hangup.cancel' });
    expect(view(h)).toMatchObject({ screen: 'inCall', hangupPrompt: false });
    h.actor.send({ type: 'handset.lifted' });
    h.actor.send({ type: 'handset.hungUp' });
    const sent = h.log.hub.length;
    h.actor.send({ type: 'call.hangup' }); // "Oui, terminer l'appel"
    expect(view(h)).toMatchObject({ screen: 'survey', hangupPrompt: false });
    expect(h.framesSince(sent)).toEqual([{ type: 'call.end', callId: 'c1', reason: 'kiosk_hangup' }]);
  });

  it('the hangup prompt dismisses itself and the call goes on', async () => {
    const h = createHarness();
    await toCall(h);
    h.actor.send({ type: 'handset.lifted' });
    h.actor.send({ type: 'handset.hungUp' });
    h.clock.increment(10_000);
    expect(view(h)).toMatchObject({ screen: 'inCall', sub: 'connected', hangupPrompt: false });
    expect(view(h).context.audioRoute).toBe('speaker');
  });

  it('hanging up while waiting just goes back to the loudspeaker', async () => {
    const h = createHarness();
    await toWaiting(h);
    h.actor.send({ type: 'handset.lifted' });
    expect(view(h).context.audioRoute).toBe('handset');
    h.actor.send({ type: 'handset.hungUp' });
    expect(view(h)).toMatchObject({ screen: 'waiting', hangupPrompt: false });
    expect(view(h).context.audioRoute).toBe('speaker');
  });
});

describe('video unavailable', () => {
  it('a camera lost in line leaves the line; it returning brings the device check back', async () => {
    const h = createHarness();
    await toWaiting(h);
    const sent = h.log.hub.length;
    h.actor.send({ type: 'devices.lost', reason: 'no_camera' });
    expect(view(h).screen).toBe('videoUnavailable');
    expect(h.framesSince(sent)).toEqual([{ type: 'call.cancel', callId: 'c1' }]);
    await flush();
    expect(view(h).context.callbackAvailable).toBe(true);
    const acquired = h.log.mediaAcquired;
    h.actor.send({ type: 'devices.returned' });
    expect(view(h)).toMatchObject({ screen: 'deviceCheck', sub: 'acquiring' });
    expect(h.log.mediaAcquired).toBe(acquired + 1);
  });

  it('a camera lost in call ends the call (not twice at the reset) and offers phone and callback', async () => {
    const h = createHarness();
    await toCall(h);
    const sent = h.log.hub.length;
    h.actor.send({ type: 'devices.lost', reason: 'no_camera' });
    expect(view(h).screen).toBe('videoUnavailable');
    expect(h.log.peers[0]!.destroyed).toBe(true);
    expect(h.framesSince(sent)).toEqual([{ type: 'call.end', callId: 'c1', reason: 'error' }]);
    await flush();
    h.actor.send({ type: 'callback.offer' });
    expect(view(h).context).toMatchObject({ callbackFrom: 'videoUnavailable', callbackReason: 'call_failed' });
    h.actor.send({ type: 'visit.back' });
    expect(view(h).screen).toBe('videoUnavailable');
    h.actor.send({ type: 'visit.done' });
    expectReset(h);
    expect(h.framesSince(sent)).toHaveLength(1);
    expect(h.log.visits.map((v) => v.outcome)).toEqual(['failed']);
  });

  it('videoUnavailable keeps the media watch listening (no stop) until the reset', async () => {
    const h = createHarness();
    h.actor.send({ type: 'touch' });
    h.actor.send({ type: 'lang.select', lang: 'fr' });
    h.actor.send({ type: 'service.select', serviceId: 'emploi' });
    h.actor.send({ type: 'visit.walkIn' });
    h.actor.send({ type: 'consent.accept' });
    h.media.fail(new Error('NotFoundError'));
    await flush();
    const stops = h.log.mediaStopped;
    expect(view(h).screen).toBe('videoUnavailable');
    h.actor.send({ type: 'visit.cancel' });
    expect(h.log.mediaStopped).toBe(stops + 1);
  });

  it('reports the call phase to main while in call (status light, power-save)', async () => {
    const h = createHarness();
    await toCall(h);
    expect(h.log.phases.slice(-2)).toEqual(['visit', 'call']);
    h.actor.send({ type: 'call.hangup' });
    expect(h.log.phases.at(-1)).toBe('visit');
  });
});

// Waiting done right (idle prompt never cancels a queued citizen; presence sensor; long limit),
// the hub's "no agent available", audio-only visits and the interpreter's language, on the real
// machine with SimulatedClock and fakes (test/harness.ts).
import { describe, expect, it } from 'vitest';
import { DEFAULT_PRESENCE_ABSENT_MS, DEFAULT_WAITING_LIMIT_MS, emptyVisit } from './types';
import { toView } from './session';
import { createHarness, flush, timers } from './test/harness';

type H = ReturnType<typeof createHarness>;
const view = (h: H) => toView(h.actor.getSnapshot());
const MIN = 60_000;
/** A wait timeout far beyond the limits under test, so only they can end the wait. */
const longWait = { waitTimeoutMs: 4 * 60 * MIN };

async function toWaiting(h: H, o: { lang?: 'fr' | 'en' | 'es' | 'ar' | 'zh'; audioOnly?: boolean } = {}) {
  h.actor.send({ type: 'touch' });
  h.actor.send({ type: 'lang.select', lang: o.lang ?? 'fr' });
  h.actor.send({ type: 'service.select', serviceId: 'emploi' });
  h.actor.send({ type: 'visit.walkIn' });
  h.actor.send(o.audioOnly ? { type: 'consent.accept', audioOnly: true } : { type: 'consent.accept' });
  h.media.ready();
  await flush();
  h.actor.send({ type: 'devices.continue' });
  const requestId = h.actor.getSnapshot().context.requestId!;
  h.actor.send({ type: 'call.queued', callId: 'c1', requestId, position: 2, estimateSeconds: 600 });
  expect(view(h).screen).toBe('waiting');
}

/**
 * Advances the simulated clock in 1 s steps: SimulatedClock starts a timer scheduled while it fires
 * another from the end of the increment, so coarse steps would stretch chained timers.
 */
function advance(h: H, ms: number, step = 1_000) {
  for (let t = 0; t < ms; t += step) h.clock.increment(Math.min(step, ms - t));
}

function expectLeftLine(h: H) {
  expect(view(h).screen).toBe('attract');
  const { timers: _t, schedule: _s, serviceIds: _i, idPrefix: _p, requestSeq: _q, ...rest } = h.actor.getSnapshot().context;
  expect(rest).toEqual(emptyVisit());
  expect(h.log.hub).toContainEqual({ type: 'call.cancel', callId: 'c1' });
  expect(h.log.visits.at(-1)?.outcome).toBe('idle');
}

describe('waiting: the idle prompt never cancels a queued citizen', () => {
  it('untouched for 9 minutes: the prompt shows (keeping the place), the call stays queued, the agent answers', async () => {
    const h = createHarness({ timers: longWait });
    await toWaiting(h);
    advance(h, timers.idleMs);
    expect(view(h)).toMatchObject({ screen: 'waiting', idlePrompt: true, idleKeepsPlace: true });
    advance(h, timers.idleCountdownMs);
    // The countdown is over: the prompt stays up and nothing was cancelled.
    expect(view(h)).toMatchObject({ screen: 'waiting', idlePrompt: true, idleKeepsPlace: true });
    advance(h, 9 * MIN - timers.idleMs - timers.idleCountdownMs);
    expect(view(h).screen).toBe('waiting');
    expect(h.log.hub.filter((f) => f.type === 'call.cancel')).toEqual([]);
    h.actor.send({ type: 'call.accepted', callId: 'c1', agentName: 'Agente' });
    expect(view(h)).toMatchObject({ screen: 'inCall', idlePrompt: false });
  });

  it('gives the place up after waitingLimitMs without a touch (booth without a presence sensor)', async () => {
    const h = createHarness({ timers: longWait });
    await toWaiting(h);
    advance(h, DEFAULT_WAITING_LIMIT_MS - 1_000);
    expect(view(h)).toMatchObject({ screen: 'waiting', idlePrompt: true });
    advance(h, 1_000);
    expectLeftLine(h);
  });

  it('a touch on the prompt restarts the limit; the call button answers it too', async () => {
    const h = createHarness({ timers: { ...longWait, waitingLimitMs: 20 * MIN } });
    await toWaiting(h);
    advance(h, 19 * MIN);
    h.actor.send({ type: 'idle.stillHere' });
    expect(view(h).idlePrompt).toBe(false);
    advance(h, 19 * MIN);
    expect(view(h)).toMatchObject({ screen: 'waiting', idlePrompt: true });
    h.actor.send({ type: 'callButton.pressed' });
    advance(h, 19 * MIN);
    expect(view(h).screen).toBe('waiting');
    advance(h, 1 * MIN);
    expectLeftLine(h);
  });

  it('presence sensor: nobody for presenceAbsentMs and the prompt unanswered → the place is given up', async () => {
    const idleMs = 5 * MIN; // the prompt comes after the sensor's verdict here
    const h = createHarness({ timers: { ...longWait, idleMs } });
    await toWaiting(h);
    h.actor.send({ type: 'presence.changed', present: false });
    expect(view(h)).toMatchObject({ screen: 'waiting', sub: 'absent' });
    // Gone for the sensor, but the prompt has not even shown yet: still in line.
    advance(h, DEFAULT_PRESENCE_ABSENT_MS);
    expect(view(h)).toMatchObject({ screen: 'waiting', sub: 'gone', idlePrompt: false });
    advance(h, idleMs - DEFAULT_PRESENCE_ABSENT_MS);
    expect(view(h)).toMatchObject({ screen: 'waiting', idlePrompt: true });
    advance(h, timers.idleCountdownMs);
    expectLeftLine(h);
  });

  it('presence sensor: the prompt unanswered first, then nobody for presenceAbsentMs → leaves; someone back in time keeps the place', async () => {
    const h = createHarness({ timers: longWait });
    await toWaiting(h);
    advance(h, timers.idleMs + timers.idleCountdownMs);
    expect(view(h)).toMatchObject({ screen: 'waiting', idlePrompt: true });
    h.actor.send({ type: 'presence.changed', present: false });
    advance(h, DEFAULT_PRESENCE_ABSENT_MS - 10_000);
    h.actor.send({ type: 'presence.changed', present: true }); // came back (or just moved)
    advance(h, 10 * MIN);
    expect(view(h)).toMatchObject({ screen: 'waiting', sub: 'present' });
    h.actor.send({ type: 'presence.changed', present: false });
    advance(h, DEFAULT_PRESENCE_ABSENT_MS);
    expectLeftLine(h);
  });

  it('presence sensor says nobody, but the citizen answers the prompt: the place is kept', async () => {
    const h = createHarness({ timers: longWait });
    await toWaiting(h);
    h.actor.send({ type: 'presence.changed', present: false }); // a sensor that misses a seated person
    for (let i = 0; i < 10; i++) {
      advance(h, timers.idleMs);
      expect(view(h).idlePrompt).toBe(true);
      h.actor.send({ type: 'idle.stillHere' });
    }
    expect(view(h)).toMatchObject({ screen: 'waiting', sub: 'gone', idlePrompt: false });
  });

  it('leaving the line with the prompt unanswered (no agent in time): its countdown applies on the next screen', async () => {
    const h = createHarness({ timers: { waitTimeoutMs: 5 * MIN } });
    await toWaiting(h);
    advance(h, 5 * MIN);
    expect(view(h)).toMatchObject({ screen: 'callFailed', idlePrompt: true, idleKeepsPlace: false, context: { failure: 'noAgent' } });
    advance(h, timers.idleCountdownMs);
    expect(view(h).screen).toBe('attract');
    expect(h.log.visits.at(-1)?.outcome).toBe('idle');
  });

  it('the idle prompt off the line still resets the visit after its countdown', () => {
    const h = createHarness();
    h.actor.send({ type: 'touch' });
    advance(h, timers.idleMs + timers.idleCountdownMs);
    expect(view(h).screen).toBe('attract');
  });
});

describe('waiting: the hub says when no agent is available', () => {
  it('noAgent replaces the estimate, and an update with an estimate clears it', async () => {
    const h = createHarness();
    await toWaiting(h);
    expect(view(h)).toMatchObject({ noAgent: false, context: { estimateSeconds: 600 } });
    h.actor.send({ type: 'queue.update', callId: 'c1', position: 2, estimateSeconds: null, noAgent: true });
    expect(view(h)).toMatchObject({ noAgent: true, context: { estimateSeconds: null, position: 2 } });
    h.actor.send({ type: 'queue.update', callId: 'c1', position: 1, estimateSeconds: 240 });
    expect(view(h)).toMatchObject({ noAgent: false, context: { estimateSeconds: 240, position: 1 } });
  });
});

describe('audio-only visits', () => {
  it('consent "microphone only": the microphone alone is opened, the request says so, a lost camera does not matter', async () => {
    const h = createHarness();
    await toWaiting(h, { audioOnly: true });
    expect(h.log.mediaOpts).toEqual([{ audioOnly: true }]);
    expect(h.log.hub.find((f) => f.type === 'call.request')).toMatchObject({ audioOnly: true });
    h.actor.send({ type: 'devices.lost', reason: 'no_camera' });
    expect(view(h).screen).toBe('waiting');
    h.actor.send({ type: 'call.accepted', callId: 'c1', agentName: 'Agente' });
    h.actor.send({ type: 'devices.lost', reason: 'no_camera' });
    expect(view(h).screen).toBe('inCall');
  });

  it('a camera that fails offers an audio call; the microphone failing too leaves only phone and callback', async () => {
    const h = createHarness();
    h.actor.send({ type: 'touch' });
    h.actor.send({ type: 'lang.select', lang: 'fr' });
    h.actor.send({ type: 'service.select', serviceId: 'emploi' });
    h.actor.send({ type: 'visit.walkIn' });
    h.actor.send({ type: 'consent.accept' });
    h.media.fail(new Error('NotReadableError'));
    await flush();
    expect(view(h)).toMatchObject({ screen: 'videoUnavailable', offerAudioCall: true, context: { audioOnly: false } });
    h.actor.send({ type: 'call.audioOnly' });
    expect(view(h)).toMatchObject({ screen: 'deviceCheck', sub: 'acquiring', context: { audioOnly: true } });
    expect(h.log.mediaOpts).toEqual([{ audioOnly: false }, { audioOnly: true }]);
    h.media.fail(new Error('NotFoundError'));
    await flush();
    expect(view(h)).toMatchObject({ screen: 'videoUnavailable', offerAudioCall: false });
    h.actor.send({ type: 'call.audioOnly' });
    expect(view(h).screen).toBe('videoUnavailable');
    // "Réessayer" tries the camera again.
    h.actor.send({ type: 'call.retry' });
    expect(view(h)).toMatchObject({ screen: 'deviceCheck', context: { audioOnly: false } });
    expect(h.log.mediaOpts.at(-1)).toEqual({ audioOnly: false });
  });

  it('the audio call reaches the line: request audioOnly, then a normal call', async () => {
    const h = createHarness();
    h.actor.send({ type: 'touch' });
    h.actor.send({ type: 'lang.select', lang: 'en' });
    h.actor.send({ type: 'service.select', serviceId: 'emploi' });
    h.actor.send({ type: 'visit.walkIn' });
    h.actor.send({ type: 'consent.accept' });
    h.media.fail(new Error('NotAllowedError'));
    await flush();
    h.actor.send({ type: 'call.audioOnly' });
    h.media.ready();
    await flush();
    h.actor.send({ type: 'devices.continue' });
    expect(h.log.hub.at(-1)).toMatchObject({ type: 'call.request', audioOnly: true, language: 'en' });
  });
});

describe('languages other than the call languages', () => {
  it('an Arabic visit is queued in French with the screens\' language for the interpreter flag; the visit record keeps Arabic', async () => {
    const h = createHarness();
    await toWaiting(h, { lang: 'ar' });
    expect(h.log.hub.find((f) => f.type === 'call.request')).toEqual({ type: 'call.request', requestId: 'k1-1', service: 'emploi', language: 'fr', uiLanguage: 'ar', v: 2 });
    expect(view(h).context.lang).toBe('ar');
    h.actor.send({ type: 'visit.cancel' });
    expect(h.log.visits.at(-1)).toMatchObject({ lang: 'ar', outcome: 'cancelled' });
  });

  it('"deaf or hard of hearing" before the call: the request asks for text first; the reset forgets it', async () => {
    const h = createHarness();
    h.actor.send({ type: 'access.textFirst', on: true });
    await toWaiting(h, { lang: 'en' });
    expect(h.log.hub.find((f) => f.type === 'call.request')).toMatchObject({ textFirst: true, language: 'en', uiLanguage: 'en' });
    h.actor.send({ type: 'visit.cancel' });
    expect(h.actor.getSnapshot().context.textFirst).toBe(false);
  });
});

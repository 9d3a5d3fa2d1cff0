// Model-based tests (@xstate/graph): the machine is its own model. Its graph is walked to reach
// every state, every path is replayed on a real actor wired to fakes, and every transition that
// leaves a visit is checked to go through the one reset.
import { getStateNodes, TestModel } from '@xstate/graph';
import { __unsafe_getAllOwnEventDescriptors } from 'xstate';
import type { SnapshotFrom } from 'xstate';
import { describe, expect, it } from 'vitest';
import type { SessionEvent } from './types';
import { emptyVisit } from './types';
import { sessionMachine } from './machine';
import { CLOSED, createHarness, input } from './test/harness';

type Snap = SnapshotFrom<typeof sessionMachine>;

const modelOf = (open: boolean) => sessionMachine.provide({ guards: { isOpen: () => open } });

/** Concrete payloads for the events the traversal may send (ids follow the model's own context). */
const payloads = (s: Snap): SessionEvent[] => {
  const c = s.context;
  const callId = c.callId ?? 'c1';
  return [
    { type: 'lang.select', lang: 'en' },
    { type: 'service.select', serviceId: 'emploi' },
    { type: 'code.submit', code: 'AB12' },
    { type: 'code.submit', code: '1' },
    { type: 'call.queued', callId: 'c1', requestId: c.requestId ?? 'stale-1', position: 2, estimateSeconds: 60 },
    { type: 'queue.update', callId, position: 1, estimateSeconds: 30 },
    { type: 'call.accepted', callId, agentName: 'Agente' },
    { type: 'call.signal', callId, data: { sdp: 'offer' } },
    { type: 'call.ended', callId, reason: 'agent_hangup' },
    { type: 'call.ended', callId, reason: 'peer_lost' },
    { type: 'call.ended', callId, reason: 'no_agent' },
    { type: 'call.failed', reason: 'dropped' },
    { type: 'hub.error', code: 'conflict', ref: 'call.request' },
    { type: 'hub.status', status: 'offline' },
    // the hub link back in a call: the hub re-attached it (the call itself never depended on the link)
    { type: 'call.resumed', callId },
    { type: 'call.mute', muted: !c.muted },
    { type: 'survey.submit', rating: 4, comment: 'Très bien' },
    { type: 'devices.failed', reason: 'NotAllowedError' },
    { type: 'devices.lost', reason: 'no_camera' },
    { type: 'session.reset', reason: 'main' },
    // outbox: a callback is offered only once outbox.stats said it can be taken
    { type: 'callback.availability', available: true },
    { type: 'callback.availability', available: false },
    // hardware inputs (bridge `hardware.input`)
    { type: 'code.scanned', code: 'ab-12', symbology: 'QR' },
    { type: 'code.scanned', code: '?', symbology: 'QR' },
    { type: 'presence.changed', present: true },
    { type: 'presence.changed', present: false },
    // consent: camera and microphone, or the microphone only
    { type: 'consent.accept' },
    { type: 'consent.accept', audioOnly: true },
    { type: 'handset.muteChanged', muted: !c.muted },
  ];
};

/** Abstract state: the value plus what matters of the context (ids and counters collapse). */
const serializeState = (s: Snap) => {
  const c = s.context;
  return JSON.stringify({
    v: s.value,
    c: [
      c.lang, c.serviceId, c.visitType, c.appointmentCode, c.codeError, !!c.requestId, c.callId, c.callActive, c.position, c.earlySignals.length > 0, c.muted, c.failure, !!c.survey, c.outcome,
      // audioRoute follows the handset region (in the value), callbackReason follows failure/callbackFrom,
      // and scannedCode is only a keypad draft no guard reads: leaving them out keeps the graph small.
      c.callbackAvailable, c.callbackFrom,
      // guards read these two (audio-only visits ignore a lost camera; the line reads the presence sensor)
      c.audioOnly, c.present,
    ],
  });
};

/**
 * Every event the current state handles: the payloads above where given, else the bare type.
 * Timers appear as their `xstate.after.<delay>.<state>` events, sent like any other.
 */
const events = (s: Snap): SessionEvent[] =>
  __unsafe_getAllOwnEventDescriptors(s)
    .filter((type) => relevant(s, type))
    .flatMap((type) => {
      const given = payloads(s).filter((e) => e.type === type && relevantEvent(s, e));
      return given.length ? given : [{ type } as SessionEvent];
    });

const AUDIO_ONLY_WALK = [
  'devices.ready', 'devices.failed', 'devices.continue', 'devices.lost', 'call.audioOnly', 'call.retry', 'call.queued', 'call.accepted',
  'call.ended', 'call.hangup', 'survey.skip', 'visit.cancel', 'visit.done', 'thankYouMs',
];
const PRESENCE_WALK = ['presence.changed', 'idle.stillHere', 'idleMs', 'idleCountdownMs', 'presenceAbsentMs', 'waitingUnansweredMs', 'visit.cancel'];

/**
 * Audio-only consent and the presence sensor are walked from a plain first attempt (speaker, no
 * failure yet): combined with every handset, mute and callback path they would multiply the graph
 * without a new transition; waiting.test.ts covers their timers and orders.
 */
function relevantEvent(s: Snap, e: SessionEvent): boolean {
  const plain = s.context.failure === null && !s.context.muted && s.matches({ visit: { handset: 'speaker' } });
  // From one visit only (French, walk-in): the language and the appointment code change nothing in it.
  if (e.type === 'consent.accept' && e.audioOnly) {
    const c = s.context;
    return plain && s.matches({ visit: { idle: 'watching' } }) && c.lang === 'fr' && c.visitType === 'walkIn' && c.callbackAvailable === null && c.callbackFrom === null && !c.codeError;
  }
  if (e.type === 'presence.changed' && s.matches({ visit: { flow: 'waiting' } })) return plain && !s.context.audioOnly && s.context.position === null;
  return true;
}

/**
 * The handset can be lifted on any visit screen, but it only matters in line and in call: the model
 * lifts it there (elsewhere it would double every state for nothing; machine.test.ts covers the rest).
 */
function relevant(s: Snap, type: string): boolean {
  const inLineOrCall = s.matches({ visit: { flow: 'waiting' } }) || s.matches({ visit: { flow: 'inCall' } });
  const onHandset = s.matches({ visit: { handset: 'handset' } }) || s.matches({ visit: { handset: 'confirmHangup' } });
  // An audio-only visit is walked along its own transitions only (through the line, the call and out):
  // with every idle, handset and callback combination it would double the graph for nothing new.
  if (s.context.audioOnly) return AUDIO_ONLY_WALK.some((t) => type === t || type.startsWith(`xstate.after.${t}.`));
  // Once the presence sensor spoke in line, the model walks the sensor, the prompt and its timers.
  if (s.context.present !== null) return PRESENCE_WALK.some((t) => type === t || type.startsWith(`xstate.after.${t}.`));
  // Lifted on the first attempt only; the handset's mute key only while it is in hand.
  if (type === 'handset.lifted') return inLineOrCall && s.context.failure === null && !s.context.muted && s.context.position === null;
  if (type === 'handset.muteChanged') return onHandset;
  // The prompt left unanswered in line is walked on the loudspeaker (the handset changes nothing in it).
  if (type.startsWith('xstate.after.idleCountdownMs.') && s.matches({ visit: { flow: 'waiting' } }) && onHandset) return false;
  // The "deaf or hard of hearing" choice only changes what the call request carries (machine.test / waiting.test).
  if (type === 'access.textFirst') return false;
  // A second attempt with the handset in hand is the first attempt again, with another audio route.
  if (type === 'call.retry' || type === 'devices.returned') return !onHandset;
  // The callback and the camera loss are walked from a plain first attempt (speaker, not muted, no idle
  // prompt): with every combination of those they would multiply the graph without a new transition.
  const plain = !onHandset && !s.context.muted && s.matches({ visit: { idle: 'watching' } });
  if (type === 'callback.offer' || type === 'callback.availability') return plain || s.matches('closed');
  if (type === 'devices.lost') return plain && s.context.failure === null;
  return true;
}

const options = { events, input, serializeState: (s: Snap) => serializeState(s) };

// createTestModel() refuses machines with `after`/`invoke`; the TestModel class takes the machine
// as is, and our event set drives timers explicitly (the unit tests cover them with SimulatedClock).
const createModel = (open: boolean) => new TestModel(modelOf(open), options);

/** Dotted ids of every active state node of a snapshot value. */
function activeIds(value: unknown, prefix = 'session'): string[] {
  if (typeof value === 'string') return [prefix, `${prefix}.${value}`];
  return [prefix, ...Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => activeIds(v, `${prefix}.${k}`))];
}

const visitFields = (s: Snap) => {
  const { timers: _t, schedule: _s, serviceIds: _i, idPrefix: _p, requestSeq: _q, ...rest } = s.context;
  return rest;
};

/** A real actor with fakes, driven by the model's events; timers are the model's `xstate.after.*` events. */
function sut(open: boolean) {
  // The outbox never answers here: the model sends callback.availability itself, like every other event.
  const never = () => new Promise<boolean>(() => {});
  const h = createHarness(open ? { callbackAvailable: never } : { now: CLOSED, callbackAvailable: never });
  return h;
}

describe('session machine, model-based', () => {
  const openModel = createModel(true);
  const closedModel = createModel(false);
  // One path per reachable abstract state (prefixes kept: each is the shortest way to its state).
  const closedPaths = closedModel.getShortestPaths({ allowDuplicatePaths: true });
  const openPaths = openModel.getShortestPaths({ allowDuplicatePaths: true });
  const paths = [...openPaths, ...closedPaths];

  it('reaches every state node (resetting is transient and never settles)', () => {
    const reached = new Set(paths.flatMap((p) => activeIds(p.state.value)));
    const all = getStateNodes(sessionMachine.root).map((n) => n.id);
    const missing = all.filter((id) => !reached.has(id));
    expect(missing).toEqual(['session.resetting']);
    expect(all.length).toBeGreaterThan(25);
  });

  it('replays every shortest path on a real actor and lands in the same state', async () => {
    expect(paths.length).toBeGreaterThan(100);
    for (const path of paths) {
      const h = sut(!closedPaths.includes(path));
      const exec = new Proxy({} as Record<string, (step: { event: SessionEvent }) => void>, {
        // The first step is the model's own `xstate.init`: the actor already started.
        get: () => (step: { event: SessionEvent }) => {
          if (step.event.type !== ('xstate.init' as string)) h.actor.send(step.event);
        },
      });
      await (openModel as typeof openModel).testPath(path, {
        events: exec,
        states: {
          '*': (state) => {
            const real = h.actor.getSnapshot();
            // Ids (request counter) may differ between model and actor; everything else must not.
            expect(serializeState(real)).toBe(serializeState(state));
          },
        },
      });
      h.actor.stop();
    }
  }, 300_000); // over a thousand paths: minutes on a loaded 2-core machine, not a timing check

  it('every way out of a visit goes through the reset: context cleared, media stopped, UI wiped, call released', async () => {
    const byState = new Map(openPaths.map((p) => [serializeState(p.state), p]));
    const adjacency = openModel.getAdjacencyMap();
    let exits = 0;
    const exitKinds = new Set<string>();
    for (const { state, transitions } of Object.values(adjacency)) {
      if (!state.matches('visit')) continue;
      for (const { event, state: next } of Object.values(transitions) as { event: SessionEvent; state: Snap }[]) {
        if (next.matches('visit')) continue;
        exits++;
        exitKinds.add(event.type.startsWith('xstate.after.') ? event.type.split('.')[2]! : event.type);
        const path = byState.get(serializeState(state));
        expect(path, `path to ${serializeState(state)}`).toBeDefined();
        const h = sut(true);
        for (const step of path!.steps) if (step.event.type !== ('xstate.init' as string)) h.actor.send(step.event);
        const before = h.actor.getSnapshot();
        expect(before.value).toEqual(state.value);
        const sent = h.log.hub.length;
        const stops = h.log.mediaStopped;
        const wipes = h.log.uiWiped;
        const peers = h.log.peers.length;
        h.actor.send(event);
        const after = h.actor.getSnapshot();
        expect(after.value, `${event.type} from ${JSON.stringify(state.value)}`).toBe('attract');
        expect(visitFields(after)).toEqual(emptyVisit());
        expect(h.log.mediaStopped).toBeGreaterThan(stops);
        expect(h.log.uiWiped).toBe(wipes + 1);
        expect(h.log.phases.at(-1)).toBe('attract');
        const frames = h.framesSince(sent);
        const { callId, callActive } = before.context;
        if (callId && callActive) expect(frames).toEqual([{ type: 'call.end', callId, reason: 'kiosk_hangup' }]);
        else if (callId) expect(frames).toEqual([{ type: 'call.cancel', callId }]);
        else expect(frames).toEqual([]);
        for (const p of h.log.peers.slice(0, peers)) expect(p.destroyed).toBe(true);
        // Exactly one anonymous visit record per visit, with an outcome that matches the way out.
        expect(h.log.visits).toHaveLength(1);
        const outcome = h.log.visits[0]!.outcome;
        // The idle prompt's countdown, the line's long limit and the presence sensor's verdict: 'idle'.
        if (/idleCountdownMs|waitingUnansweredMs|presenceAbsentMs/.test(event.type)) expect(outcome).toBe('idle');
        else if (before.matches({ visit: { flow: 'declined' } })) expect(outcome).toBe('consent_refused');
        else if (before.matches({ visit: { flow: 'thanks' } })) expect(outcome).toBe('completed');
        else if (before.matches({ visit: { flow: 'callFailed' } })) expect(['no_agent', 'failed']).toContain(outcome);
        else expect(outcome).toBe(before.context.outcome);
        h.actor.stop();
      }
    }
    expect(exits).toBeGreaterThan(50);
    // done (thanks timer / visit.done), cancel, back from language, idle countdown, decline timer, main's reset.
    expect([...exitKinds].sort()).toEqual(
      ['declinedMs', 'idleCountdownMs', 'presenceAbsentMs', 'session.reset', 'thankYouMs', 'visit.back', 'visit.cancel', 'visit.done', 'waitingUnansweredMs'].sort(),
    );
  }, 300_000);
});

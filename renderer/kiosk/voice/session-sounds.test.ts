// When the booth chimes and speaks on its own: the pure reaction table, then the wiring with a
// stand-in actor and player (the E2E drives the real machine and the real audio element).
import { describe, expect, test } from 'vitest';
import type { HardwareInput } from '../../../common/bridge/hardware';
import type { SoundAction, SoundState } from './session-sounds';
import { attachSessionSounds, soundReactions } from './session-sounds';

const st = (screen: SoundState['screen'], o: Partial<SoundState> = {}): SoundState => {
  const prompt = o.prompt !== undefined ? o.prompt : screen === 'inCall' ? (o.sub === 'connecting' ? 'agentAnswered' : null) : screen;
  return { screen, sub: null, idlePrompt: false, lang: 'fr', callAudioUp: screen === 'inCall' && o.sub !== 'connecting', ...o, prompt };
};
const plays = (actions: SoundAction[]) => actions.flatMap((a) => (a.type === 'play' ? a.items.map((i) => `${i.kind}:${i.id}`) : []));

describe('sound reactions', () => {
  test('entering the call: the chime then "Un agent vous répond", handset or not', () => {
    const waiting = st('waiting');
    const answered = st('inCall', { sub: 'connecting' });
    expect(plays(soundReactions(waiting, answered, false))).toEqual(['sound:agentAnswered', 'prompt:agentAnswered']);
    expect(plays(soundReactions(waiting, answered, true))).toEqual(['sound:agentAnswered', 'prompt:agentAnswered']);
  });

  test("the agent's audio up blocks the voice; leaving the call unblocks it", () => {
    const connecting = st('inCall', { sub: 'connecting' });
    const connected = st('inCall', { sub: 'connected' });
    expect(soundReactions(connecting, connected, true)).toEqual([{ type: 'block', blocked: true }]);
    expect(soundReactions(connected, st('inCall', { sub: 'reconnecting' }), true)).toEqual([]);
    const after = soundReactions(connected, st('survey'), false);
    expect(after[0]).toEqual({ type: 'block', blocked: false });
    expect(plays(after)).toEqual([]);
  });

  test('idle warning, request recorded and error chimes; the prompt follows only with the handset lifted', () => {
    expect(plays(soundReactions(st('service'), st('service', { idlePrompt: true, prompt: 'idle' }), false))).toEqual(['sound:idleWarning']);
    expect(plays(soundReactions(st('service'), st('service', { idlePrompt: true, prompt: 'idle' }), true))).toEqual(['sound:idleWarning', 'prompt:idle']);
    expect(plays(soundReactions(st('callback', { sub: 'form', prompt: 'callback' }), st('callback', { sub: 'saved', prompt: 'callback.saved' }), false))).toEqual([
      'sound:requestRecorded',
    ]);
    expect(plays(soundReactions(st('waiting'), st('callFailed', { prompt: 'callFailed.noAgent' }), true))).toEqual(['sound:error', 'prompt:callFailed.noAgent']);
    expect(plays(soundReactions(st('deviceCheck'), st('videoUnavailable'), false))).toEqual(['sound:error']);
    expect(plays(soundReactions(st('inCall', { sub: 'connected' }), st('callFailed', { prompt: 'callFailed.dropped' }), false))).toEqual(['sound:error']);
  });

  test('a new screen speaks with the handset lifted, and silences the old prompt without it', () => {
    expect(soundReactions(st('language'), st('service'), true)).toEqual([{ type: 'play', items: [{ kind: 'prompt', id: 'service' }] }]);
    expect(soundReactions(st('language'), st('service'), false)).toEqual([{ type: 'stop' }]);
    // Same screen, nothing new to say.
    expect(soundReactions(st('service'), st('service'), true)).toEqual([]);
    // Same screen in another language: said again in it.
    expect(plays(soundReactions(st('service'), st('service', { lang: 'en' }), true))).toEqual(['prompt:service']);
  });

  test('no chime twice for the same screen', () => {
    expect(plays(soundReactions(st('callFailed', { prompt: 'callFailed.error' }), st('callFailed', { prompt: 'callFailed.error' }), false))).toEqual([]);
    expect(plays(soundReactions(st('service', { idlePrompt: true, prompt: 'idle' }), st('service', { idlePrompt: true, prompt: 'idle' }), false))).toEqual([]);
  });
});

describe('attachSessionSounds', () => {
  /** A stand-in session actor whose snapshot we set, shaped like XState's (value + context). */
  function fakeActor(value: unknown) {
    let snap = { value, context: { lang: 'fr', failure: null } };
    const subs = new Set<() => void>();
    return {
      getSnapshot: () => snap as never,
      subscribe(next: () => void) {
        subs.add(next);
        return { unsubscribe: () => subs.delete(next) };
      },
      set(v: unknown) {
        snap = { ...snap, value: v };
        for (const s of subs) s();
      },
    };
  }
  function fakePlayer() {
    const log: string[] = [];
    const player = {
      current: { value: null as null | { kind: string } },
      blocked: { value: false },
      play: async (id: string, lang: string) => (log.push(`play ${id} ${lang}`), 'ended' as const),
      sequence: async (items: { kind: string; id: string }[]) => (log.push(`seq ${items.map((i) => `${i.kind}:${i.id}`).join(',')}`), 'ended' as const),
      stop: () => void log.push('stop'),
      setBlocked: (b: boolean) => void log.push(`blocked ${b}`),
      setSink: async (id: string) => void log.push(`sink ${id}`),
    };
    return { player: player as never, log };
  }
  const visit = (flow: unknown) => ({ visit: { flow, idle: 'watching', handset: 'speaker' } });

  test('lifting the handset speaks the current screen on the handset output, and later screens on their own', async () => {
    const actor = fakeActor('attract');
    const { player, log } = fakePlayer();
    let input: (i: HardwareInput) => void = () => {};
    const detach = attachSessionSounds({
      actor,
      player,
      onHardwareInput: (l) => ((input = l), () => {}),
      handsetOutput: {
        enumerateDevices: async () => [
          { kind: 'audiooutput', deviceId: 'spk', label: 'Speakers', groupId: 'a' },
          { kind: 'audiooutput', deviceId: 'hs', label: 'USB Handset', groupId: 'b' },
        ],
        preference: { labels: ['handset'], exclude: [], fallback: 'none' },
      },
    });
    log.length = 0;
    input({ type: 'handset.lifted' });
    await new Promise((r) => setTimeout(r, 0));
    expect(log).toEqual(['sink hs', 'play attract fr']);
    actor.set(visit('language'));
    expect(log.at(-1)).toBe('seq prompt:language');
    input({ type: 'handset.hungUp' });
    await new Promise((r) => setTimeout(r, 0));
    expect(log.at(-1)).toBe('sink ');
    actor.set(visit('service'));
    expect(log.at(-1)).toBe('stop');
    actor.set(visit({ inCall: 'connecting' }));
    expect(log.at(-1)).toBe('seq sound:agentAnswered,prompt:agentAnswered');
    actor.set(visit({ inCall: 'connected' }));
    expect(log.at(-1)).toBe('blocked true');
    detach();
  });
});

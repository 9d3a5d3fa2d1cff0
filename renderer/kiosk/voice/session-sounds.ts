// The booth's sounds and automatic prompts, driven by the session machine and the handset:
// - agent answered: entering the call → the chime, then "Un agent vous répond"; cut the moment the
//   call is connected (the agent's audio is up), so the booth never speaks over the agent;
// - idle warning: the "Êtes-vous encore là ?" prompt appears;
// - request recorded: the callback request is committed (callback → saved);
// - error: the call failed, or the camera/microphone is unavailable;
// - while the handset is lifted, every new screen speaks its prompt (and lifting it speaks the
//   current one): someone who holds the handset is listening, not necessarily reading.
// A screen that changes by itself silences the previous screen's prompt.
import type { HardwareInput } from '../../../common/bridge/hardware';
import type { MediaDeviceLike } from '../../../common/media-select';
import type { MediaPreference } from '../../../common/media-select';
import { selectDevice } from '../../../common/media-select';
import type { SessionView } from '../../../common/session';
import { toView } from '../../../common/session';
import type { VoicePlayer, VoiceItem } from './player';
import { callAudioUp, promptIdFor } from './prompts';
import type { SoundKind } from './types';

/** What the sounds depend on in a view. */
export interface SoundState {
  screen: SessionView['screen'];
  sub: string | null;
  idlePrompt: boolean;
  lang: string;
  prompt: string | null;
  callAudioUp: boolean;
}

export const soundState = (v: SessionView): SoundState => ({
  screen: v.screen,
  sub: v.sub,
  idlePrompt: v.idlePrompt,
  lang: v.context.lang,
  prompt: promptIdFor(v),
  callAudioUp: callAudioUp(v),
});

/** What to do on a change. */
export type SoundAction = { type: 'stop' } | { type: 'block'; blocked: boolean } | { type: 'play'; items: VoiceItem[] };

const chimeFor = (prev: SoundState | null, next: SoundState): SoundKind | null => {
  const entered = (screen: SoundState['screen'], sub?: string) => next.screen === screen && (sub === undefined || next.sub === sub) && !(prev?.screen === screen && (sub === undefined || prev.sub === sub));
  if (entered('inCall')) return 'agentAnswered';
  if (next.idlePrompt && !prev?.idlePrompt) return 'idleWarning';
  if (entered('callback', 'saved')) return 'requestRecorded';
  if (entered('callFailed') || entered('videoUnavailable')) return 'error';
  return null;
};

/**
 * The reaction to a new session state (pure: the unit tests walk it). `handsetUp`: the handset is
 * lifted, so the new screen's prompt is spoken after its sound.
 */
export function soundReactions(prev: SoundState | null, next: SoundState, handsetUp: boolean): SoundAction[] {
  const out: SoundAction[] = [];
  if (next.callAudioUp !== (prev?.callAudioUp ?? false)) out.push({ type: 'block', blocked: next.callAudioUp });
  if (next.callAudioUp) return out;
  const chime = chimeFor(prev, next);
  const promptChanged = next.prompt !== (prev?.prompt ?? null) || (next.lang !== prev?.lang && next.prompt !== null);
  if (!chime && !promptChanged) return out;
  const items: VoiceItem[] = [];
  if (chime) items.push({ kind: 'sound', id: chime });
  // "Un agent vous répond" is always spoken; other prompts only to someone holding the handset.
  const speak = next.prompt !== null && (chime === 'agentAnswered' || handsetUp);
  if (speak) items.push({ kind: 'prompt', id: next.prompt as Extract<VoiceItem, { kind: 'prompt' }>['id'] });
  if (items.length) out.push({ type: 'play', items });
  // The previous screen's voice no longer matches what is shown.
  else if (promptChanged) out.push({ type: 'stop' });
  return out;
}

export interface SessionSoundsOptions {
  /** The session actor (startKioskApp(...).actor). */
  actor: { getSnapshot(): Parameters<typeof toView>[0]; subscribe(next: () => void): { unsubscribe(): void } };
  /** The player. */
  player: VoicePlayer;
  /** Hardware inputs (bridge `hardware.input`): the handset's lift and hang-up. */
  onHardwareInput?: (listener: (input: HardwareInput) => void) => () => void;
  /** Audio outputs (navigator.mediaDevices.enumerateDevices) and the handset's labels (config.media.handset): the voice follows the handset. */
  handsetOutput?: { enumerateDevices(): Promise<MediaDeviceLike[]>; preference: MediaPreference };
}

/** Subscribes the player to the session; returns the unsubscribe function. */
export function attachSessionSounds(o: SessionSoundsOptions): () => void {
  let handsetUp = false;
  let last: SoundState | null = null;
  const apply = (actions: SoundAction[], lang: string) => {
    for (const a of actions) {
      if (a.type === 'block') o.player.setBlocked(a.blocked);
      else if (a.type === 'stop') o.player.stop();
      else void o.player.sequence(a.items, lang);
    }
  };
  const onChange = () => {
    const next = soundState(toView(o.actor.getSnapshot()));
    const actions = soundReactions(last, next, handsetUp);
    last = next;
    apply(actions, next.lang);
  };
  const route = async () => {
    if (!o.handsetOutput) return;
    let id = '';
    if (handsetUp) {
      const devices = await o.handsetOutput.enumerateDevices().catch(() => []);
      id = selectDevice(devices, 'audiooutput', o.handsetOutput.preference).device?.deviceId ?? '';
    }
    await o.player.setSink(id);
  };
  const onInput = (input: HardwareInput) => {
    if (input.type === 'handset.lifted') {
      handsetUp = true;
      void route().then(() => {
        // The current screen speaks (after the machine has taken the event; in a call, never).
        const state = soundState(toView(o.actor.getSnapshot()));
        if (state.prompt && !state.callAudioUp && state.screen !== 'inCall') void o.player.play(state.prompt as Parameters<VoicePlayer['play']>[0], state.lang);
      });
    } else if (input.type === 'handset.hungUp') {
      handsetUp = false;
      if (o.player.current.value?.kind === 'prompt') o.player.stop();
      void route();
    }
  };
  const sub = o.actor.subscribe(onChange);
  onChange();
  const offInput = o.onHardwareInput?.(onInput) ?? (() => {});
  return () => {
    sub.unsubscribe();
    offInput();
    o.player.stop();
  };
}

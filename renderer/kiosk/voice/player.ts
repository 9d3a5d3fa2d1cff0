// The booth's voice: one <audio data-testid="voice-audio"> that speaks a screen's prompt or plays
// one of the four sounds. Any touch (or key) stops it; while `blocked` (the agent's voice is up)
// it plays nothing. Who plays what and when is decided by session-sounds.ts and the ListenButton.
import type { ReadonlySignal } from '@preact/signals';
import { signal } from '@preact/signals';
import type { PromptId, SoundKind, VoiceManifest } from './manifest';
import { builtManifest, promptUrls, soundUrls } from './manifest';

/** Something the player can play: a screen's prompt or a sound. */
export type VoiceItem = { kind: 'prompt'; id: PromptId } | { kind: 'sound'; id: SoundKind };

/** What is playing now. */
export interface NowPlaying {
  kind: 'prompt' | 'sound';
  id: string;
  /** Language of the prompt actually played (its own, or French when it has none). */
  lang: string | null;
}

/** How a playback ended: to the end, stopped (touch, stop(), another play), or not at all. */
export type PlayOutcome = 'ended' | 'stopped' | 'failed';

export interface VoicePlayer {
  /** The one audio element (in the document, data-testid="voice-audio"). */
  readonly audio: HTMLAudioElement;
  /** What is playing (null when silent); components re-render on change. */
  readonly current: ReadonlySignal<NowPlaying | null>;
  /** True while nothing may play (the call's audio is up). */
  readonly blocked: ReadonlySignal<boolean>;
  /** Speaks prompt `id` in `lang` (French when `lang` has no such prompt), replacing whatever plays. */
  play(id: PromptId, lang: string): Promise<PlayOutcome>;
  /** Plays a sound, replacing whatever plays. */
  chime(kind: SoundKind): Promise<PlayOutcome>;
  /** Plays items one after the other (e.g. the "agent answered" sound, then "Un agent vous répond"). */
  sequence(items: VoiceItem[], lang: string): Promise<PlayOutcome>;
  /** Silences the booth now. */
  stop(): void;
  /** Blocks (and stops) or unblocks playback. */
  setBlocked(blocked: boolean): void;
  /** Sends the voice to an audio output (the handset's while it is lifted); '' = default. */
  setSink(deviceId: string): Promise<void>;
  /** Removes listeners and the element. */
  dispose(): void;
}

export interface VoicePlayerOptions {
  /** The kiosk document (the element is appended to its body; touches on it stop the voice). */
  doc: Document;
  /** Which files exist (default: the manifest built into the page). */
  manifest?: VoiceManifest;
}

export function createVoicePlayer(o: VoicePlayerOptions): VoicePlayer {
  const manifest = o.manifest ?? builtManifest;
  const audio = o.doc.createElement('audio');
  audio.dataset.testid = 'voice-audio';
  audio.preload = 'auto';
  o.doc.body.appendChild(audio);
  const current = signal<NowPlaying | null>(null);
  const blocked = signal(false);
  /** Bumped by every stop and play: a playback whose token is stale has been replaced. */
  let token = 0;
  /** Ends the wait of the playback in progress (as 'stopped'). */
  let interrupt: (() => void) | null = null;

  const stop = () => {
    token++;
    interrupt?.();
    interrupt = null;
    if (!audio.paused) audio.pause();
    current.value = null;
  };

  /** Plays one file; 'error' (missing or undecodable) lets the caller try the next URL. */
  const playUrl = (url: string): Promise<PlayOutcome | 'error'> =>
    new Promise((resolve) => {
      const done = (r: PlayOutcome | 'error') => {
        audio.removeEventListener('ended', onEnded);
        audio.removeEventListener('error', onError);
        if (interrupt === onInterrupt) interrupt = null;
        resolve(r);
      };
      const onEnded = () => done('ended');
      const onError = () => done('error');
      const onInterrupt = () => done('stopped');
      interrupt = onInterrupt;
      audio.addEventListener('ended', onEnded);
      audio.addEventListener('error', onError);
      audio.src = url;
      audio.currentTime = 0;
      audio.play().catch((err: unknown) => {
        const name = (err as { name?: string }).name;
        // AbortError: a stop or another play replaced this one (already resolved as 'stopped').
        if (name === 'AbortError') return;
        // NotSupportedError: the file is missing or cannot be decoded (the 'error' event says so too).
        if (name === 'NotSupportedError') return done('error');
        // NotAllowedError: autoplay refused (a browser without the kiosk's autoplay policy).
        console.warn('[voice] playback refused', name ?? err);
        done('failed');
      });
    });

  const playItem = async (item: VoiceItem, lang: string, my: number): Promise<PlayOutcome> => {
    const { urls, lang: spoken } = item.kind === 'prompt' ? promptUrls(manifest, item.id, lang) : { urls: soundUrls(manifest, item.id), lang: null };
    if (urls.length === 0) {
      console.warn(`[voice] no file for ${item.kind} ${item.id}`);
      return 'failed';
    }
    for (const url of urls) {
      if (my !== token) return 'stopped';
      audio.dataset.kind = item.kind;
      audio.dataset.id = item.id;
      audio.dataset.lang = spoken ?? '';
      current.value = { kind: item.kind, id: item.id, lang: spoken };
      const r = await playUrl(url);
      // A studio recording that does not load falls back to the generated file.
      if (r === 'error') {
        if (my !== token) return 'stopped';
        console.warn(`[voice] cannot play ${url}; trying the next file`);
        continue;
      }
      return r;
    }
    return 'failed';
  };

  const sequence = async (items: VoiceItem[], lang: string): Promise<PlayOutcome> => {
    stop();
    if (blocked.value) return 'failed';
    const my = token;
    let outcome: PlayOutcome = 'ended';
    for (const item of items) {
      outcome = await playItem(item, lang, my);
      if (outcome !== 'ended') break;
    }
    if (my === token) current.value = null;
    return outcome;
  };

  // Any touch or key stops the voice: the citizen is acting (the Écouter button's own click comes
  // after its pointerdown, so a tap on it restarts the prompt from the beginning).
  const onInput = () => {
    if (current.value) stop();
  };
  o.doc.addEventListener('pointerdown', onInput, { capture: true });
  o.doc.addEventListener('keydown', onInput, { capture: true });

  return {
    audio,
    current,
    blocked,
    play: (id, lang) => sequence([{ kind: 'prompt', id }], lang),
    chime: (kind) => sequence([{ kind: 'sound', id: kind }], ''),
    sequence,
    stop,
    setBlocked(b) {
      if (b) stop();
      blocked.value = b;
    },
    async setSink(deviceId) {
      const el = audio as HTMLAudioElement & { setSinkId?: (id: string) => Promise<void> };
      if (!el.setSinkId || audio.dataset.sink === deviceId) return;
      audio.dataset.sink = deviceId;
      await el.setSinkId(deviceId).catch((err: unknown) => console.warn('[voice] audio output not switched', err));
    },
    dispose() {
      stop();
      o.doc.removeEventListener('pointerdown', onInput, { capture: true });
      o.doc.removeEventListener('keydown', onInput, { capture: true });
      audio.remove();
    },
  };
}

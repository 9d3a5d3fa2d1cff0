// @vitest-environment happy-dom
// The player on a real (happy-dom) audio element: happy-dom does not decode audio, so the test
// plays the media events the browser would fire ('ended', 'error'); the E2E plays real files.
import { afterEach, describe, expect, test, vi } from 'vitest';
import type { VoiceManifest } from './manifest';
import { builtManifest, promptUrls } from './manifest';
import type { VoicePlayer } from './player';
import { createVoicePlayer } from './player';

const manifest: VoiceManifest = {
  version: 1,
  engine: 'test',
  prompts: {
    fr: {
      attract: { src: 'voice/studio/fr/attract.mp3', source: 'studio', fallback: 'voice/generated/fr/attract.ogg', hash: 'a' },
      agentAnswered: { src: 'voice/generated/fr/agentAnswered.ogg', source: 'generated', hash: 'b' },
      waiting: { src: 'voice/generated/fr/waiting.ogg', source: 'generated', hash: 'c' },
    },
    en: { attract: { src: 'voice/generated/en/attract.ogg', source: 'generated', hash: 'd' } },
  },
  sounds: { agentAnswered: { src: 'voice/generated/sounds/agentAnswered.wav', source: 'generated', hash: 'e' } },
};

let player: VoicePlayer | null = null;
afterEach(() => {
  player?.dispose();
  player = null;
});
const make = () => (player = createVoicePlayer({ doc: document, manifest }));
const tick = () => new Promise((r) => setTimeout(r, 0));
const fire = (el: HTMLAudioElement, type: 'ended' | 'error') => el.dispatchEvent(new Event(type));
const path = (el: HTMLAudioElement) => new URL(el.src).pathname;

describe('voice player', () => {
  test('one audio element in the document, found by its test id', () => {
    const p = make();
    expect(document.querySelectorAll('[data-testid="voice-audio"]')).toHaveLength(1);
    expect(document.querySelector('[data-testid="voice-audio"]')).toBe(p.audio);
  });

  test("plays the prompt's file in the chosen language and resolves when it ends", async () => {
    const p = make();
    const done = p.play('attract', 'en');
    await tick();
    expect(path(p.audio)).toBe('/voice/generated/en/attract.ogg');
    expect(p.audio.paused).toBe(false);
    expect(p.audio.dataset).toMatchObject({ kind: 'prompt', id: 'attract', lang: 'en' });
    expect(p.current.value).toEqual({ kind: 'prompt', id: 'attract', lang: 'en' });
    fire(p.audio, 'ended');
    await expect(done).resolves.toBe('ended');
    expect(p.current.value).toBeNull();
  });

  test('a studio recording that fails to load falls back to the generated file', async () => {
    const p = make();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const done = p.play('attract', 'fr');
    await tick();
    expect(path(p.audio)).toBe('/voice/studio/fr/attract.mp3');
    fire(p.audio, 'error');
    await tick();
    expect(path(p.audio)).toBe('/voice/generated/fr/attract.ogg');
    fire(p.audio, 'ended');
    await expect(done).resolves.toBe('ended');
    warn.mockRestore();
  });

  test('a language without the prompt speaks French', async () => {
    const p = make();
    void p.play('waiting', 'es');
    await tick();
    expect(path(p.audio)).toBe('/voice/generated/fr/waiting.ogg');
    expect(p.audio.dataset.lang).toBe('fr');
  });

  test('any touch or key stops it', async () => {
    const p = make();
    const done = p.play('attract', 'en');
    await tick();
    document.body.dispatchEvent(new Event('pointerdown', { bubbles: true }));
    await expect(done).resolves.toBe('stopped');
    expect(p.audio.paused).toBe(true);
    expect(p.current.value).toBeNull();
    const again = p.play('attract', 'en');
    await tick();
    document.body.dispatchEvent(new KeyboardEvent('keydown', { key: 'Tab', bubbles: true }));
    await expect(again).resolves.toBe('stopped');
  });

  test('a new prompt replaces the one playing', async () => {
    const p = make();
    const first = p.play('attract', 'en');
    await tick();
    const second = p.play('waiting', 'fr');
    await expect(first).resolves.toBe('stopped');
    await tick();
    expect(path(p.audio)).toBe('/voice/generated/fr/waiting.ogg');
    fire(p.audio, 'ended');
    await expect(second).resolves.toBe('ended');
  });

  test('a sequence plays the chime, then the prompt', async () => {
    const p = make();
    const done = p.sequence([{ kind: 'sound', id: 'agentAnswered' }, { kind: 'prompt', id: 'agentAnswered' }], 'fr');
    await tick();
    expect(path(p.audio)).toBe('/voice/generated/sounds/agentAnswered.wav');
    expect(p.current.value).toMatchObject({ kind: 'sound', id: 'agentAnswered' });
    fire(p.audio, 'ended');
    await tick();
    expect(path(p.audio)).toBe('/voice/generated/fr/agentAnswered.ogg');
    fire(p.audio, 'ended');
    await expect(done).resolves.toBe('ended');
  });

  test('blocked (the call is up): stops what plays and plays nothing', async () => {
    const p = make();
    const playing = p.play('attract', 'fr');
    await tick();
    p.setBlocked(true);
    await expect(playing).resolves.toBe('stopped');
    expect(p.audio.paused).toBe(true);
    await expect(p.play('attract', 'fr')).resolves.toBe('failed');
    await expect(p.chime('agentAnswered')).resolves.toBe('failed');
    expect(p.audio.paused).toBe(true);
    p.setBlocked(false);
    void p.play('attract', 'en');
    await tick();
    expect(p.audio.paused).toBe(false);
  });

  test('a prompt or sound the manifest lacks fails without touching the element', async () => {
    const p = make();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    await expect(p.chime('error')).resolves.toBe('failed');
    expect(p.audio.getAttribute('src')).toBeNull();
    warn.mockRestore();
  });
});

describe('built manifest', () => {
  test('has French and English for the first screen and the four sounds', () => {
    expect(promptUrls(builtManifest, 'attract', 'fr').urls[0]).toMatch(/^\.\.\/voice\/(generated|studio)\/fr\/attract\.(ogg|wav|mp3)$/);
    expect(promptUrls(builtManifest, 'attract', 'en').lang).toBe('en');
    expect(Object.keys(builtManifest.sounds).sort()).toEqual(['agentAnswered', 'error', 'idleWarning', 'requestRecorded']);
  });
});

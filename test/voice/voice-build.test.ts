// The voice build (scripts/voice-build.ts): incremental generation, studio overrides and their
// fallback, pruning, errors; the synthesised sounds; espeak-ng for real on one prompt.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import type { SpeechEngine } from '../../scripts/voice-build';
import { buildVoiceAssets, encodeWav, espeakEngine, promptHash, promptsOf, SOUND_PEAK, soundKinds, soundRecipes, speechVoices, synthesize, VoiceBuildError } from '../../scripts/voice-build';
import { loadVoiceCatalogs } from '../../scripts/voice';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'vg-voice-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** An engine that writes the text into a small WAV (enough to tell files apart) and counts calls. */
function recordingEngine() {
  const calls: string[] = [];
  const engine: SpeechEngine = {
    name: () => 'test-engine 1',
    render(text, voice, out) {
      calls.push(`${voice.voice}:${text}`);
      writeFileSync(out, Buffer.concat([encodeWav(new Float32Array(64)), Buffer.from(text)]));
    },
  };
  return { engine, calls };
}

const catalogs = () => ({
  fr: { attract: "Touchez l'écran.", thanks: 'Merci.' },
  en: { attract: 'Touch the screen.', thanks: 'Thank you.' },
});

describe('voice build', () => {
  test('generates every prompt and sound once, then nothing until a text changes', () => {
    const dir = tempDir();
    const { engine, calls } = recordingEngine();
    const first = buildVoiceAssets({ voiceDir: dir, catalogs: catalogs(), engine, opus: false });
    expect(calls).toHaveLength(4);
    expect(first.generated).toEqual(expect.arrayContaining(['fr/attract', 'en/thanks', ...soundKinds.map((k) => `sounds/${k}`)]));
    expect(first.manifest.prompts.fr!.attract).toMatchObject({ src: 'voice/generated/fr/attract.wav', source: 'generated' });
    expect(first.manifest.sounds.error).toMatchObject({ src: 'voice/generated/sounds/error.wav', source: 'generated' });
    expect(first.manifest.engine).toBe('test-engine 1');
    expect(existsSync(join(dir, 'generated/en/thanks.wav'))).toBe(true);

    const manifestBefore = readFileSync(join(dir, 'manifest.json'), 'utf8');
    const second = buildVoiceAssets({ voiceDir: dir, catalogs: catalogs(), engine, opus: false });
    expect(calls).toHaveLength(4);
    expect(second.generated).toEqual([]);
    expect(second.manifestChanged).toBe(false);
    expect(readFileSync(join(dir, 'manifest.json'), 'utf8')).toBe(manifestBefore);

    const changed = catalogs();
    changed.en.thanks = 'Thanks for coming.';
    const third = buildVoiceAssets({ voiceDir: dir, catalogs: changed, engine, opus: false });
    expect(third.generated).toEqual(['en/thanks']);
    expect(calls.at(-1)).toBe('en-us:Thanks for coming.');
    expect(readFileSync(join(dir, 'generated/en/thanks.wav')).toString()).toContain('Thanks for coming.');
  });

  test('a generated file that went missing is spoken again', () => {
    const dir = tempDir();
    const { engine, calls } = recordingEngine();
    buildVoiceAssets({ voiceDir: dir, catalogs: catalogs(), engine, opus: false });
    rmSync(join(dir, 'generated/fr/thanks.wav'));
    const r = buildVoiceAssets({ voiceDir: dir, catalogs: catalogs(), engine, opus: false });
    expect(r.generated).toEqual(['fr/thanks']);
    expect(calls).toHaveLength(5);
  });

  test('a studio recording wins, with the generated file as fallback; removing it falls back', () => {
    const dir = tempDir();
    const { engine } = recordingEngine();
    mkdirSync(join(dir, 'studio/fr'), { recursive: true });
    mkdirSync(join(dir, 'studio/sounds'), { recursive: true });
    writeFileSync(join(dir, 'studio/fr/attract.mp3'), 'ID3 a studio take');
    writeFileSync(join(dir, 'studio/sounds/error.ogg'), 'OggS a studio sound');
    const r = buildVoiceAssets({ voiceDir: dir, catalogs: catalogs(), engine, opus: false });
    expect(r.manifest.prompts.fr!.attract).toMatchObject({ src: 'voice/studio/fr/attract.mp3', source: 'studio', fallback: 'voice/generated/fr/attract.wav' });
    expect(r.manifest.prompts.en!.attract).toMatchObject({ src: 'voice/generated/en/attract.wav', source: 'generated' });
    expect(r.manifest.sounds.error).toMatchObject({ src: 'voice/studio/sounds/error.ogg', fallback: 'voice/generated/sounds/error.wav' });
    // The generated file exists even with a studio take (it is the fallback).
    expect(existsSync(join(dir, 'generated/fr/attract.wav'))).toBe(true);

    rmSync(join(dir, 'studio/fr/attract.mp3'));
    const after = buildVoiceAssets({ voiceDir: dir, catalogs: catalogs(), engine, opus: false });
    expect(after.generated).toEqual([]);
    expect(after.manifest.prompts.fr!.attract).toEqual({ src: 'voice/generated/fr/attract.wav', source: 'generated', hash: r.manifest.prompts.fr!.attract!.hash });
  });

  test('two studio takes of one prompt, or an empty one, are refused with a clear error', () => {
    const dir = tempDir();
    const { engine } = recordingEngine();
    mkdirSync(join(dir, 'studio/fr'), { recursive: true });
    writeFileSync(join(dir, 'studio/fr/thanks.wav'), 'RIFF');
    writeFileSync(join(dir, 'studio/fr/thanks.ogg'), 'OggS');
    expect(() => buildVoiceAssets({ voiceDir: dir, catalogs: catalogs(), engine, opus: false })).toThrow(
      expect.objectContaining({ code: 'studio_ambiguous', message: expect.stringContaining('thanks.ogg') }),
    );
    rmSync(join(dir, 'studio/fr/thanks.ogg'));
    writeFileSync(join(dir, 'studio/fr/thanks.wav'), '');
    expect(() => buildVoiceAssets({ voiceDir: dir, catalogs: catalogs(), engine, opus: false })).toThrow(expect.objectContaining({ code: 'studio_empty' }));
  });

  test('a studio file that matches no prompt is reported, not silently ignored', () => {
    const dir = tempDir();
    const { engine } = recordingEngine();
    mkdirSync(join(dir, 'studio/fr'), { recursive: true });
    writeFileSync(join(dir, 'studio/fr/atract.wav'), 'RIFF typo');
    writeFileSync(join(dir, 'studio/fr/README.md'), 'notes');
    const r = buildVoiceAssets({ voiceDir: dir, catalogs: catalogs(), engine, opus: false });
    expect(r.warnings).toEqual([expect.stringContaining('studio/fr/atract.wav matches no prompt')]);
  });

  test('files of prompts and languages that are gone are pruned', () => {
    const dir = tempDir();
    const { engine } = recordingEngine();
    buildVoiceAssets({ voiceDir: dir, catalogs: catalogs(), engine, opus: false });
    const r = buildVoiceAssets({ voiceDir: dir, catalogs: { fr: { attract: "Touchez l'écran." } }, engine, opus: false });
    expect(r.pruned.sort()).toEqual(['voice/generated/en/', 'voice/generated/fr/thanks.wav']);
    expect(existsSync(join(dir, 'generated/en'))).toBe(false);
    expect(Object.keys(r.manifest.prompts)).toEqual(['fr']);
  });

  test('a language without a speech voice, and bad prompt ids, are build errors', () => {
    const dir = tempDir();
    const { engine } = recordingEngine();
    expect(() => buildVoiceAssets({ voiceDir: dir, catalogs: { xx: { attract: 'a' } }, engine, opus: false })).toThrow(expect.objectContaining({ code: 'voice_unknown' }));
    expect(() => promptsOf({ 'voice.prompt.../x': 'a' }, 'fr')).toThrow(VoiceBuildError);
    expect(() => promptsOf({ 'voice.prompt.thanks': ' ' }, 'fr')).toThrow(expect.objectContaining({ code: 'catalog_invalid' }));
    expect(promptsOf({ 'voice.listen': 'Écouter', 'voice.prompt.callFailed.noAgent': 'Aucun agent.' }, 'fr')).toEqual({ 'callFailed.noAgent': 'Aucun agent.' });
  });
});

describe('sounds', () => {
  const peakFreq = (s: Float32Array, from: number, to: number, rate = 22050) => {
    // Zero crossings over a window: enough to tell the notes' registers apart.
    let crossings = 0;
    for (let i = from + 1; i < to; i++) if ((s[i - 1]! < 0) !== (s[i]! < 0)) crossings++;
    return (crossings / 2) * (rate / (to - from));
  };

  test('each sound is short, peaks at the set level and starts and ends silent', () => {
    for (const kind of soundKinds) {
      const s = synthesize(soundRecipes[kind]);
      expect(s.length / 22050).toBeLessThanOrEqual(1.2);
      expect(Math.max(...s.map(Math.abs))).toBeCloseTo(SOUND_PEAK, 3);
      expect(Math.abs(s[0]!)).toBeLessThan(0.01);
      expect(Math.abs(s.at(-1)!)).toBeLessThan(0.01);
    }
  });

  test('they are told apart: the answered chime rises, the error falls and sits lowest', () => {
    const win = (kind: keyof typeof soundRecipes, at: number) => {
      const s = synthesize(soundRecipes[kind]);
      const i = Math.round(at * 22050);
      return peakFreq(s, i, i + 1000);
    };
    expect(win('agentAnswered', 0.3)).toBeGreaterThan(win('agentAnswered', 0.02));
    expect(win('error', 0.3)).toBeLessThan(win('error', 0.02));
    expect(win('error', 0.02)).toBeLessThan(win('requestRecorded', 0.02));
    const bytes = soundKinds.map((k) => encodeWav(synthesize(soundRecipes[k])).toString('base64'));
    expect(new Set(bytes).size).toBe(4);
  });

  test('WAV header describes 16-bit mono PCM of the right length', () => {
    const wav = encodeWav(new Float32Array([0, 0.5, -0.5, 1]), 22050);
    expect(wav.toString('ascii', 0, 4)).toBe('RIFF');
    expect(wav.toString('ascii', 8, 12)).toBe('WAVE');
    expect(wav.readUInt16LE(22)).toBe(1);
    expect(wav.readUInt32LE(24)).toBe(22050);
    expect(wav.readUInt32LE(40)).toBe(8);
    expect(wav.readInt16LE(44 + 2)).toBe(16384);
  });
});

describe('espeak-ng (the real engine)', () => {
  test('speaks a French prompt into a WAV with sound in it', () => {
    const dir = tempDir();
    const out = join(dir, 'x.wav');
    espeakEngine().render('Un agent vous répond.', { voice: 'fr', rate: 150 }, out);
    const wav = readFileSync(out);
    expect(wav.toString('ascii', 0, 4)).toBe('RIFF');
    const samples = new Int16Array(wav.buffer, wav.byteOffset + 44, Math.floor((wav.length - 44) / 2));
    const loud = samples.filter((v) => Math.abs(v) > 1000).length;
    // About a second of speech at 22 kHz, a good part of it voiced.
    expect(samples.length).toBeGreaterThan(15_000);
    expect(loud).toBeGreaterThan(2_000);
  });

  test('the committed manifest covers every prompt of every voice catalog and its files exist', async () => {
    const root = join(import.meta.dirname, '../..');
    const manifest = JSON.parse(readFileSync(join(root, 'assets/voice/manifest.json'), 'utf8')) as { prompts: Record<string, Record<string, { src: string; hash: string }>>; sounds: Record<string, { src: string }> };
    const cats = await loadVoiceCatalogs();
    expect(Object.keys(manifest.prompts).sort()).toEqual(Object.keys(cats).sort());
    for (const [lang, prompts] of Object.entries(cats)) {
      expect(Object.keys(manifest.prompts[lang]!).sort()).toEqual(Object.keys(prompts).sort());
      for (const [id, e] of Object.entries(manifest.prompts[lang]!)) {
        expect(statSync(join(root, 'assets', e.src)).size).toBeGreaterThan(1000);
        // The committed audio says the committed text (a text edited without a build would differ).
        expect(e.hash, `${lang}/${id}: run \`npx tsx scripts/voice.ts\``).toBe(promptHash(speechVoices[lang]!, prompts[id]!));
      }
    }
    for (const k of soundKinds) expect(statSync(join(root, 'assets', manifest.sounds[k]!.src)).size).toBeGreaterThan(1000);
  });
});

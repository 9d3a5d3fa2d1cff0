// Builds the booth's spoken prompts and sounds into assets/voice/ (see assets/voice/README.md):
// - prompts: every `voice.prompt.<id>` of common/i18n/<lang>/voice.ts is read by a speech engine
//   (espeak-ng; Opus in Ogg when opusenc is installed, else WAV) into generated/<lang>/<id>.<ext>;
// - sounds: four short tones synthesised here into generated/sounds/<kind>.wav;
// - studio recordings in studio/<lang>/<id>.<ext> (studio/sounds/<kind>.<ext>) win over generated files;
// - manifest.json maps every prompt and sound to the one URL the renderer plays (and the generated
//   file as its fallback), with a hash of what was said so a rebuild only regenerates changed texts.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import type { VoiceEntry, VoiceManifest } from '../renderer/kiosk/voice/types';
import { soundKinds } from '../renderer/kiosk/voice/types';
import type { SoundKind } from '../renderer/kiosk/voice/types';

export type { VoiceEntry, VoiceManifest, SoundKind };
export { soundKinds };

/** What a build failure is about (stable codes for the CLI and tests). */
export type VoiceBuildErrorCode = 'engine_missing' | 'engine_failed' | 'studio_ambiguous' | 'studio_empty' | 'catalog_invalid' | 'voice_unknown';

export class VoiceBuildError extends Error {
  constructor(
    readonly code: VoiceBuildErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'VoiceBuildError';
  }
}


/** Extensions a studio recording may have (what Chromium plays and the renderer server types). */
export const studioExtensions = ['.ogg', '.wav', '.mp3'] as const;
const generatedExtensions = ['.ogg', '.wav'];

/** How a language is spoken by espeak-ng. */
export interface SpeechVoice {
  /** espeak-ng voice name (`espeak-ng --voices`). */
  voice: string;
  /** Words per minute (espeak-ng's default, 175, is fast for a public booth). */
  rate: number;
}

/**
 * The espeak-ng voice per catalog language. French: `fr` (France); espeak-ng has no Québec voice
 * (its fr-ca voices need MBROLA, which Debian no longer ships) and `fr-be`/`fr-ch` read numbers
 * as "septante"/"nonante", which a Québec ear does not expect. English: North American `en-us`.
 * Spanish: Latin American `es-419`, the Spanish most newcomers to Québec speak. Chinese: Mandarin
 * through `cmn-latn-pinyin` (espeak-ng 1.51's plain `cmn` reads the characters' pinyin with English
 * phonemes; this one reads characters and tones as Mandarin). Arabic is read without vowel marks,
 * approximately: its prompts (and Chinese's) are the first candidates for studio recordings.
 */
export const speechVoices: Record<string, SpeechVoice> = {
  fr: { voice: 'fr', rate: 150 },
  en: { voice: 'en-us', rate: 150 },
  es: { voice: 'es-419', rate: 150 },
  ar: { voice: 'ar', rate: 140 },
  zh: { voice: 'cmn-latn-pinyin', rate: 140 },
};

/** Renders text to a WAV file. espeak-ng in production builds; a test may pass another engine. */
export interface SpeechEngine {
  /** Name and version (recorded in the manifest). */
  name(): string;
  /** Writes `text` spoken with `voice` to `outWav`. */
  render(text: string, voice: SpeechVoice, outWav: string): void;
}

const found = new Map<string, boolean>();
/** Whether a command is installed (asked once per process). */
const has = (cmd: string): boolean => {
  if (!found.has(cmd)) found.set(cmd, spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0);
  return found.get(cmd)!;
};

/** espeak-ng as a SpeechEngine; throws engine_missing when it is not installed. */
export function espeakEngine(): SpeechEngine {
  let version: string | null = null;
  return {
    name() {
      if (version === null) {
        const r = spawnSync('espeak-ng', ['--version'], { encoding: 'utf8' });
        if (r.error || r.status !== 0) throw new VoiceBuildError('engine_missing', 'espeak-ng is not installed: run `source scripts/setup.sh` as root (or `apt-get install espeak-ng`) and build again.');
        version = `espeak-ng ${/text-to-speech:\s*([\w.+-]+)/.exec(r.stdout)?.[1] ?? 'unknown'}`;
      }
      return version;
    },
    render(text, voice, outWav) {
      this.name();
      const r = spawnSync('espeak-ng', ['-v', voice.voice, '-s', String(voice.rate), '-w', outWav, '--stdin'], { input: text, encoding: 'utf8' });
      if (r.error || r.status !== 0 || !existsSync(outWav)) throw new VoiceBuildError('engine_failed', `espeak-ng failed for voice ${voice.voice}: ${r.stderr || r.error?.message || `exit ${r.status}`}`);
    },
  };
}

/** Compresses a WAV to Opus in Ogg (about 14× smaller) when opusenc exists; false when it cannot. */
function toOpus(wav: string, out: string): boolean {
  if (!has('opusenc')) return false;
  // A fixed serial number: the same input gives the same bytes, so unchanged prompts diff clean.
  const r = spawnSync('opusenc', ['--quiet', '--bitrate', '24', '--serial', '1', wav, out]);
  return r.status === 0 && existsSync(out);
}

export const hashOf = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);

/** What a generated prompt says and how: the same text and voice settings give the same hash (the engine's version is left out). */
export const promptHash = (voice: SpeechVoice, text: string) => hashOf({ engine: 'espeak-ng', voice: voice.voice, rate: voice.rate, text });

/** The prompts of one voice catalog: `voice.prompt.<id>` → text. */
export function promptsOf(catalog: Record<string, string>, lang: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, text] of Object.entries(catalog)) {
    if (!key.startsWith('voice.prompt.')) continue;
    const id = key.slice('voice.prompt.'.length);
    if (!/^[A-Za-z][\w.-]*$/.test(id)) throw new VoiceBuildError('catalog_invalid', `${lang}/voice.ts: prompt id "${id}" must be letters, digits, dots or dashes (it becomes a file name).`);
    if (typeof text !== 'string' || text.trim() === '') throw new VoiceBuildError('catalog_invalid', `${lang}/voice.ts: prompt "${id}" is empty.`);
    out[id] = text;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Sounds: additive synthesis (a few harmonics, exponential decay), one note list per kind. They
// differ in direction and register so they are told apart without looking: answered = bright
// rising major arpeggio; idle warning = two-tone "ding-dong" twice; recorded = short rising fourth;
// error = low falling minor third with a harder (odd-harmonic) timbre.
// ---------------------------------------------------------------------------------------------

interface Note {
  /** Frequency, Hz. */
  f: number;
  /** Start, seconds. */
  at: number;
  /** Decay to 1/e, seconds. */
  decay: number;
  /** Harmonic amplitudes (1st = fundamental). */
  harmonics: number[];
}

const bell = [1, 0.35, 0.12, 0.05];
const hard = [1, 0, 0.3, 0, 0.15];
export const soundRecipes: Record<SoundKind, { length: number; notes: Note[] }> = {
  agentAnswered: {
    length: 0.9,
    notes: [
      { f: 523.25, at: 0, decay: 0.25, harmonics: bell },
      { f: 659.25, at: 0.12, decay: 0.25, harmonics: bell },
      { f: 783.99, at: 0.24, decay: 0.35, harmonics: bell },
    ],
  },
  idleWarning: {
    length: 1.2,
    notes: [
      { f: 880, at: 0, decay: 0.18, harmonics: bell },
      { f: 659.25, at: 0.25, decay: 0.18, harmonics: bell },
      { f: 880, at: 0.55, decay: 0.18, harmonics: bell },
      { f: 659.25, at: 0.8, decay: 0.25, harmonics: bell },
    ],
  },
  requestRecorded: {
    length: 0.6,
    notes: [
      { f: 783.99, at: 0, decay: 0.12, harmonics: bell },
      { f: 1046.5, at: 0.1, decay: 0.22, harmonics: bell },
    ],
  },
  error: {
    length: 0.8,
    notes: [
      { f: 329.63, at: 0, decay: 0.2, harmonics: hard },
      { f: 261.63, at: 0.22, decay: 0.3, harmonics: hard },
    ],
  },
};

const SAMPLE_RATE = 22050;
/** Peak level of the sounds: their RMS (0.09–0.13) then sits a little above espeak-ng's speech (peak ~0.6, RMS ~0.07), as an alert should. */
export const SOUND_PEAK = 0.35;

/** Renders a recipe to mono samples in [-1, 1], peak-normalised to `peak`. */
export function synthesize(recipe: { length: number; notes: Note[] }, peak = SOUND_PEAK, rate = SAMPLE_RATE): Float32Array {
  const n = Math.round(recipe.length * rate);
  const out = new Float32Array(n);
  const attack = Math.round(0.005 * rate); // 5 ms: no click at the onset
  for (const note of recipe.notes) {
    const start = Math.round(note.at * rate);
    for (let i = start; i < n; i++) {
      const t = (i - start) / rate;
      const env = Math.min(1, (i - start) / attack) * Math.exp(-t / note.decay);
      if (env < 1e-4 && i - start > attack) break;
      let v = 0;
      note.harmonics.forEach((a, h) => {
        if (a) v += a * Math.sin(2 * Math.PI * note.f * (h + 1) * t);
      });
      out[i]! += env * v;
    }
  }
  // Fade the last 20 ms so the file never ends on a click.
  const fade = Math.round(0.02 * rate);
  for (let i = 0; i < fade && i < n; i++) out[n - 1 - i]! *= i / fade;
  let max = 0;
  for (const v of out) max = Math.max(max, Math.abs(v));
  if (max > 0) for (let i = 0; i < n; i++) out[i]! *= peak / max;
  return out;
}

/** 16-bit PCM mono WAV. */
export function encodeWav(samples: Float32Array, rate = SAMPLE_RATE): Buffer {
  const data = Buffer.alloc(samples.length * 2);
  samples.forEach((s, i) => data.writeInt16LE(Math.round(Math.max(-1, Math.min(1, s)) * 32767), i * 2));
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(36 + data.length, 4);
  h.write('WAVE', 8, 'ascii');
  h.write('fmt ', 12, 'ascii');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20); // PCM
  h.writeUInt16LE(1, 22); // mono
  h.writeUInt32LE(rate, 24);
  h.writeUInt32LE(rate * 2, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(data.length, 40);
  return Buffer.concat([h, data]);
}

// ---------------------------------------------------------------------------------------------
// The build
// ---------------------------------------------------------------------------------------------

/** Writes through a temporary file + rename: two builds at once never leave a half-written file. */
function writeAtomic(path: string, data: Buffer | string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/** The one file of `dir/<name>.<ext>` for the given extensions, or null; two is an error (which wins?). */
function findOne(dir: string, name: string, exts: readonly string[], what: string): string | null {
  const found = exts.map((e) => join(dir, name + e)).filter((p) => existsSync(p));
  if (found.length > 1 && what === 'studio') throw new VoiceBuildError('studio_ambiguous', `Two studio recordings for the same prompt: ${found.join(', ')}. Keep one.`);
  const file = found[0] ?? null;
  if (file && statSync(file).size === 0) {
    if (what === 'studio') throw new VoiceBuildError('studio_empty', `Studio recording ${file} is empty.`);
    return null;
  }
  return file;
}

export interface VoiceBuildInput {
  /** assets/voice (generated/, studio/ and manifest.json live here). */
  voiceDir: string;
  /** lang → prompt id → text. */
  catalogs: Record<string, Record<string, string>>;
  /** The speech engine (espeakEngine() in real builds). */
  engine: SpeechEngine;
  /** Voice per language (defaults to speechVoices). */
  voices?: Record<string, SpeechVoice>;
  /** Opus encoding (default: when opusenc is installed). */
  opus?: boolean;
}

export interface VoiceBuildResult {
  manifest: VoiceManifest;
  /** Files generated by this run (lang/id or sounds/kind). */
  generated: string[];
  /** Generated files removed because their prompt no longer exists. */
  pruned: string[];
  /** Things a person should look at (a studio file that matches no prompt). */
  warnings: string[];
  /** Whether manifest.json changed. */
  manifestChanged: boolean;
}

const rel = (voiceDir: string, file: string) => `voice/${file.slice(voiceDir.length + 1).split('\\').join('/')}`;

/**
 * Regenerates what changed and writes the manifest. A prompt is regenerated when its generated
 * file is missing or its hash (text + voice) differs from the manifest's; studio recordings are
 * picked up as they are. Deterministic: a second run with nothing changed writes nothing.
 */
export function buildVoiceAssets(input: VoiceBuildInput): VoiceBuildResult {
  const { voiceDir, catalogs, engine } = input;
  const voices = input.voices ?? speechVoices;
  const manifestPath = join(voiceDir, 'manifest.json');
  let previous: VoiceManifest | null = null;
  try {
    previous = JSON.parse(readFileSync(manifestPath, 'utf8')) as VoiceManifest;
  } catch {
    previous = null; // first build, or a manifest someone broke: everything is checked again
  }
  const generatedDir = join(voiceDir, 'generated');
  const studioDir = join(voiceDir, 'studio');
  const generated: string[] = [];
  const warnings: string[] = [];
  const manifest: VoiceManifest = { version: 1, engine: previous?.engine ?? '', prompts: {}, sounds: {} };
  const opus = input.opus ?? has('opusenc');
  let engineUsed = false;

  const entry = (studio: string | null, gen: string, hash: string): VoiceEntry =>
    studio ? { src: rel(voiceDir, studio), source: 'studio', fallback: rel(voiceDir, gen), hash } : { src: rel(voiceDir, gen), source: 'generated', hash };

  for (const lang of Object.keys(catalogs).sort()) {
    const voice = voices[lang];
    if (!voice) throw new VoiceBuildError('voice_unknown', `No speech voice for language "${lang}": add it to speechVoices in scripts/voice-build.ts (an espeak-ng voice from \`espeak-ng --voices\`).`);
    manifest.prompts[lang] = {};
    for (const [id, text] of Object.entries(catalogs[lang]!).sort(([a], [b]) => a.localeCompare(b))) {
      const hash = promptHash(voice, text);
      const dir = join(generatedDir, lang);
      let gen = findOne(dir, id, generatedExtensions, 'generated');
      if (!gen || previous?.prompts?.[lang]?.[id]?.hash !== hash) {
        mkdirSync(dir, { recursive: true });
        const wav = join(dir, `${id}.${process.pid}.wav.tmp`);
        try {
          engine.render(text, voice, wav);
          engineUsed = true;
          for (const e of generatedExtensions) rmSync(join(dir, id + e), { force: true });
          const ogg = join(dir, `${id}.${process.pid}.ogg.tmp`);
          if (opus && toOpus(wav, ogg)) {
            gen = join(dir, `${id}.ogg`);
            renameSync(ogg, gen);
          } else {
            gen = join(dir, `${id}.wav`);
            renameSync(wav, gen);
          }
        } finally {
          rmSync(wav, { force: true });
          rmSync(join(dir, `${id}.${process.pid}.ogg.tmp`), { force: true });
        }
        generated.push(`${lang}/${id}`);
      }
      manifest.prompts[lang][id] = entry(findOne(join(studioDir, lang), id, studioExtensions, 'studio'), gen, hash);
    }
  }

  for (const kind of soundKinds) {
    const hash = hashOf({ synth: 1, peak: SOUND_PEAK, recipe: soundRecipes[kind] });
    const gen = join(generatedDir, 'sounds', `${kind}.wav`);
    if (!existsSync(gen) || previous?.sounds?.[kind]?.hash !== hash) {
      writeAtomic(gen, encodeWav(synthesize(soundRecipes[kind])));
      generated.push(`sounds/${kind}`);
    }
    manifest.sounds[kind] = entry(findOne(join(studioDir, 'sounds'), kind, studioExtensions, 'studio'), gen, hash);
  }

  // Generated files of prompts that are gone; studio files that match nothing (a typo in a name
  // would otherwise be silently ignored).
  const pruned: string[] = [];
  for (const [base, known] of [
    ...Object.keys(manifest.prompts).map((l) => [join(generatedDir, l), manifest.prompts[l]!] as const),
    [join(generatedDir, 'sounds'), manifest.sounds] as const,
  ]) {
    for (const f of existsSync(base) ? readdirSync(base) : []) {
      const id = basename(f, extname(f));
      if (!(id in known) && generatedExtensions.includes(extname(f))) {
        rmSync(join(base, f), { force: true });
        pruned.push(rel(voiceDir, join(base, f)));
      }
    }
  }
  if (existsSync(generatedDir)) {
    for (const l of readdirSync(generatedDir)) {
      if (l !== 'sounds' && !(l in manifest.prompts) && statSync(join(generatedDir, l)).isDirectory()) {
        rmSync(join(generatedDir, l), { recursive: true, force: true });
        pruned.push(`voice/generated/${l}/`);
      }
    }
  }
  if (existsSync(studioDir)) {
    for (const l of readdirSync(studioDir)) {
      const dir = join(studioDir, l);
      if (!statSync(dir).isDirectory()) continue;
      const known = l === 'sounds' ? manifest.sounds : manifest.prompts[l];
      for (const f of readdirSync(dir)) {
        if (f.startsWith('.') || f.toLowerCase() === 'readme.md') continue;
        const ok = known && basename(f, extname(f)) in known && (studioExtensions as readonly string[]).includes(extname(f));
        if (!ok) warnings.push(`studio/${l}/${f} matches no prompt or sound (ids: generated/<lang>/ file names; extensions ${studioExtensions.join(' ')}).`);
      }
    }
  }

  if (engineUsed || !manifest.engine) manifest.engine = engine.name();
  const text = `${JSON.stringify(manifest, null, 2)}\n`;
  const manifestChanged = !existsSync(manifestPath) || readFileSync(manifestPath, 'utf8') !== text;
  if (manifestChanged) writeAtomic(manifestPath, text);
  return { manifest, generated, pruned, warnings, manifestChanged };
}

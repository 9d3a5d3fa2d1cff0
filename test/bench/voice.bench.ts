// Voice build benchmark (a command, not a test): npx tsx test/bench/voice.bench.ts [langs=fr]
// Builds the spoken prompts of the committed catalogs into a temporary folder with the real engine
// (espeak-ng) and prints: a cold build (per prompt and per second of speech), WAV vs Opus sizes,
// a rebuild with nothing changed and one with a single text changed, as ratios to the cold build
// measured in the same run (the machines are noisy).
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadVoiceCatalogs } from '../../scripts/voice';
import { buildVoiceAssets, espeakEngine } from '../../scripts/voice-build';

const langs = (process.argv[2] ?? 'fr').split(',');
const all = await loadVoiceCatalogs();
const catalogs = Object.fromEntries(langs.map((l) => [l, all[l] ?? {}]));
const prompts = Object.values(catalogs).reduce((n, c) => n + Object.keys(c).length, 0);
const engine = espeakEngine();
const dirs: string[] = [];
const dir = () => {
  const d = mkdtempSync(join(tmpdir(), 'voice-bench-'));
  dirs.push(d);
  return d;
};
const timed = <T>(f: () => T): [T, number] => {
  const t = performance.now();
  const r = f();
  return [r, performance.now() - t];
};
const files = (d: string, ext: string) =>
  langs.flatMap((l) => readdirSync(join(d, 'generated', l)).filter((f) => f.endsWith(ext)).map((f) => join(d, 'generated', l, f)));
const bytes = (list: string[]) => list.reduce((n, f) => n + statSync(f).size, 0);
/** Seconds of audio in a 16-bit mono WAV (espeak-ng writes a plain 44-byte header). */
const wavSeconds = (f: string) => {
  const b = readFileSync(f);
  return (b.length - 44) / 2 / b.readUInt32LE(24);
};

try {
  console.log(`voice build: ${prompts} prompts (${langs.join(', ')}), ${engine.name()}`);
  const wavDir = dir();
  const [, coldWav] = timed(() => buildVoiceAssets({ voiceDir: wavDir, catalogs, engine, opus: false }));
  const wavs = files(wavDir, '.wav');
  const seconds = wavs.reduce((s, f) => s + wavSeconds(f), 0);

  const oggDir = dir();
  const [, cold] = timed(() => buildVoiceAssets({ voiceDir: oggDir, catalogs, engine }));
  const oggs = files(oggDir, '.ogg');
  const [noop, noopMs] = timed(() => buildVoiceAssets({ voiceDir: oggDir, catalogs, engine }));
  const changed = structuredClone(catalogs);
  const [lang0, c0] = Object.entries(changed)[0]!;
  const id0 = Object.keys(c0)[0]!;
  c0[id0] = `${c0[id0]} Merci.`;
  const [one, oneMs] = timed(() => buildVoiceAssets({ voiceDir: oggDir, catalogs: changed, engine }));

  const f = (n: number) => n.toFixed(0).padStart(7);
  console.log(`cold build, WAV         ${f(coldWav)} ms  ${f(coldWav / prompts)} ms/prompt  ${(coldWav / 1000 / seconds).toFixed(3)} s per s of speech`);
  console.log(`cold build, Opus        ${f(cold)} ms  ${f(cold / prompts)} ms/prompt  (${oggs.length} .ogg files)`);
  console.log(`speech                  ${seconds.toFixed(1)} s in all, ${(seconds / prompts).toFixed(1)} s a prompt on average`);
  console.log(`size WAV / Opus         ${(bytes(wavs) / 1024).toFixed(0)} KB / ${(bytes(oggs) / 1024).toFixed(0)} KB = ${(bytes(wavs) / bytes(oggs)).toFixed(1)}×  (Opus ${((bytes(oggs) * 8) / seconds / 1000).toFixed(1)} kb/s)`);
  console.log(`rebuild, nothing new    ${f(noopMs)} ms  = ${((noopMs / cold) * 100).toFixed(2)} % of the cold build  (${noop.generated.length} generated)`);
  console.log(`rebuild, one text (${lang0}/${id0})  ${f(oneMs)} ms  = ${((oneMs / cold) * 100).toFixed(1)} % of the cold build  (${one.generated.join(', ')})`);
} finally {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}

// Generates the spoken prompts and sounds (assets/voice/) from common/i18n/<lang>/voice.ts.
// Run by the renderer build (vite.config.ts plugin `voice`) and by hand: `npx tsx scripts/voice.ts`.
// Only changed texts are re-spoken (manifest hashes); see assets/voice/README.md.
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildVoiceAssets, espeakEngine, promptsOf, VoiceBuildError } from './voice-build';

export const repoRoot = resolve(import.meta.dirname, '..');

/** Every language that has a voice catalog (common/i18n/<lang>/voice.ts) → its prompts. */
export async function loadVoiceCatalogs(i18nDir = join(repoRoot, 'common/i18n')): Promise<Record<string, Record<string, string>>> {
  const out: Record<string, Record<string, string>> = {};
  for (const lang of readdirSync(i18nDir).sort()) {
    const file = join(i18nDir, lang, 'voice.ts');
    if (!existsSync(file)) continue;
    const mod = (await import(pathToFileURL(file).href)) as { default: Record<string, string> };
    out[lang] = promptsOf(mod.default, lang);
  }
  return out;
}

async function main() {
  const started = Date.now();
  const result = buildVoiceAssets({ voiceDir: join(repoRoot, 'assets/voice'), catalogs: await loadVoiceCatalogs(), engine: espeakEngine() });
  for (const w of result.warnings) console.warn(`[voice] warning: ${w}`);
  const prompts = Object.values(result.manifest.prompts).reduce((n, p) => n + Object.keys(p).length, 0);
  const studio = Object.values(result.manifest.prompts).flatMap((p) => Object.values(p)).filter((e) => e.source === 'studio').length;
  if (result.generated.length || result.pruned.length || result.manifestChanged || process.argv.includes('--verbose')) {
    console.log(
      `[voice] ${prompts} prompts in ${Object.keys(result.manifest.prompts).length} languages (${studio} studio), ${result.generated.length} generated, ${result.pruned.length} pruned, in ${Date.now() - started} ms`,
    );
  }
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  main().catch((err: unknown) => {
    console.error(err instanceof VoiceBuildError ? `[voice] ${err.code}: ${err.message}` : err);
    process.exit(1);
  });
}

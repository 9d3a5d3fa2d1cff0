// The voice manifest (assets/voice/manifest.json, written by scripts/voice.ts at build time): one
// URL per prompt and language and per sound, a studio recording when there is one, the generated
// file as its fallback. Bundled into the page, so the kiosk never asks for a file list at run time.
import type { SoundKind, VoiceEntry, VoiceManifest } from './types';

export * from './types';

/** The language whose prompts stand in for a language that has none (the catalogs' reference). */
export const fallbackLanguage = 'fr';

const empty: VoiceManifest = { version: 1, engine: '', prompts: {}, sounds: {} };
const found = import.meta.glob('../../../assets/voice/manifest.json', { eager: true, import: 'default' }) as Record<string, VoiceManifest>;
/** The manifest this page was built with. */
export const builtManifest: VoiceManifest = Object.values(found)[0] ?? empty;

/** Built files sit at the renderer root; the kiosk page is one level down (kiosk/index.html, or `/`). */
const url = (path: string) => `../${path}`;

/** The URLs to try, in order, for an entry (studio recording, then the generated file). */
const urlsOf = (e: VoiceEntry | undefined): string[] => (e ? [url(e.src), ...(e.fallback ? [url(e.fallback)] : [])] : []);

/**
 * URLs of prompt `id` in `lang`: the studio recording, then the generated file; a language without
 * that prompt (no voice catalog yet) is spoken in French rather than not at all. Empty: no such prompt.
 */
export function promptUrls(m: VoiceManifest, id: string, lang: string): { lang: string; urls: string[] } {
  const own = m.prompts[lang]?.[id];
  if (own) return { lang, urls: urlsOf(own) };
  return { lang: fallbackLanguage, urls: urlsOf(m.prompts[fallbackLanguage]?.[id]) };
}

/** URLs of sound `kind` (studio, then generated). */
export const soundUrls = (m: VoiceManifest, kind: SoundKind): string[] => urlsOf(m.sounds[kind]);

// Types of the voice manifest, shared by the build (scripts/voice-build.ts) and the player. No
// Vite-only code here: the build imports it under plain Node.
import type frVoice from '../../../common/i18n/fr/voice';

type PromptIdOf<K> = K extends `voice.prompt.${infer Id}` ? Id : never;
/** A prompt id: the part after `voice.prompt.` in common/i18n/fr/voice.ts (e.g. `callFailed.noAgent`). */
export type PromptId = PromptIdOf<keyof typeof frVoice>;

/** The four sounds of the booth. */
export const soundKinds = ['agentAnswered', 'idleWarning', 'requestRecorded', 'error'] as const;
export type SoundKind = (typeof soundKinds)[number];

/** One entry of the manifest: the URL to play, where it comes from, and the generated fallback. */
export interface VoiceEntry {
  /** Path under assets/ (= under the built renderer root), e.g. voice/generated/fr/attract.ogg. */
  src: string;
  /** A studio recording or the engine's file. */
  source: 'studio' | 'generated';
  /** The generated file, when `src` is a studio recording (played if the recording fails to load). */
  fallback?: string;
  /** Hash of what the generated file says (text + voice settings, or the sound's recipe). */
  hash: string;
}

export interface VoiceManifest {
  version: 1;
  /** Engine that generated the prompts (informative). */
  engine: string;
  /** lang → prompt id → entry. */
  prompts: Record<string, Record<string, VoiceEntry>>;
  /** sound kind → entry. */
  sounds: Record<string, VoiceEntry>;
}

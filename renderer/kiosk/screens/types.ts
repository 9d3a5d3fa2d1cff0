import type { KioskPublicConfig, Language } from '../../../common/config';
import type { MessageKey } from '../../../common/i18n';
import type { OutboxRecordInput } from '../../../common/outbox';
import type { Result } from '../../../common/result';
import type { SessionEvent, SessionView } from '../../../common/session';
import type { VNode } from '../dom';

/** Screen-local drafts (keypad, survey, volume): UI memory of one visit, wiped by the reset. */
export interface UiState {
  /** Appointment code being typed. */
  code: string;
  /** Keypad page: digits or letters. */
  codeMode: 'digits' | 'letters';
  /** Survey face chosen (1–5), not yet sent. */
  rating: number | null;
  /** Survey comment being typed. */
  comment: string;
  /** Loudspeaker volume of the agent's voice, 0..1. */
  volume: number;
  /** When the idle prompt appeared (ms, performance clock) to draw its countdown. */
  idleShownAt: number | null;
  /** The scanned code already copied into `code` (a new scan replaces the draft once). */
  scannedApplied: string | null;
}

export const freshUi = (): UiState => ({ code: '', codeMode: 'digits', rating: null, comment: '', volume: 0.8, idleShownAt: null, scannedApplied: null });

/** Live media the screens attach to <video> and the level meter (owned by the app, not the screens). */
export interface MediaView {
  /** The citizen's camera + microphone, once acquired. */
  local(): MediaStream | null;
  /** The agent's stream, once received. */
  remote(): MediaStream | null;
  /** Starts a microphone level meter; returns its stop function. */
  meter(stream: MediaStream, onLevel: (level: number) => void): () => void;
  /** True when the booth has no camera at all (not one that failed or was unplugged mid-visit). */
  cameraMissing?(): boolean;
}

/** Everything a screen renders from. */
export interface ScreenProps {
  /** Machine state flattened for rendering. */
  view: SessionView;
  /** Language of the visit. */
  lang: Language;
  /** Translator in the visit's language. */
  t: (key: MessageKey, params?: Record<string, string | number>) => string;
  /** Translator for a given language (attract/closed/language screens show both). */
  tIn: (lang: Language, key: MessageKey, params?: Record<string, string | number>) => string;
  /** Public kiosk configuration (office, services, hours, toll-free). */
  config: KioskPublicConfig;
  /** Screen-local drafts. */
  ui: UiState;
  /** Sends an event to the session machine. */
  send(event: SessionEvent): void;
  /** Re-renders after a draft changed. */
  refresh(): void;
  /** Live media. */
  media: MediaView;
  /** Wall clock (today's hours). */
  now(): Date;
  /** Stores a callback request (bridge outbox.put); resolves only after the commit. */
  submitCallback(record: OutboxRecordInput<'callback'>): Promise<Result<unknown>>;
}

export type Screen = (p: ScreenProps) => VNode;

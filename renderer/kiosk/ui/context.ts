// What every kiosk component may read: the session machine's view (the single source of the visit)
// and the few services around it. Screens get it as props; deeper components (top-bar slots, the
// keyboard, the chat panel) read it with useKiosk().
import type { Signal } from '@preact/signals';
import { createContext } from 'preact';
import type { ComponentType } from 'preact';
import { useContext } from 'preact/hooks';
import type { KioskPublicConfig } from '../../../common/config';
import type { MessageKey } from '../../../common/i18n';
import type { OutboxRecordInput } from '../../../common/outbox';
import type { Result } from '../../../common/result';
import type { SessionEvent, SessionView } from '../../../common/session';

/** The language the visit's screens are shown in (the machine's context). */
export type VisitLanguage = SessionView['context']['lang'];

type Params = Record<string, string | number>;

/** Live media the screens attach to <video> and the level meter (owned by the app, not the screens). */
export interface MediaView {
  /** The citizen's camera + microphone, once acquired (reading it subscribes to stream changes). */
  local(): MediaStream | null;
  /** The agent's stream, once received (reading it subscribes to its arrival). */
  remote(): MediaStream | null;
  /** Starts a microphone level meter; returns its stop function. */
  meter(stream: MediaStream, onLevel: (level: number) => void): () => void;
  /** True when the booth has no camera at all (not one that failed or was unplugged mid-visit). */
  cameraMissing?(): boolean;
  /** The agent's <video> was mounted (or removed: null): the app routes its audio output. */
  remoteElement?(el: HTMLVideoElement | null): void;
}

/** What one visit leaves in the UI besides the machine: wiped (recreated) by the reset. */
export interface VisitUi {
  /** Loudspeaker volume of the agent's voice, 0..1. */
  volume: Signal<number>;
  /** Short reference number given to the citizen (after a call or a callback request), once known. */
  reference: Signal<string | null>;
}

/** Everything a screen renders from. */
export interface ScreenProps {
  /** Machine state flattened for rendering. */
  view: SessionView;
  /** Language of the visit. */
  lang: VisitLanguage;
  /** Translator in the visit's language. */
  t: (key: MessageKey, params?: Params) => string;
  /** Translator for a given language (attract and language screens show both). */
  tIn: (lang: VisitLanguage, key: MessageKey, params?: Params) => string;
  /** Public kiosk configuration (office, services, hours, toll-free). */
  config: KioskPublicConfig;
  /** Sends an event to the session machine. */
  send(event: SessionEvent): void;
  /** Live media. */
  media: MediaView;
  /** Wall clock (today's hours). */
  now(): Date;
  /** Monotonic clock, ms (the idle countdown). */
  monotonic(): number;
  /** Stores a callback request (bridge outbox.put); resolves only after the commit, with the record's id. */
  submitCallback(record: OutboxRecordInput<'callback'>): Promise<Result<{ id: string }>>;
  /** Per-visit UI memory (volume, reference number). */
  visit: VisitUi;
}

/** Components other helpers put in every screen's top bar (B: listen button, E: mode toggle). */
export interface TopBarSlots {
  /** "Écouter" (spoken prompt of the current screen). */
  listen?: ComponentType;
  /** Large text / high contrast / controls low. */
  modes?: ComponentType;
  /** Language switch (not used yet). */
  language?: ComponentType;
}

export const KioskContext = createContext<ScreenProps | null>(null);
export const SlotsContext = createContext<TopBarSlots>({});

/** The current screen props; throws outside the kiosk tree (a component used where it cannot work). */
export function useKiosk(): ScreenProps {
  const k = useContext(KioskContext);
  if (!k) throw new Error('useKiosk() outside <KioskContext.Provider>');
  return k;
}

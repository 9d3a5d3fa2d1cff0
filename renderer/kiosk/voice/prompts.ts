// Which prompt a screen speaks: the session screen's name, plus the sub-state, reason or variant
// (audio-only, no agent in line, audio call offered) where the screen's text differs. The
// `Record<ScreenName, …>` makes a new screen without a prompt a compile error.
import type { ScreenName, SessionView } from '../../../common/session';
import type { PromptId } from './types';

const byScreen: Record<ScreenName, (v: SessionView) => PromptId | null> = {
  attract: () => 'attract',
  closed: () => 'closed',
  language: () => 'language',
  service: () => 'service',
  visitType: () => 'visitType',
  appointmentCode: () => 'appointmentCode',
  consent: () => 'consent',
  declined: () => 'declined',
  deviceCheck: (v) => (v.context.audioOnly ? 'deviceCheck.audioOnly' : 'deviceCheck'),
  videoUnavailable: (v) => (v.offerAudioCall ? 'videoUnavailable.audioCall' : 'videoUnavailable'),
  waiting: (v) => (v.noAgent ? 'waiting.noAgent' : 'waiting'),
  // Only until the agent's audio is up (connecting): after that the booth never speaks over the call.
  inCall: (v) => (v.sub === 'connecting' ? 'agentAnswered' : null),
  callFailed: (v) => `callFailed.${v.context.failure ?? 'error'}`,
  callback: (v) => (v.sub === 'saved' ? 'callback.saved' : 'callback'),
  survey: () => 'survey',
  thanks: () => 'thanks',
};

/** The prompt of what the citizen sees now (the idle prompt when it covers the screen), or null (in a call). */
export function promptIdFor(view: SessionView): PromptId | null {
  if (view.idlePrompt) return view.idleKeepsPlace ? 'idle.waiting' : 'idle';
  return byScreen[view.screen](view);
}

/** True while the agent's audio may be playing: the booth stays silent (inCall past connecting). */
export const callAudioUp = (view: SessionView): boolean => view.screen === 'inCall' && view.sub !== 'connecting';

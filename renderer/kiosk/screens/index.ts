// One render function per screen; the `Record<ScreenName, …>` makes a state without a screen a
// compile error.
import type { ScreenName } from '../../../common/session';
import { appointmentCode, consent, declined, service, visitType } from './choose';
import { callFailed, deviceCheck, inCall, videoUnavailable, waiting } from './call';
import { survey, thanks } from './end';
import { callback } from './offer';
import type { Screen } from './types';
import { attract, closed, language } from './welcome';

export const screens: Record<ScreenName, Screen> = {
  attract,
  closed,
  language,
  service,
  visitType,
  appointmentCode,
  consent,
  declined,
  deviceCheck,
  videoUnavailable,
  waiting,
  inCall,
  callFailed,
  callback,
  survey,
  thanks,
};

export { idlePrompt } from './end';
export { hangupPrompt } from './offer';
export * from './types';

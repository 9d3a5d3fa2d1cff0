// One component per screen; the `Record<ScreenName, …>` makes a state without a screen a compile error.
import type { ComponentType } from 'preact';
import type { ScreenName } from '../../../common/session';
import type { ScreenProps } from '../ui/context';
import { CallFailed, DeviceCheck, InCall, VideoUnavailable, Waiting } from './call';
import { AppointmentCode, Consent, Declined, Service, VisitType } from './choose';
import { IdlePrompt, Survey, Thanks } from './end';
import { Callback, HangupPrompt } from './offer';
import { Attract, Closed, LanguageChoice } from './welcome';

export const screens: Record<ScreenName, ComponentType<ScreenProps>> = {
  attract: Attract,
  closed: Closed,
  language: LanguageChoice,
  service: Service,
  visitType: VisitType,
  appointmentCode: AppointmentCode,
  consent: Consent,
  declined: Declined,
  deviceCheck: DeviceCheck,
  videoUnavailable: VideoUnavailable,
  waiting: Waiting,
  inCall: InCall,
  callFailed: CallFailed,
  callback: Callback,
  survey: Survey,
  thanks: Thanks,
};

export { HangupPrompt, IdlePrompt };
export type { MediaView, ScreenProps, VisitUi } from '../ui/context';

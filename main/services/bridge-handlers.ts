// The main-side implementation of the bridge contract. Arguments arrive validated by
// dispatchBridgeCall; handlers only translate calls into service operations.
import type { BridgeHandlers } from '../../common/bridge/contract';
import { callNames } from '../../common/bridge/contract';
import { VisioError } from '../../common/result';
import type { KioskPublicConfig } from '../../common/config';
import type { HubLink } from './hub-link';
import type { VisitPhaseTracker } from './power-save';

export interface BridgeHandlerDeps {
  /** The renderer-visible configuration (a getter when the hub can change it live). */
  publicConfig: KioskPublicConfig | (() => KioskPublicConfig);
  /** The hub connection. */
  hubLink: Pick<HubLink, 'status' | 'iceServers' | 'send'>;
  /** Visit phase → power-save blocker. */
  phases: Pick<VisitPhaseTracker, 'setPhase'>;
}

/** A bridge channel whose service is not composed into this kiosk (e.g. no hardware layer in a demo). */
export class FeatureUnavailableError extends VisioError {
  constructor(channel: string) {
    super('feature_unavailable', `No service handles ${channel} on this kiosk`);
  }
}

/** The channels main/services implements itself; other sections (outbox, hardware) are composed in. */
export type CoreChannel = 'config.get' | 'hub.send' | 'hub.status' | 'hub.iceServers' | 'session.phase';

/** A handler for every channel that answers `feature_unavailable`: the base the sections are spread over. */
export function unavailableHandlers(): BridgeHandlers {
  return Object.fromEntries(
    callNames.map((name) => [
      name,
      () => {
        throw new FeatureUnavailableError(name);
      },
    ]),
  ) as unknown as BridgeHandlers;
}

export function createBridgeHandlers(deps: BridgeHandlerDeps): Pick<BridgeHandlers, CoreChannel> {
  return {
    'config.get': () => (typeof deps.publicConfig === 'function' ? deps.publicConfig() : deps.publicConfig),
    'hub.send': (frame) => {
      deps.hubLink.send(frame);
    },
    'hub.status': () => deps.hubLink.status,
    'hub.iceServers': () => deps.hubLink.iceServers,
    'session.phase': (phase) => {
      deps.phases.setPhase(phase);
    },
  };
}

// The main-side implementation of the bridge contract. Arguments arrive validated by
// dispatchBridgeCall; handlers only translate calls into service operations.
import type { BridgeHandlers } from '../../common/bridge/contract';
import type { KioskPublicConfig } from '../../common/config';
import type { HubLink } from './hub-link';
import type { VisitPhaseTracker } from './power-save';

export interface BridgeHandlerDeps {
  /** The renderer-visible configuration. */
  publicConfig: KioskPublicConfig;
  /** The hub connection. */
  hubLink: Pick<HubLink, 'status' | 'iceServers' | 'send'>;
  /** Visit phase → power-save blocker. */
  phases: Pick<VisitPhaseTracker, 'setPhase'>;
}

export function createBridgeHandlers(deps: BridgeHandlerDeps): BridgeHandlers {
  return {
    'config.get': () => deps.publicConfig,
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

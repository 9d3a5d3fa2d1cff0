// The kiosk core: every main-process service composed once, shared by both runtimes (Electron
// shell and browser runtime). Runtimes only carry `handlers` calls in and `subscribe` events out.
import type { BridgeHandlers, EmitEvent, EventName, EventPayload } from '../../common/bridge/contract';
import type { VisitPhase } from '../../common/bridge/core';
import { createBridgeHandlers, unavailableHandlers } from './bridge-handlers';
import type { KioskConfig } from './config';
import type { HubLink, HubLinkOptions } from './hub-link';
import { createHubLink } from './hub-link';
import type { Logger } from './log';
import { silentLogger } from './log';
import type { PowerSaveBlocker } from './power-save';
import { createVisitPhaseTracker, noopPowerSaveBlocker } from './power-save';

/** Receives every bridge event main pushes to the renderer. */
export type BridgeEventListener = (event: EventName, payload: unknown[]) => void;

export interface KioskCoreDeps {
  /** Validated kiosk configuration. */
  config: KioskConfig;
  /** Display-sleep blocker (Electron's powerSaveBlocker; default no-op). */
  powerSave?: PowerSaveBlocker;
  /** Logger (default silent). */
  log?: Logger;
  /** Builds the hub link (tests inject a fake); default dials config.hubUrl. */
  createHubLink?: (opts: HubLinkOptions) => HubLink;
  /** Extra hub link tuning (backoff, heartbeat). */
  hubLinkOptions?: Partial<HubLinkOptions>;
  /** Other bridge sections composed in (e.g. `outboxHandlers(outbox)`, hardware); missing channels answer `feature_unavailable`. */
  sections?: Partial<BridgeHandlers>;
  /** Told every phase change after the power-save blocker (status light, screen schedule); failures are logged, never fail the call. */
  onPhase?: (phase: VisitPhase) => unknown;
  /** Closed (in reverse order) by `close()`, after the hub link: services the sections own. */
  closeables?: { close(): unknown }[];
}

/** The composed main-process services. */
export interface KioskCore {
  /** Bridge handlers for dispatchBridgeCall. */
  readonly handlers: BridgeHandlers;
  /** The hub connection. */
  readonly hubLink: HubLink;
  /** Last visit phase reported by the renderer. */
  readonly phase: VisitPhase;
  /** Subscribes to events for the renderer; returns the unsubscribe function. */
  subscribe(listener: BridgeEventListener): () => void;
  /** Pushes an event to every subscribed renderer transport. */
  emit: EmitEvent;
  /** Main-initiated reset (renderer crash, technician): back to attract, release power save, tell the renderer. */
  resetVisit(reason: string): void;
  /** Closes the hub link and releases the power-save blocker. Idempotent. */
  close(): Promise<void>;
}

export function createKioskCore(deps: KioskCoreDeps): KioskCore {
  const log = deps.log ?? silentLogger;
  const listeners = new Set<BridgeEventListener>();
  const emit: EmitEvent = <K extends EventName>(event: K, ...payload: EventPayload<K>) => {
    for (const l of listeners) {
      try {
        l(event, payload);
      } catch (err) {
        log.error('bridge event listener threw', { event, err: String(err) });
      }
    }
  };
  const tracker = createVisitPhaseTracker(deps.powerSave ?? noopPowerSaveBlocker);
  const phases: Pick<typeof tracker, 'setPhase'> = {
    setPhase(phase) {
      tracker.setPhase(phase);
      if (!deps.onPhase) return;
      // Peripherals must never hold up or fail the visit: their faults are in their own state.
      void Promise.resolve()
        .then(() => deps.onPhase?.(phase))
        .catch((err: unknown) => log.warn('phase listener failed', { phase, err: String(err) }));
    },
  };
  const hubLink = (deps.createHubLink ?? createHubLink)({
    url: deps.config.hubUrl,
    kioskId: deps.config.kioskId,
    secret: deps.config.kioskSecret,
    log,
    ...deps.hubLinkOptions,
  });
  const offStatus = hubLink.onStatus((s) => emit('hub.status', s));
  const offMessage = hubLink.onMessage((frame) => emit('hub.message', frame));
  const handlers: BridgeHandlers = {
    ...unavailableHandlers(),
    ...deps.sections,
    // Core channels last: a section cannot replace them by accident.
    ...createBridgeHandlers({ publicConfig: deps.config.public, hubLink, phases }),
  };
  let closed = false;

  return {
    handlers,
    hubLink,
    get phase() {
      return tracker.phase;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    emit,
    resetVisit(reason) {
      log.warn('visit reset by main', { reason });
      phases.setPhase('attract');
      emit('session.reset', reason);
    },
    async close() {
      if (closed) return;
      closed = true;
      offStatus();
      offMessage();
      tracker.close();
      listeners.clear();
      await hubLink.close();
      for (const c of [...(deps.closeables ?? [])].reverse()) {
        try {
          await c.close();
        } catch (err) {
          log.warn('close failed', { err: String(err) });
        }
      }
    },
  };
}

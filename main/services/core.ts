// The kiosk core: every main-process service composed once, shared by both runtimes (Electron
// shell and browser runtime). Runtimes only carry `handlers` calls in and `subscribe` events out.
import type { BridgeHandlers, EmitEvent } from '../../common/bridge/contract';
import type { VisitPhase } from '../../common/bridge/core';
import type { OutboxStats } from '../../common/bridge/outbox';
import type { KioskHealthSnapshot } from '../../common/protocol';
import type { UpdateStatus } from '../../common/update';
import type { HardwareHealth } from '../../hardware/index';
import { createBridgeHandlers, unavailableHandlers } from './bridge-handlers';
import type { CallGuard } from './call-guard';
import { createCallGuard } from './call-guard';
import type { KioskConfig } from './config';
import { loadOrCreateKioskKey, type KioskKey } from './kiosk-key';
import { createRendererLogSink } from './renderer-log';
import { buildKioskHealth, createAudioHealthStore, startHealthReporter } from './health';
import type { HubLink, HubLinkOptions, OutgoingFrame, Timers } from './hub-link';
import { createHubLink } from './hub-link';
import type { Logger } from './log';
import { silentLogger } from './log';
import { createEventFanout, type BridgeEventListener } from './event-fanout';
import type { PowerSaveBlocker } from './power-save';
import { createVisitPhaseTracker, noopPowerSaveBlocker } from './power-save';
import { createTechnicianGate } from './technician';
import { createLiveConfig, type LiveConfig } from './config-live';

/** Where the health report's parts come from (each optional: a kiosk without hardware still reports). */
export interface KioskHealthSources {
  /** Hardware health proofs (hardware service `health()`). */
  hardware?: () => HardwareHealth | null;
  /** Outbox figures (`outbox.stats()`). */
  outbox?: () => OutboxStats | null;
  /** Stores a `health` outbox record (history that survives the network being down). */
  putRecord?: (metrics: Record<string, number | string | boolean | null>) => Promise<unknown>;
  /** Version shown in the fleet view (default env VG_APP_VERSION, npm_package_version, else 'dev'). */
  appVersion?: string;
  /** Live `kiosk.health` frame period (ms, default 60 000). */
  intervalMs?: number;
  /** Outbox `health` record period (ms, default 15 min). */
  recordEveryMs?: number;
  /** Signed-update status (main/update). */
  update?: () => UpdateStatus | null;
}

/** Phases in which no call can be live: a call main still sees then was left behind by the renderer. */
const IDLE_PHASES: ReadonlySet<VisitPhase> = new Set(['attract', 'closed', 'out_of_service']);

/** Who set a phase: the renderer's session machine (bridge), or main resetting the visit (a crashed page, the technician). */
export type PhaseSource = 'renderer' | 'main';

/** Receives every bridge event main pushes to the renderer. */
export type { BridgeEventListener };

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
  /** The booth's key pair; default loaded (or made) under config.dataDir when the config has no development secret. */
  kioskKey?: KioskKey;
  /** Other bridge sections composed in (e.g. `outboxHandlers(outbox)`, hardware); missing channels answer `feature_unavailable`. */
  sections?: Partial<BridgeHandlers>;
  /** Told every phase change after the power-save blocker (status light, screen schedule); failures are logged, never fail the call. */
  onPhase?: (phase: VisitPhase, source: PhaseSource) => unknown;
  /** Closed (in reverse order) by `close()`, after the hub link: services the sections own. */
  closeables?: { close(): unknown }[];
  /** Health report sources and periods. */
  health?: KioskHealthSources;
  /** Timers for the health reporter (default Node's). */
  timers?: Timers;
  /** Clock (epoch ms, default Date.now). */
  now?: () => number;
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
  /** Main-initiated reset (renderer crash, technician): releases any call held at the hub, back to attract, release power save, tell the renderer. */
  resetVisit(reason: string): void;
  /** The public config in force, with the hub's fields applied between visits (main/services/config-live.ts). */
  readonly config: LiveConfig;
  /** The call main sees this kiosk holding at the hub (reset hygiene). */
  readonly calls: Pick<CallGuard, 'current'>;
  /** The health snapshot reported to the hub. */
  health(): KioskHealthSnapshot;
  /** Sends a `kiosk.health` frame now if the hub link is online (e.g. right after an update state change). */
  sendHealthNow(): boolean;
  /** Closes the hub link and releases the power-save blocker. Idempotent. */
  close(): Promise<void>;
}

export function createKioskCore(deps: KioskCoreDeps): KioskCore {
  const log = deps.log ?? silentLogger;
  const { listeners, emit } = createEventFanout(log);
  const now = deps.now ?? Date.now;
  const startedAt = now();
  const tracker = createVisitPhaseTracker(deps.powerSave ?? noopPowerSaveBlocker);
  // The hub link is created below; the guard only sends on bridge calls and resets, which come later.
  const callGuard = createCallGuard({ send: (f) => hubLink.send(f), log });
  // The hub's config (office + booth) over the file's, applied between visits only.
  const live = createLiveConfig({
    base: deps.config.public,
    dataDir: deps.config.dataDir,
    log: log.child({ module: 'config' }),
    now,
    onApplied: (_config, version) => emit('config.changed', version),
  });
  const phases: { setPhase(phase: VisitPhase, source?: PhaseSource): void } = {
    setPhase(phase, source: PhaseSource = 'renderer') {
      // A renderer back at attract (reloaded, crashed and restarted) with a call still held: release it.
      if (IDLE_PHASES.has(phase)) callGuard.release(`phase_${phase}`);
      tracker.setPhase(phase);
      live.phase(phase);
      if (!deps.onPhase) return;
      // Peripherals must never hold up or fail the visit: their faults are in their own state.
      void Promise.resolve()
        .then(() => deps.onPhase?.(phase, source))
        .catch((err: unknown) => log.warn({ phase, err: String(err) }, 'phase listener failed'));
    },
  };
  const hubLink = (deps.createHubLink ?? createHubLink)({
    url: deps.config.hubUrl,
    kioskId: deps.config.kioskId,
    ...(deps.config.kioskSecret !== undefined
      ? { secret: deps.config.kioskSecret }
      : { key: deps.kioskKey ?? loadOrCreateKioskKey(deps.config.dataDir, log.child({ module: 'kiosk-key' })) }),
    log: log.child({ module: 'hub-link' }),
    configVersion: () => live.version(),
    ...deps.hubLinkOptions,
  });
  const offStatus = hubLink.onStatus((s) => {
    callGuard.linkStatus(s);
    emit('hub.status', s);
  });
  /** Services this booth offers that the hub's catalogue does not know (a citizen picking one would wait for nobody). */
  let unknownServices: string[] = [];
  const offMessage = hubLink.onMessage((frame) => {
    if (frame.type === 'catalog') {
      const known = new Set(frame.services.map((s) => s.id));
      unknownServices = live.current().services.map((s) => s.id).filter((id) => !known.has(id));
      if (unknownServices.length) log.warn({ unknown: unknownServices }, 'the booth offers services the hub does not know; fix the booth configuration');
      return;
    }
    if (frame.type === 'config.push') {
      try {
        live.offer(frame.version, frame.config);
      } catch {
        // Logged by the live config; the booth keeps the config in force.
      }
      return;
    }
    callGuard.received(frame);
    emit('hub.message', frame);
  });
  // The renderer's frames pass the call guard, so main always knows which call the hub holds for us.
  const guardedLink: Pick<HubLink, 'status' | 'iceServers' | 'send'> = {
    get status() {
      return hubLink.status;
    },
    get iceServers() {
      return hubLink.iceServers;
    },
    send(frame: OutgoingFrame) {
      callGuard.beforeSend(frame);
      hubLink.send(frame);
      callGuard.sent(frame);
    },
  };
  const env = typeof process === 'undefined' ? {} : process.env;
  const appVersion = deps.health?.appVersion ?? env.VG_APP_VERSION ?? env.npm_package_version ?? 'dev';
  const audioHealth = createAudioHealthStore();
  const snapshot = (): KioskHealthSnapshot =>
    buildKioskHealth({
      now: now(),
      startedAt,
      appVersion,
      hubLink: hubLink.status,
      phase: tracker.phase,
      hardware: safely(() => deps.health?.hardware?.() ?? null),
      outbox: safely(() => deps.health?.outbox?.() ?? null),
      audio: audioHealth.last(),
      update: safely(() => deps.health?.update?.() ?? null),
      unknownServices,
    });
  // A broken source (outbox closed, hardware disposed) drops out of the report instead of breaking it.
  function safely<T>(fn: () => T | null): T | null {
    try {
      return fn();
    } catch (err) {
      log.warn({ err: String(err) }, 'health source failed');
      return null;
    }
  }
  const reporter = startHealthReporter({
    snapshot,
    hubLink,
    ...(deps.health?.putRecord ? { putRecord: deps.health.putRecord } : {}),
    ...(deps.health?.intervalMs !== undefined ? { intervalMs: deps.health.intervalMs } : {}),
    ...(deps.health?.recordEveryMs !== undefined ? { recordEveryMs: deps.health.recordEveryMs } : {}),
    timers: deps.timers ?? defaultTimers,
    now,
    log: log.child({ module: 'health' }),
  });
  const gate = createTechnicianGate({ pin: deps.config.technicianPin, now });
  const rendererLog = createRendererLogSink(log.child({ module: 'renderer' }), now);
  const handlers: BridgeHandlers = {
    ...unavailableHandlers(),
    ...deps.sections,
    // Core channels last: a section cannot replace them by accident.
    ...createBridgeHandlers({ publicConfig: () => live.current(), hubLink: guardedLink, phases }),
    'health.get': () => snapshot(),
    'technician.unlock': (pin) => gate.unlock(pin),
    'health.audioEcho': (report) => audioHealth.record(report),
    'log.report': (line) => rendererLog.report(line),
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
    calls: callGuard,
    config: live,
    health: snapshot,
    sendHealthNow: () => reporter.sendNow(),
    resetVisit(reason) {
      log.warn({ reason }, 'visit reset by main');
      callGuard.release(reason);
      phases.setPhase('attract', 'main');
      emit('session.reset', reason);
    },
    async close() {
      if (closed) return;
      closed = true;
      reporter.stop();
      offStatus();
      offMessage();
      tracker.close();
      listeners.clear();
      await hubLink.close();
      for (const c of [...(deps.closeables ?? [])].reverse()) {
        try {
          await c.close();
        } catch (err) {
          log.warn({ err: String(err) }, 'close failed');
        }
      }
    },
  };
}

const defaultTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
  // unref: a health tick must never be what keeps a closing process alive.
  setInterval: (fn, ms) => setInterval(fn, ms).unref(),
  clearInterval: (h) => clearInterval(h as NodeJS.Timeout),
};

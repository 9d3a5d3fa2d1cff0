// The kiosk's composition, shared by the Electron entry and the demo starter: outbox (durable
// store-and-forward) + sender, USB peripherals (real or simulated twins), hub link and bridge
// handlers, in one place so both runtimes run the same services.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BridgeHandlers, EmitEvent, EventName } from '../common/bridge/contract';
import type { WeeklySchedule } from '../common/config';
import { DeviceManager, ScreenScheduler, loadProfiles, SimScreen, createHardwareService, createNodeHidBackend, createSimulatedBooth, detectScreen, realTimers } from '../hardware/index';
import type { Clock, DeviceProfile, HardwareService, Screen, Timers as HardwareTimers } from '../hardware/index';
import { nodeExec, nodeFs } from '../hardware/screen/node';
import { createOutbox, createSender, fileKeyProvider, outboxHandlers } from './outbox/index';
import type { KeyProvider } from './outbox/index';
import type { KioskConfig } from './services/config';
import type { KioskCore, PhaseSource } from './services/core';
import { createKioskCore } from './services/core';
import { kioskHttpAuthorization, loadOrCreateKioskKey } from './services/kiosk-key';
import type { Logger } from './services/log';
import { silentLogger } from './services/log';
import type { PowerSaveBlocker } from './services/power-save';
import type { KioskUpdateOptions } from './update/service';
import { createKioskUpdates } from './update/service';

export interface ComposeKioskOptions {
  /** Validated configuration. */
  config: KioskConfig;
  /** Display-sleep blocker (Electron's; default no-op). */
  powerSave?: PowerSaveBlocker;
  /** Outbox key source (Electron passes safeStorage; default a 0600 file in the data dir). */
  keyProvider?: KeyProvider;
  /** USB peripherals: node-hid devices, simulated twins (demo, technician panel), or none (default). */
  hardware?: 'real' | 'simulated' | 'none';
  /** More bridge sections. */
  sections?: Partial<BridgeHandlers>;
  /** Logger (default silent). */
  log?: Logger;
  /** Screen power control: default detected (xset / wlr-randr / backlight / ddcutil) with real peripherals, a SimScreen with simulated ones; null = none. */
  screen?: Screen | null;
  /** Clock and timers for the screen schedule (tests drive them; default real). */
  clock?: Clock;
  screenTimers?: HardwareTimers;
  /** Health report periods (ms) and app version. */
  health?: { intervalMs?: number; recordEveryMs?: number; appVersion?: string };
  /** Signed updates (on when config.updates.enabled): restart hook, timers, clock, fetch for tests. */
  update?: Partial<Pick<KioskUpdateOptions, 'restart' | 'timers' | 'now' | 'fetch' | 'settleMs' | 'runtime' | 'env' | 'freeBytes'>>;
}

/** The hub's HTTP base for a WebSocket endpoint (`wss://h/x/ws` → `https://h/x/`). */
export function hubHttpBase(wsUrl: string): string {
  const u = new URL(wsUrl);
  u.protocol = u.protocol === 'wss:' ? 'https:' : 'http:';
  u.pathname = u.pathname.replace(/ws$/, '');
  u.search = u.hash = '';
  return u.toString();
}

interface Peripherals {
  service: HardwareService;
  /** The screen power schedule, when this booth's screen can be driven. */
  scheduler: ScreenScheduler | null;
  close(): Promise<void>;
}

interface PeripheralOptions {
  mode: 'real' | 'simulated';
  profilesDir: string | undefined;
  emit: EmitEvent;
  log: Logger;
  /** Opening hours, read at each decision: the hub's configuration may change them (main/services/config-live.ts). */
  schedule: () => WeeklySchedule;
  screen: Screen | null | undefined;
  clock: Clock | undefined;
  timers: HardwareTimers | undefined;
}

/**
 * Built-in profiles plus the site's own (profilesDir/*.json, tried first). A bad file is logged and
 * the kiosk runs on the built-ins: a technician's typo must not take the booth down.
 */
export function siteProfiles(dir: string | undefined, log: Logger): DeviceProfile[] | undefined {
  if (!dir) return undefined;
  try {
    const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
    const extra = files.map((f) => ({ source: join(dir, f), json: JSON.parse(readFileSync(join(dir, f), 'utf8')) as unknown }));
    const profiles = loadProfiles(extra);
    log.info({ dir, site: extra.length, total: profiles.length }, 'device profiles loaded');
    return profiles;
  } catch (err) {
    log.error({ dir, err: String(err) }, 'site device profiles ignored (fix the file named here); using the built-in profiles');
    return undefined;
  }
}

/** The booth's screen: the given one, a simulated twin in simulation mode, else whatever Linux offers (none is logged, not fatal). */
async function resolveScreen(o: PeripheralOptions): Promise<Screen | null> {
  if (o.screen !== undefined) return o.screen;
  if (o.mode === 'simulated') return new SimScreen();
  try {
    return await detectScreen({ exec: nodeExec, fs: nodeFs, env: process.env });
  } catch (err) {
    o.log.warn({ err: String(err) }, 'no screen power control found; the screen stays on outside opening hours');
    return null;
  }
}

/** Starts the device manager and the screen schedule; a kiosk whose HID layer cannot load still takes calls (logged). */
async function startPeripherals(o: PeripheralOptions): Promise<Peripherals | undefined> {
  const { log } = o;
  const booth = o.mode === 'simulated' ? createSimulatedBooth() : null;
  let hid;
  try {
    hid = booth ? booth.hid : await createNodeHidBackend();
  } catch (err) {
    log.error({ err: String(err) }, 'USB peripherals unavailable (node-hid did not load); continuing without them');
    return undefined;
  }
  const screen = await resolveScreen(o);
  const clock = o.clock ?? { now: () => Date.now() };
  const timers = o.timers ?? realTimers;
  // Dark outside opening hours, woken by touch (hardware.wake) or presence, never dark in a visit (session.phase).
  const scheduler = screen ? new ScreenScheduler({
    screen, clock, timers,
    get schedule() {
      return o.schedule();
    },
  }) : null;
  const profiles = siteProfiles(o.profilesDir, log);
  const manager = new DeviceManager({ hid, ...(profiles ? { profiles } : {}), log: log.child({ module: 'hardware' }) });
  const service = createHardwareService({ manager, booth, emit: o.emit, scheduler, screen, clock, timers });
  await manager.start();
  try {
    await scheduler?.start();
  } catch (err) {
    // The scheduler keeps its own errors in state; anything else must not stop the kiosk either.
    log.warn({ err: String(err) }, 'screen schedule failed to start');
  }
  return {
    service,
    scheduler,
    async close() {
      scheduler?.stop();
      service.dispose();
      await manager.stop();
    },
  };
}

/** Builds outbox + sender + peripherals + core; on failure closes what was opened before rethrowing. */
export async function composeKiosk(opts: ComposeKioskOptions): Promise<KioskCore> {
  const { config } = opts;
  const log = opts.log ?? silentLogger;
  // Peripherals exist before the core that carries their events: forward through a late-bound emit.
  let coreEmit: EmitEvent | undefined;
  let liveConfig: KioskCore['config'] | undefined;
  const emit = ((event: EventName, ...payload: unknown[]) => (coreEmit as ((e: EventName, ...p: unknown[]) => void) | undefined)?.(event, ...payload)) as EmitEvent;
  const mode = opts.hardware ?? 'none';
  const peripherals =
    mode === 'none'
      ? undefined
      : await startPeripherals({ mode, profilesDir: config.profilesDir, emit, log, schedule: () => liveConfig?.current().schedule ?? config.public.schedule, screen: opts.screen, clock: opts.clock, timers: opts.screenTimers });
  let outbox: ReturnType<typeof createOutbox> | undefined;
  try {
    // Production booths authenticate with their key pair (made at first start); a development
    // kioskSecret in the config replaces it on every path.
    const kioskKey = config.kioskSecret === undefined ? loadOrCreateKioskKey(config.dataDir, log.child({ module: 'kiosk-key' })) : undefined;
    const httpAuthorization = kioskHttpAuthorization(config.kioskId, { ...(config.kioskSecret !== undefined ? { secret: config.kioskSecret } : {}), ...(kioskKey ? { key: kioskKey } : {}) });
    const key = await (opts.keyProvider ?? fileKeyProvider(join(config.dataDir, 'outbox.key'))).getKey();
    outbox = createOutbox({ path: join(config.dataDir, 'outbox.sqlite'), key });
    const openOutbox = outbox;
    const sender = createSender({
      outbox,
      hubUrl: hubHttpBase(config.hubUrl),
      kioskId: config.kioskId,
      authorization: httpAuthorization,
      onSync: (r) => (r.ok ? undefined : log.warn({ module: 'outbox', error: r.error }, 'outbox sync failed')),
    });
    const outboxSection = outboxHandlers(outbox);
    // Signed updates: switched only between visits (the gate below), reported in kiosk.health at once.
    const late: { core?: KioskCore } = {};
    const env = typeof process === 'undefined' ? {} : process.env;
    const updates = await createKioskUpdates({
      config,
      hubBase: hubHttpBase(config.hubUrl),
      authorization: httpAuthorization,
      appVersion: opts.health?.appVersion ?? env.VG_APP_VERSION ?? env.npm_package_version ?? 'dev',
      log: log.child({ module: 'updates' }),
      onStatus: () => late.core?.sendHealthNow(),
      ...opts.update,
    });
    const core = createKioskCore({
      config,
      log,
      ...(kioskKey ? { kioskKey } : {}),
      ...(opts.powerSave ? { powerSave: opts.powerSave } : {}),
      sections: {
        ...opts.sections,
        ...peripherals?.service.handlers,
        ...outboxSection,
        // A new record goes out at once instead of at the next poll.
        'outbox.put': async (input) => {
          // A citizen's record being written holds any update switch until it is on disk.
          const done = input.kind === 'health' ? undefined : updates?.gate.writing();
          try {
            const r = await outboxSection['outbox.put'](input);
            sender.nudge();
            return r;
          } finally {
            done?.();
          }
        },
      },
      ...(peripherals || updates
        ? {
            onPhase: (phase: Parameters<HardwareService['setPhase']>[0], source: PhaseSource) => {
              updates?.gate.phase(phase);
              // Only the renderer's own report proves it runs (main resets a crashed page to attract too).
              if (source === 'renderer') updates?.updater.rendererPhase(phase);
              return peripherals?.service.setPhase(phase);
            },
          }
        : {}),
      health: {
        ...opts.health,
        ...(peripherals ? { hardware: () => peripherals.service.health() } : {}),
        outbox: () => openOutbox.stats(),
        // Telemetry: dropped oldest first at the cap, never in the way of a citizen's record.
        putRecord: (metrics) => openOutbox.put('health', { metrics }),
        ...(updates ? { update: () => updates.updater.status() } : {}),
      },
      // Closed in reverse: sender stops (no request in flight) before the database closes.
      closeables: [...(peripherals ? [peripherals] : []), outbox, { close: () => sender.stop() }, ...(updates ? [{ close: () => updates.updater.stop() }] : [])],
    });
    coreEmit = core.emit;
    liveConfig = core.config;
    late.core = core;
    if (updates) {
      // State first (probation, last outcome), so the first health frame already carries it.
      await updates.updater.start().catch((err: unknown) => log.error({ err: String(err) }, 'updater failed to start'));
      core.hubLink.onStatus((s) => updates.updater.hubStatus(s));
      updates.updater.hubStatus(core.hubLink.status);
    }
    core.hubLink.onStatus((s) => s === 'online' && sender.nudge());
    sender.start();
    return core;
  } catch (err) {
    try {
      outbox?.close();
    } catch {
      // already failing; the first error is the one worth reporting
    }
    await peripherals?.close().catch(() => {});
    throw err;
  }
}

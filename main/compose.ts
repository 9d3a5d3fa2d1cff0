// The kiosk's composition, shared by the Electron entry and the demo starter: outbox (durable
// store-and-forward) + sender, USB peripherals (real or simulated twins), hub link and bridge
// handlers, in one place so both runtimes run the same services.
import { join } from 'node:path';
import type { BridgeHandlers, EmitEvent, EventName } from '../common/bridge/contract';
import { DeviceManager, createHardwareService, createNodeHidBackend, createSimulatedBooth } from '../hardware/index';
import type { HardwareService } from '../hardware/index';
import { createOutbox, createSender, fileKeyProvider, outboxHandlers } from './outbox/index';
import type { KeyProvider } from './outbox/index';
import type { KioskConfig } from './services/config';
import type { KioskCore } from './services/core';
import { createKioskCore } from './services/core';
import type { Logger } from './services/log';
import { silentLogger } from './services/log';
import type { PowerSaveBlocker } from './services/power-save';

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
  close(): Promise<void>;
}

/** Starts the device manager; a kiosk whose HID layer cannot load still takes calls (logged). */
async function startPeripherals(mode: 'real' | 'simulated', emit: EmitEvent, log: Logger): Promise<Peripherals | undefined> {
  const booth = mode === 'simulated' ? createSimulatedBooth() : null;
  let hid;
  try {
    hid = booth ? booth.hid : await createNodeHidBackend();
  } catch (err) {
    log.error('USB peripherals unavailable (node-hid did not load); continuing without them', { err: String(err) });
    return undefined;
  }
  const manager = new DeviceManager({ hid, log: (level, message, data) => log[level](message, data) });
  const service = createHardwareService({ manager, booth, emit });
  await manager.start();
  return {
    service,
    async close() {
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
  const emit = ((event: EventName, ...payload: unknown[]) => (coreEmit as ((e: EventName, ...p: unknown[]) => void) | undefined)?.(event, ...payload)) as EmitEvent;
  const mode = opts.hardware ?? 'none';
  const peripherals = mode === 'none' ? undefined : await startPeripherals(mode, emit, log);
  let outbox: ReturnType<typeof createOutbox> | undefined;
  try {
    const key = await (opts.keyProvider ?? fileKeyProvider(join(config.dataDir, 'outbox.key'))).getKey();
    outbox = createOutbox({ path: join(config.dataDir, 'outbox.sqlite'), key });
    const sender = createSender({
      outbox,
      hubUrl: hubHttpBase(config.hubUrl),
      kioskId: config.kioskId,
      secret: config.kioskSecret,
      onSync: (r) => (r.ok ? undefined : log.warn('outbox sync failed', { error: r.error })),
    });
    const outboxSection = outboxHandlers(outbox);
    const core = createKioskCore({
      config,
      log,
      ...(opts.powerSave ? { powerSave: opts.powerSave } : {}),
      sections: {
        ...opts.sections,
        ...peripherals?.service.handlers,
        ...outboxSection,
        // A new record goes out at once instead of at the next poll.
        'outbox.put': async (input) => {
          const r = await outboxSection['outbox.put'](input);
          sender.nudge();
          return r;
        },
      },
      ...(peripherals ? { onPhase: (phase: Parameters<HardwareService['setPhase']>[0]) => peripherals.service.setPhase(phase) } : {}),
      // Closed in reverse: sender stops (no request in flight) before the database closes.
      closeables: [...(peripherals ? [peripherals] : []), outbox, { close: () => sender.stop() }],
    });
    coreEmit = core.emit;
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

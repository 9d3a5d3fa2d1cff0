// The kiosk's composition, shared by the Electron entry and the demo starter: outbox (durable
// store-and-forward) + sender + hub link + bridge handlers, in one place so both runtimes run the
// same services. Hardware sections are passed in by whoever owns the device layer.
import { join } from 'node:path';
import type { BridgeHandlers } from '../common/bridge/contract';
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
  /** More bridge sections (hardware). */
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

/** Builds outbox + sender + core; on failure closes what was opened before rethrowing. */
export async function composeKiosk(opts: ComposeKioskOptions): Promise<KioskCore> {
  const { config } = opts;
  const log = opts.log ?? silentLogger;
  const key = await (opts.keyProvider ?? fileKeyProvider(join(config.dataDir, 'outbox.key'))).getKey();
  const outbox = createOutbox({ path: join(config.dataDir, 'outbox.sqlite'), key });
  try {
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
        ...outboxSection,
        // A new record goes out at once instead of at the next poll.
        'outbox.put': async (input) => {
          const r = await outboxSection['outbox.put'](input);
          sender.nudge();
          return r;
        },
      },
      // Closed in reverse: sender stops (no request in flight) before the database closes.
      closeables: [outbox, { close: () => sender.stop() }],
    });
    core.hubLink.onStatus((s) => s === 'online' && sender.nudge());
    sender.start();
    return core;
  } catch (err) {
    try {
      outbox.close();
    } catch {
      // already failing; the first error is the one worth reporting
    }
    throw err;
  }
}

// The booth's side of central configuration. The hub pushes `config.push` (its office's and its own
// settings); the booth merges them over its file config, validates the result with the same schema
// (KioskPublicConfig), keeps it on disk as its last good config, and applies it only between visits:
// a citizen in the middle of a visit never sees the services, hours or timers change under them.
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { KioskPublicConfig } from '../../common/config';
import type { VisitPhase } from '../../common/bridge/core';
import { VisioError } from '../../common/result';
import type { Logger } from './log';
import { silentLogger } from './log';

/** File (in the data dir) holding the last hub config applied: it survives restarts and hub outages. */
export const HUB_CONFIG_FILE = 'hub-config.json';

const Stored = z.object({ version: z.string().max(64), config: z.record(z.string(), z.unknown()), appliedAt: z.number() });

/** The hub's config, merged over the file's, does not validate: the booth keeps what it runs. */
export class HubConfigRejectedError extends VisioError {
  constructor(message: string) {
    super('hub_config_invalid', message);
  }
}

/** Phases between visits: a pending config is applied on entering one of them. */
const BETWEEN_VISITS: ReadonlySet<VisitPhase> = new Set(['attract', 'closed', 'out_of_service']);

export interface LiveConfigOptions {
  /** The config from the booth's file (and env): the base the hub's fields are merged over. */
  base: KioskPublicConfig;
  /** Where `hub-config.json` lives. */
  dataDir: string;
  /** Told after a config was applied (the renderer reloads at attract to take it). */
  onApplied?: (config: KioskPublicConfig, version: string) => void;
  log?: Logger;
  now?: () => number;
}

/** The booth's public config, live. */
export interface LiveConfig {
  /** The config in force (what `config.get` answers). */
  current(): KioskPublicConfig;
  /** Version of the hub config in force ('' = none): sent to the hub at connection. */
  version(): string;
  /** Version received and waiting for the visit to end (undefined when none). */
  pending(): string | undefined;
  /** A `config.push` from the hub: validated now, applied now if between visits, else at the visit's end. Throws HubConfigRejectedError when invalid. */
  offer(version: string, config: Record<string, unknown>): void;
  /** The visit phase changed (from the renderer or main). */
  phase(phase: VisitPhase): void;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
function merge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = isObject(v) && isObject(out[k]) ? merge(out[k] as Record<string, unknown>, v) : v;
  return out;
}

export function createLiveConfig(opts: LiveConfigOptions): LiveConfig {
  const log = opts.log ?? silentLogger;
  const now = opts.now ?? Date.now;
  const file = join(opts.dataDir, HUB_CONFIG_FILE);
  const build = (over: Record<string, unknown>): KioskPublicConfig => {
    // `simulation` is the booth's own switch: the hub never turns it on or off.
    const r = KioskPublicConfig.safeParse({ ...merge(opts.base as unknown as Record<string, unknown>, over), simulation: opts.base.simulation });
    if (!r.success) throw new HubConfigRejectedError(r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '));
    return r.data;
  };

  let config = opts.base;
  let version = '';
  // The last good hub config, from before a restart: the booth starts with it, hub or not.
  try {
    const stored = Stored.parse(JSON.parse(readFileSync(file, 'utf8')));
    config = build(stored.config);
    version = stored.version;
    log.info({ version }, 'hub configuration restored from disk');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') log.warn({ err: String(err) }, 'stored hub configuration ignored; using the file configuration until the hub sends one');
  }

  let waiting: { version: string; raw: Record<string, unknown>; config: KioskPublicConfig } | undefined;
  let phase: VisitPhase = 'attract';

  const apply = () => {
    if (!waiting) return;
    const next = waiting;
    waiting = undefined;
    // On disk first: a crash right after must not bring the old config back.
    writeAtomically(file, JSON.stringify({ version: next.version, config: next.raw, appliedAt: now() }));
    const changed = JSON.stringify(next.config) !== JSON.stringify(config);
    config = next.config;
    version = next.version;
    log.info({ version, changed }, 'hub configuration applied');
    if (changed) opts.onApplied?.(config, version);
  };

  return {
    current: () => config,
    version: () => version,
    pending: () => waiting?.version,
    offer(v, raw) {
      if (v === version && !waiting) return;
      let next: KioskPublicConfig;
      try {
        next = build(raw);
      } catch (err) {
        log.error({ version: v, err: String(err) }, 'hub configuration refused; keeping the one in force');
        throw err;
      }
      waiting = { version: v, raw, config: next };
      if (BETWEEN_VISITS.has(phase)) apply();
      else log.info({ version: v, phase }, 'hub configuration waits for the visit to end');
    },
    phase(p) {
      phase = p;
      if (BETWEEN_VISITS.has(p)) apply();
    },
  };
}

function writeAtomically(path: string, text: string): void {
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

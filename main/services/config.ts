// Kiosk configuration: one JSON file (written by the technician or provisioning) plus environment
// overrides (systemd unit, demo starter). Secrets stay in main; only `public` reaches the renderer.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { KioskPublicConfig } from '../../common/config';
import { VisioError } from '../../common/result';
import { DEFAULT_RUNTIME_PORT } from '../runtime/policy';
import type { Logger } from '../../common/log';

/** The configuration file or the environment is unreadable or invalid; the message names every bad field. */
export class KioskConfigError extends VisioError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('config_invalid', message, options);
  }
}

const Id = z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'letters, digits, _ . : - (1–64)');

/** Accepts the hub's base URL (http/https/ws/wss) and normalises it to its WebSocket endpoint `/ws`. */
const HubUrl = z
  .string()
  .url()
  .transform((raw, ctx) => {
    const u = new URL(raw);
    const scheme = { 'http:': 'ws:', 'https:': 'wss:', 'ws:': 'ws:', 'wss:': 'wss:' }[u.protocol];
    if (!scheme) {
      ctx.addIssue({ code: 'custom', message: 'hubUrl must be http(s):// or ws(s)://' });
      return z.NEVER;
    }
    u.protocol = scheme;
    if (!u.pathname.endsWith('/ws')) u.pathname = `${u.pathname.replace(/\/+$/, '')}/ws`;
    u.hash = '';
    return u.toString();
  });

const FileShape = z
  .object({
    hubUrl: HubUrl,
    /** Absent on a booth that enrolls itself (main/services/booth.ts): the hub gives it an id. */
    kioskId: Id.optional(),
    /**
     * Development only: a shared secret from the hub's `create-kiosk`. Without it (production) the
     * booth authenticates with its key pair (`<dataDir>/kiosk-key.pem`, made at first start).
     */
    kioskSecret: z.string().min(16).max(256).optional(),
    dataDir: z.string().min(1).default('.data'),
    devMode: z.boolean().default(false),
    /** PIN that opens the hidden technician panel (digits; absent = panel locked outside simulation mode). */
    technicianPin: z.string().regex(/^\d{4,12}$/, '4–12 digits').optional(),
    /** Directory of extra device profiles (*.json, hardware/profiles/schema.ts): new models without a new build. */
    profilesDir: z.string().min(1).optional(),
    /** Loopback port of the browser runtime: fixed so Chromium's policy can name the kiosk origin (0 = any free port, dev only). */
    runtimePort: z.number().int().min(0).max(65535).default(DEFAULT_RUNTIME_PORT),
    /** Period of the live `kiosk.health` frame to the hub (ms; absent = the reporter's default, 60 s). */
    healthIntervalMs: z.number().int().min(1_000).max(3_600_000).optional(),
    public: KioskPublicConfig.default(KioskPublicConfig.parse({})),
    /** Signed updates (main/update/README.md); off unless enabled with at least one key. */
    updates: z
      .object({
        enabled: z.boolean().default(false),
        /** Trusted Ed25519 release keys: base64 of the raw 32 bytes (`scripts/release.ts keygen`) or PEM. */
        keys: z.array(z.string().min(1).max(4096)).max(10).default([]),
        /** Hub poll period (ms; ± 20 % jitter), and at once whenever the hub link comes back. */
        pollMs: z.number().int().min(1000).default(15 * 60_000),
        /** Time a new version has to become healthy before it is rolled back (ms). */
        probationMs: z.number().int().min(1000).default(10 * 60_000),
        /** A static manifest.json URL instead of the hub (its signature at <url>.sig). */
        manifestUrl: z.url({ protocol: /^https?$/ }).optional(),
        /** Install root and state dir (default: env VG_ROOT / VG_UPDATE_STATE_DIR, set by the launcher). */
        root: z.string().regex(/^\//, 'absolute path').optional(),
        stateDir: z.string().regex(/^\//, 'absolute path').optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

/** The `updates` section of the kiosk config. */
export type UpdatesConfig = NonNullable<z.infer<typeof FileShape>['updates']>;

/** The validated kiosk configuration. */
export interface KioskConfig {
  /** What the renderer may see (`config.get`). */
  public: KioskPublicConfig;
  /** The hub's WebSocket endpoint, e.g. `wss://hub.example/ws`. */
  hubUrl: string;
  /** This kiosk's id at the hub. */
  kioskId: string;
  /** Development secret (never leaves main); absent = the booth's key pair authenticates it. */
  kioskSecret?: string;
  /** Absolute directory for local state (outbox, browser profile, logs). */
  dataDir: string;
  /** Dev mode keeps devtools and reload shortcuts. */
  devMode: boolean;
  /** PIN of the hidden technician panel (checked in main, never sent to the renderer). */
  technicianPin?: string;
  /** Absolute directory of site-specific device profiles (JSON), tried before the built-in ones. */
  profilesDir?: string;
  /** Loopback port of the browser runtime (loaded configs: default 47100, the origin the Chromium policy names; absent = any free port). */
  runtimePort?: number;
  /** Period of the live health frame (ms; absent = 60 s). */
  healthIntervalMs?: number;
  /** Signed updates (absent = off). */
  updates?: UpdatesConfig;
}

export interface LoadConfigOptions {
  /** Path of the JSON file; defaults to env `VG_KIOSK_CONFIG`; no file means env only. */
  file?: string;
  /** Environment (defaults to process.env): VG_HUB_URL, VG_KIOSK_ID, VG_KIOSK_SECRET, VG_DATA_DIR, VG_DEV, VG_RUNTIME_PORT. */
  env?: Record<string, string | undefined>;
  /** File reader (tests). */
  readFile?: (path: string) => string;
  /** Base for a relative dataDir when there is no file (defaults to process.cwd()). */
  cwd?: string;
}

/** Reads, merges (env wins over file) and validates; throws KioskConfigError naming each bad field (a missing kioskId too). */
export function loadKioskConfig(opts: LoadConfigOptions = {}): KioskConfig {
  const c = loadBoothConfig(opts);
  if (c.kioskId === undefined) throw new KioskConfigError('Invalid kiosk config: kioskId: Required (or let the booth enroll itself: main/services/booth.ts)');
  return c as KioskConfig;
}

/** As loadKioskConfig, but the kiosk id may be absent: such a booth enrolls at the hub (docs/features/enroll.md). */
export function loadBoothConfig(opts: LoadConfigOptions = {}): Omit<KioskConfig, 'kioskId'> & { kioskId?: string } {
  const env = opts.env ?? process.env;
  const read = opts.readFile ?? ((p: string) => readFileSync(p, 'utf8'));
  const file = opts.file ?? env.VG_KIOSK_CONFIG;
  let raw: Record<string, unknown> = {};
  if (file) {
    let text: string;
    try {
      text = read(file);
    } catch (err) {
      throw new KioskConfigError(`Cannot read kiosk config ${file}: ${(err as Error).message}`, { cause: err });
    }
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('top level must be an object');
      raw = parsed as Record<string, unknown>;
    } catch (err) {
      throw new KioskConfigError(`Kiosk config ${file} is not valid JSON: ${(err as Error).message}`, { cause: err });
    }
  }
  const merged: Record<string, unknown> = { ...raw };
  if (env.VG_HUB_URL) merged.hubUrl = env.VG_HUB_URL;
  if (env.VG_KIOSK_ID) merged.kioskId = env.VG_KIOSK_ID;
  if (env.VG_KIOSK_SECRET) merged.kioskSecret = env.VG_KIOSK_SECRET;
  if (env.VG_DATA_DIR) merged.dataDir = env.VG_DATA_DIR;
  if (env.VG_TECH_PIN) merged.technicianPin = env.VG_TECH_PIN;
  if (env.VG_PROFILES_DIR) merged.profilesDir = env.VG_PROFILES_DIR;
  if (env.VG_RUNTIME_PORT) merged.runtimePort = Number(env.VG_RUNTIME_PORT);
  if (env.VG_DEV !== undefined && env.VG_DEV !== '') merged.devMode = env.VG_DEV === '1' || env.VG_DEV === 'true';

  const r = FileShape.safeParse(merged);
  if (!r.success) {
    const where = file ? `kiosk config ${file} (+ env)` : 'kiosk config (env only: set VG_KIOSK_CONFIG or VG_HUB_URL/VG_KIOSK_ID/VG_KIOSK_SECRET)';
    const issues = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new KioskConfigError(`Invalid ${where}: ${issues}`);
  }
  const base = file ? dirname(resolve(file)) : (opts.cwd ?? process.cwd());
  return {
    public: r.data.public,
    hubUrl: r.data.hubUrl,
    ...(r.data.kioskId !== undefined ? { kioskId: r.data.kioskId } : {}),
    ...(r.data.kioskSecret !== undefined ? { kioskSecret: r.data.kioskSecret } : {}),
    dataDir: resolve(base, r.data.dataDir),
    devMode: r.data.devMode,
    runtimePort: r.data.runtimePort,
    ...(r.data.healthIntervalMs !== undefined ? { healthIntervalMs: r.data.healthIntervalMs } : {}),
    ...(r.data.technicianPin !== undefined ? { technicianPin: r.data.technicianPin } : {}),
    ...(r.data.profilesDir !== undefined ? { profilesDir: resolve(base, r.data.profilesDir) } : {}),
    ...(r.data.updates !== undefined ? { updates: r.data.updates } : {}),
  };
}

/** Exit status for an invalid configuration (EX_CONFIG): the systemd units do not restart-loop on it. */
export const EXIT_CONFIG = 78;

/**
 * The entries' start-up: the configuration, or — when it is invalid — one clear log line naming
 * every bad field and `exit(EXIT_CONFIG)` (a booth must stop visibly, not show a blank screen).
 */
export function loadKioskConfigOrExit(log: Pick<Logger, 'error'>, exit: (code: number) => void): KioskConfig | undefined {
  try {
    return loadKioskConfig();
  } catch (err) {
    log.error({ err: String(err) }, 'kiosk configuration is invalid; fix it and restart');
    exit(EXIT_CONFIG);
    return undefined;
  }
}

/** loadKioskConfigOrExit for an entry that enrolls a booth without a kiosk id. */
export function loadBoothConfigOrExit(log: Pick<Logger, 'error'>, exit: (code: number) => void): (Omit<KioskConfig, 'kioskId'> & { kioskId?: string }) | undefined {
  try {
    return loadBoothConfig();
  } catch (err) {
    log.error({ err: String(err) }, 'kiosk configuration is invalid; fix it and restart');
    exit(EXIT_CONFIG);
    return undefined;
  }
}

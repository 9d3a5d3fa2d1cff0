import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { defaultServices, ServiceDef } from '../common/config';
import { IceServer } from '../common/protocol';
import { VisioError } from '../common/result';
import { TurnConfig } from './turn';

/** The hub's JSON config file (every field optional; env vars override some). */
export const HubConfigFile = z.object({
  host: z.string().default('127.0.0.1'),
  port: z.number().int().min(0).max(65_535).default(8787),
  dbPath: z.string().default('.data/hub.sqlite'),
  /** HS256 key (≥ 32 chars); when absent the hub generates one and keeps it in its database. */
  jwtSecret: z.string().min(32).optional(),
  tokenTtlSeconds: z.number().int().positive().max(24 * 3600).default(8 * 3600),
  /** STUN servers (and any fixed TURN entry) handed to both parties; the short-lived relay credentials come from `turn`. */
  iceServers: z.array(IceServer).default([]),
  /** TURN relay (coturn, use-auth-secret): secret file, relay URLs, credential TTL. Absent: no relay (loopback / LAN demo). */
  turn: TurnConfig.optional(),
  /** The service catalogue: ids booths may request and the names agents see (fr/en). */
  services: z.array(ServiceDef).min(1).max(100).default(defaultServices).refine((s) => new Set(s.map((x) => x.id)).size === s.length, 'service ids must be unique'),
  ringTimeoutMs: z.number().int().positive().default(20_000),
  declineCooldownMs: z.number().int().positive().optional(),
  /** Built agent console; served at /agent/. */
  agentStaticDir: z.string().optional(),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Release-signing public keys (base64 of the raw 32-byte Ed25519 key, or PEM); the hub verifies releases with them and holds no private key. */
  updateKeys: z.array(z.string().min(1)).default([]),
  /** Where release bundles are stored (one folder per version). */
  releasesDir: z.string().default('.data/releases'),
  /** Base URL booths download bundles from when the hub sits behind a proxy; default: the URL the booth called. */
  publicUrl: z.url({ protocol: /^https?$/ }).optional(),
  /** Serve HTTPS/WSS with this certificate chain and key (PEM files, server/README.md); absent = plain HTTP (loopback, or TLS at a reverse proxy). */
  tls: z.object({ cert: z.string().min(1), key: z.string().min(1) }).strict().optional(),
  /** Reverse proxies (addresses or CIDRs) whose X-Forwarded-For is believed; default none. */
  trustedProxies: z.array(z.string().min(1)).default([]),
  /** Browser origins besides the hub's own allowed to open /ws (a console served elsewhere); default none. */
  allowedOrigins: z.array(z.url({ protocol: /^https?$/ })).default([]),
}).strict();
export type HubConfigFile = z.infer<typeof HubConfigFile>;

/** The config file is missing or wrong: say which file and which field. */
export class HubConfigError extends VisioError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('hub_config_invalid', message, options);
  }
}

/**
 * Reads the config: the JSON file named by VG_HUB_CONFIG (if any), then VG_HUB_PORT, VG_HUB_DB
 * and VG_HUB_HOST on top, then defaults.
 */
export function loadHubConfig(env: Record<string, string | undefined> = process.env): HubConfigFile {
  let raw: Record<string, unknown> = {};
  const file = env.VG_HUB_CONFIG;
  if (file) {
    try {
      raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    } catch (err) {
      throw new HubConfigError(`cannot read hub config ${file}: ${(err as Error).message}`, { cause: err });
    }
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new HubConfigError(`hub config ${file} must be a JSON object`);
  }
  if (env.VG_HUB_PORT) raw = { ...raw, port: Number(env.VG_HUB_PORT) };
  if (env.VG_HUB_DB) raw = { ...raw, dbPath: env.VG_HUB_DB };
  if (env.VG_HUB_HOST) raw = { ...raw, host: env.VG_HUB_HOST };
  const r = HubConfigFile.safeParse(raw);
  if (!r.success) throw new HubConfigError(`hub config${file ? ` ${file}` : ''}: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  return r.data;
}

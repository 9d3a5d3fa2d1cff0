// Starts a hub from its config file + env: `tsx server/main.ts` (see config.ts for the variables).
import { mkdirSync, readFileSync } from 'node:fs';
import module from 'node:module';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { HubConfigError, loadHubConfig, type HubConfigFile } from './config';
import { createHub, type Hub, type HubOptions } from './hub';
import { ingestPlugin } from './ingest/plugin';
import { loadTurnSecret, turnSecretSource } from './turn';
import { updatesPlugin } from './updates/plugin';

/** Starts a hub from a parsed config (creating the database folder) with the outbox ingest and update routes; extra options override, extra plugins are added. */
export async function startHub(cfg: HubConfigFile = loadHubConfig(), extra: Partial<HubOptions> = {}): Promise<Hub> {
  if (cfg.dbPath !== ':memory:') mkdirSync(dirname(cfg.dbPath), { recursive: true });
  return createHub({
    dbPath: cfg.dbPath, host: cfg.host, port: cfg.port, tokenTtlSeconds: cfg.tokenTtlSeconds, iceServers: cfg.iceServers, services: cfg.services,
    ringTimeoutMs: cfg.ringTimeoutMs, logger: { level: cfg.logLevel },
    ...(cfg.jwtSecret ? { jwtSecret: cfg.jwtSecret } : {}),
    // A secret file is re-read when it changes: rotation needs no restart (docs/NETWORK.md, build/coturn/).
    ...(cfg.turn ? { turn: { secret: cfg.turn.secretFile ? turnSecretSource(cfg.turn.secretFile) : loadTurnSecret(cfg.turn), urls: cfg.turn.urls, ttlSeconds: cfg.turn.ttlSeconds } } : {}),
    ...(cfg.declineCooldownMs ? { declineCooldownMs: cfg.declineCooldownMs } : {}),
    ...(cfg.agentStaticDir ? { agentStaticDir: cfg.agentStaticDir } : {}),
    ...(cfg.tls ? { tls: readTls(cfg.tls) } : {}),
    ...(cfg.trustedProxies.length ? { trustedProxies: cfg.trustedProxies } : {}),
    ...(cfg.allowedOrigins.length ? { allowedOrigins: cfg.allowedOrigins } : {}),
    ...extra,
    plugins: [
      ingestPlugin(),
      updatesPlugin({ keys: cfg.updateKeys, releasesDir: cfg.releasesDir, ...(cfg.publicUrl ? { publicUrl: cfg.publicUrl } : {}) }),
      ...(extra.plugins ?? []),
    ],
  });
}

/** The certificate and key files, read once at start (renewal: restart the hub, or terminate TLS at a proxy that reloads). */
function readTls(tls: { cert: string; key: string }): { cert: Buffer; key: Buffer } {
  try {
    return { cert: readFileSync(tls.cert), key: readFileSync(tls.key) };
  } catch (err) {
    throw new HubConfigError(`tls: cannot read ${(err as { path?: string }).path ?? 'the certificate or key'}: ${(err as Error).message}`, { cause: err });
  }
}

async function main(): Promise<void> {
  const hub = await startHub();
  process.stdout.write(`hub listening on ${hub.url} (WebSocket ${hub.wsUrl})\n`);
  // With NODE_COMPILE_CACHE (the hub unit), write V8's compiled code now: Node writes it at a clean
  // exit only, and the restart that needs it most follows a crash.
  module.flushCompileCache?.();
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    hub.app.log.info({ signal }, 'stopping');
    hub.close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`hub close failed: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    // 78 (EX_CONFIG): a damaged or too-new database needs a person (restore, upgrade); a service
    // manager must not restart-loop on it.
    const code = (err as { code?: unknown }).code;
    process.exit(code === 'db_corrupt' || code === 'db_newer_than_app' ? 78 : 1);
  });
}

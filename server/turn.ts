// TURN relay credentials by coturn's REST scheme (`use-auth-secret`): the hub and coturn share one
// secret; the hub hands each party a username `<expiry>:<subject>` and the password
// base64(HMAC-SHA1(secret, username)). coturn recomputes the HMAC and refuses a username whose expiry
// is past, so nothing is stored on either side and no static password exists. coturn checks the
// credential when an allocation is created, not on its refreshes: a call that outlives the TTL keeps
// its relay; only a new allocation (a new call, an ICE restart) needs fresh credentials, which the hub
// pushes in `ice.servers` frames well before the previous ones expire.
import { createHmac } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { z } from 'zod';
import type { IceServer } from '../common/protocol';
import { VisioError } from '../common/result';

/** Shortest accepted secret: coturn's own examples use 32+ random characters. */
const MIN_SECRET_LENGTH = 16;

/**
 * `turn:host[:port][?transport=udp|tcp]` or `turns:host[:port][?transport=tcp]` (TLS runs over TCP
 * only; `turns:` on 443 passes most office firewalls that allow HTTPS).
 */
export const TurnUrl = z
  .string()
  .regex(/^(turn:[A-Za-z0-9.-]+|turn:\[[0-9A-Fa-f:]+\])(:\d{1,5})?(\?transport=(udp|tcp))?$|^(turns:[A-Za-z0-9.-]+|turns:\[[0-9A-Fa-f:]+\])(:\d{1,5})?(\?transport=tcp)?$/, 'TURN URL: turn:host[:port][?transport=udp|tcp] or turns:host[:port][?transport=tcp]');

/** The hub config's `turn` section. Exactly one of `secretFile` (production) or `secret`. */
export const TurnConfig = z
  .object({
    /** File holding the secret shared with coturn's `static-auth-secret` (first line, trimmed); mode 0600. */
    secretFile: z.string().min(1).optional(),
    /** The secret itself (tests, development); prefer secretFile so the config file can be shared. */
    secret: z.string().min(MIN_SECRET_LENGTH).optional(),
    /** Relay URLs handed to both parties, e.g. turn:turn.example:3478, …?transport=tcp, turns:turn.example:443?transport=tcp. */
    urls: z.array(TurnUrl).min(1).max(10),
    /** Credential lifetime in seconds: 1 h by default; coturn refuses new allocations after it. */
    ttlSeconds: z.number().int().min(300).max(24 * 3600).default(3600),
  })
  .strict()
  .refine((c) => (c.secret === undefined) !== (c.secretFile === undefined), 'turn: give exactly one of secret or secretFile');
export type TurnConfig = z.infer<typeof TurnConfig>;

/** The TURN secret file cannot be read, or holds too short a secret. */
export class TurnSecretError extends VisioError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('turn_secret_invalid', message, options);
  }
}

/** Reads the shared secret named by the config (file first line, trimmed). */
export function loadTurnSecret(cfg: Pick<TurnConfig, 'secret' | 'secretFile'>): string {
  if (cfg.secret !== undefined) return cfg.secret;
  let text: string;
  try {
    text = readFileSync(cfg.secretFile ?? '', 'utf8');
  } catch (err) {
    throw new TurnSecretError(`cannot read the TURN secret file ${cfg.secretFile}: ${(err as Error).message}`, { cause: err });
  }
  const secret = (text.split(/\r?\n/)[0] ?? '').trim();
  if (secret.length < MIN_SECRET_LENGTH) throw new TurnSecretError(`the TURN secret in ${cfg.secretFile} is shorter than ${MIN_SECRET_LENGTH} characters`);
  return secret;
}

/**
 * The secret as the file holds it now: re-read when the file changes (size or modification time), so
 * `visioguichet-turn-secret rotate` takes effect without restarting the hub. A file that becomes
 * unreadable or too short keeps the last good secret (coturn still accepts it until it is retired).
 */
export function turnSecretSource(file: string, stat: (f: string) => { mtimeMs: number; size: number } = statSync): () => string {
  let secret = loadTurnSecret({ secretFile: file });
  let seen = stat(file);
  return () => {
    try {
      const now = stat(file);
      if (now.mtimeMs !== seen.mtimeMs || now.size !== seen.size) {
        const next = loadTurnSecret({ secretFile: file });
        secret = next;
        seen = now;
      }
    } catch {
      // keep the last good secret
    }
    return secret;
  };
}

/** One short-lived TURN credential. */
export interface TurnCredential {
  /** `<expiry epoch seconds>:<subject>`. */
  username: string;
  /** base64(HMAC-SHA1(secret, username)). */
  credential: string;
  /** When coturn starts refusing it (epoch ms). */
  expiresAt: number;
}

/**
 * The credential coturn's `use-auth-secret` accepts until `nowMs + ttlSeconds`. The subject names the
 * party in coturn's logs; a ':' in it is replaced because coturn splits the username on the first one.
 */
export function turnCredential(secret: string, subject: string, nowMs: number, ttlSeconds: number): TurnCredential {
  const expiry = Math.floor(nowMs / 1000) + ttlSeconds;
  const username = `${expiry}:${subject.replace(/:/g, '_')}`;
  const credential = createHmac('sha1', secret).update(username).digest('base64');
  return { username, credential, expiresAt: expiry * 1000 };
}

/** Hands out ICE server lists with fresh TURN credentials; one per hub. */
export class TurnIssuer {
  constructor(
    private readonly opts: { secret: string | (() => string); urls: string[]; ttlSeconds: number; now: () => number; stun?: IceServer[] },
  ) {
    if (this.secret().length < MIN_SECRET_LENGTH) throw new TurnSecretError(`the TURN secret is shorter than ${MIN_SECRET_LENGTH} characters`);
  }

  private secret(): string {
    return typeof this.opts.secret === 'function' ? this.opts.secret() : this.opts.secret;
  }

  /** Credential lifetime (s). */
  get ttlSeconds(): number {
    return this.opts.ttlSeconds;
  }

  /**
   * How often the hub pushes fresh credentials to connected parties (ms): a third of the TTL, so what
   * a party holds always has at least two thirds of its lifetime left when a call starts.
   */
  get refreshMs(): number {
    return Math.floor((this.opts.ttlSeconds * 1000) / 3);
  }

  /** The ICE servers for one party (`kiosk-<id>` / `agent-<id>`): the configured STUN servers, then the relay. */
  iceServers(subject: string): IceServer[] {
    const c = turnCredential(this.secret(), subject, this.opts.now(), this.opts.ttlSeconds);
    return [...(this.opts.stun ?? []), { urls: [...this.opts.urls], username: c.username, credential: c.credential }];
  }
}

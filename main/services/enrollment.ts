// The booth's side of enrollment (RFC 8628 device grant, common/enroll.ts): ask the hub for a code
// with the booth's public key, show it, poll until a technician approves, then keep the identity the
// hub gave in `<dataDir>/identity.json`. Plain Node; HTTP, timers and clock are injected.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { backoffDelay } from '../../common/backoff';
import {
  DeviceAuthorizationResponse, DeviceTokenError, DeviceTokenResponse, ENROLL_DEVICE_PATH, ENROLL_TOKEN_PATH,
  type EnrollState,
} from '../../common/enroll';
import type { Logger } from '../../common/log';
import { VisioError } from '../../common/result';
import { realTimers, type OneShotTimers } from '../../common/time';
import { writeAtomic } from './kiosk-key';

/** The identity file is unreadable: kept aside for a person, and the booth enrolls again. */
export class IdentityFileError extends VisioError {
  constructor(message: string) {
    super('identity_invalid', message);
  }
}

/** Enrollment was stopped (the booth is closing). */
export class EnrollmentStoppedError extends VisioError {
  constructor() {
    super('enrollment_stopped', 'enrollment stopped');
  }
}

export const IDENTITY_FILE = 'identity.json';

/** What `<dataDir>/identity.json` holds: the booth's id at the hub, or the fact that it was revoked. */
export const BoothIdentity = z.discriminatedUnion('state', [
  z.object({ state: z.literal('enrolled'), kioskId: z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/), name: z.string(), office: z.string(), hubUrl: z.string(), enrolledAt: z.number() }),
  /** Revoked at the hub: the booth shows a code again even if its config file names a kiosk id. */
  z.object({ state: z.literal('revoked'), kioskId: z.string(), revokedAt: z.number() }),
]);
export type BoothIdentity = z.infer<typeof BoothIdentity>;

/** The saved identity, or undefined when there is none; throws IdentityFileError when the file is damaged. */
export function readIdentity(dataDir: string): BoothIdentity | undefined {
  let text: string;
  try {
    text = readFileSync(join(dataDir, IDENTITY_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new IdentityFileError(`cannot read ${join(dataDir, IDENTITY_FILE)}: ${(err as Error).message}`);
  }
  try {
    return BoothIdentity.parse(JSON.parse(text));
  } catch (err) {
    throw new IdentityFileError(`${join(dataDir, IDENTITY_FILE)} is damaged (${(err as Error).message.slice(0, 200)})`);
  }
}

/** Saves the identity (atomically: a power cut leaves the old file or the new one). */
export function writeIdentity(dataDir: string, identity: BoothIdentity): void {
  writeAtomic(join(dataDir, IDENTITY_FILE), `${JSON.stringify(BoothIdentity.parse(identity), null, 2)}\n`, 0o644);
}

/** Minimal fetch (Node's global, or a test double). */
export type FetchLike = (url: string, init: { method: 'POST'; headers: Record<string, string>; body: string; signal?: AbortSignal }) => Promise<{ status: number; json(): Promise<unknown> }>;

export interface EnrollmentOptions {
  /** The hub's HTTP base, e.g. `https://hub.example/`. */
  hubBase: string;
  /** The booth's public key (SPKI PEM). */
  publicKeyPem: string;
  /** Whether the booth comes back from a revocation (its screen says so). */
  revoked?: boolean;
  /** Told every state change (the screen shows it). */
  onState: (state: EnrollState) => void;
  fetch?: FetchLike;
  timers?: OneShotTimers;
  now?: () => number;
  random?: () => number;
  log?: Pick<Logger, 'info' | 'warn'>;
}

/** A running enrollment: `result` resolves with the identity the technician approved. */
export interface Enrollment {
  readonly result: Promise<DeviceTokenResponse>;
  /** Stops polling; `result` rejects with EnrollmentStoppedError. */
  stop(): void;
}

const TokenRefusal = z.object({ error: DeviceTokenError });

/**
 * Runs the device flow until approved: a refused or expired code is replaced by a new one (the
 * booth cannot do anything else), an unreachable hub is retried with backoff (the screen says it
 * is trying), `slow_down` lengthens the interval as the RFC asks.
 */
export function startEnrollment(opts: EnrollmentOptions): Enrollment {
  const fetchFn: FetchLike = opts.fetch ?? ((url, init) => fetch(url, init));
  const timers = opts.timers ?? realTimers;
  const now = opts.now ?? Date.now;
  const base = opts.hubBase.replace(/\/+$/, '');
  const abort = new AbortController();
  let stopped = false;
  let timer: unknown;
  let wake: (() => void) | undefined;
  const sleep = (ms: number) =>
    new Promise<void>((done, fail) => {
      if (stopped) return fail(new EnrollmentStoppedError());
      wake = () => fail(new EnrollmentStoppedError());
      timer = timers.setTimeout(() => {
        wake = undefined;
        done();
      }, ms);
    });
  const post = async (path: string, body: unknown) => {
    const res = await fetchFn(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: abort.signal });
    return { status: res.status, body: await res.json().catch(() => null) };
  };

  const run = async (): Promise<DeviceTokenResponse> => {
    let failures = 0;
    for (;;) {
      // 1. A code.
      let grant: DeviceAuthorizationResponse;
      try {
        const r = await post(ENROLL_DEVICE_PATH, { publicKey: opts.publicKeyPem });
        if (r.status !== 200) throw new Error(`hub answered ${r.status}`);
        grant = DeviceAuthorizationResponse.parse(r.body);
        failures = 0;
      } catch (err) {
        if (stopped) throw new EnrollmentStoppedError();
        opts.log?.warn({ err: String(err) }, 'enrollment: cannot get a code from the hub; retrying');
        opts.onState({ state: 'starting', hubUrl: base, retrying: true });
        await sleep(backoffDelay(failures++, { initialMs: 2000, maxMs: 30_000, jitter: 'equal' }, opts.random));
        continue;
      }
      const expiresAt = now() + grant.expires_in * 1000;
      opts.onState({ state: 'code', userCode: grant.user_code, verifyUrl: grant.verification_uri_complete, hubUrl: base, expiresAt, fingerprint: grant.fingerprint, revoked: opts.revoked ?? false });
      opts.log?.info({ fingerprint: grant.fingerprint, expiresIn: grant.expires_in }, 'enrollment: code shown');
      // 2. Poll until approved, refused or expired.
      let interval = grant.interval * 1000;
      for (;;) {
        await sleep(interval);
        let r;
        try {
          r = await post(ENROLL_TOKEN_PATH, { grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: grant.device_code });
        } catch (err) {
          if (stopped) throw new EnrollmentStoppedError();
          // A network blip: keep the code on screen and keep polling (RFC §3.5: back off).
          opts.log?.warn({ err: String(err) }, 'enrollment: poll failed');
          if (now() >= expiresAt) break;
          continue;
        }
        if (r.status === 200) return DeviceTokenResponse.parse(r.body);
        const refusal = TokenRefusal.safeParse(r.body);
        const error = refusal.success ? refusal.data.error : 'invalid_grant';
        if (error === 'authorization_pending') continue;
        if (error === 'slow_down') {
          interval += 5000;
          continue;
        }
        // expired_token, access_denied, invalid_grant: a new code.
        opts.log?.info({ error }, 'enrollment: code ended without approval; asking for a new one');
        break;
      }
    }
  };

  return {
    result: run(),
    stop() {
      if (stopped) return;
      stopped = true;
      if (timer !== undefined) timers.clearTimeout(timer);
      abort.abort();
      wake?.();
    },
  };
}

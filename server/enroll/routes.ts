// HTTP side of enrollment and revocation. The booth's two routes are public (RFC 8628: the device
// code is the request's credential); approving, refusing and revoking need a technician (or an
// administrator). Wrong user codes count as guesses: per address and hub-wide, so a code cannot be
// found by trying (20^8 codes, a few hundred guesses a quarter-hour at most).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  DeviceAuthorizationRequest, DeviceTokenRequest, ENROLL_CONSOLE_PATH, ENROLL_DEVICE_PATH, ENROLL_TOKEN_PATH, EnrollApproveRequest,
  formatUserCode, normalizeUserCode, type DeviceAuthorizationResponse, type DeviceTokenResponse,
} from '../../common/enroll';
import { parseFrame } from '../../common/protocol';
import type { Role } from '../../common/roles';
import { HubError } from '../errors';
import { FailureThrottle } from '../ratelimit';
import type { RequireRole } from '../roles';
import { DeviceTokenRefusal, type EnrollStore } from './store';

/** Who may enroll, refuse and revoke booths. */
export const ENROLL_ROLES: readonly Role[] = ['technician'];

/** Guess limits (failures per window) and code-request limits. */
export interface EnrollLimits {
  /** Wrong codes per address per window; default 10. */
  perAddress: number;
  /** Wrong codes hub-wide per window; default 200. */
  global: number;
  /** Code requests per address per window (a booth asks one per 10 min); default 30. */
  requestsPerAddress: number;
  /** Codes waiting at once, hub-wide; default 5 000. */
  maxPending: number;
  /** Window (ms); default 15 min. */
  windowMs: number;
}
export const DEFAULT_ENROLL_LIMITS: EnrollLimits = { perAddress: 10, global: 200, requestsPerAddress: 30, maxPending: 5000, windowMs: 15 * 60_000 };

/** Counts wrong user codes per address and hub-wide; `blocked` before any lookup. */
export class GuessGuard {
  private readonly perAddress: FailureThrottle;
  private readonly global: FailureThrottle;
  constructor(limits: EnrollLimits, now: () => number) {
    this.perAddress = new FailureThrottle(limits.perAddress, limits.windowMs, now);
    this.global = new FailureThrottle(limits.global, limits.windowMs, now);
  }
  /** True while this address, or the hub as a whole, has used up its wrong guesses. */
  blocked(address: string): boolean {
    return this.perAddress.blocked(address) || this.global.blocked('*');
  }
  /** Records one wrong code. */
  fail(address: string): void {
    this.perAddress.fail(address);
    this.global.fail('*');
  }
}

export interface EnrollRouteDeps {
  enroll: EnrollStore;
  requireRole: RequireRole;
  now: () => number;
  /** Closes a booth's socket with 4403 `revoked` (it goes back to its enrollment screen). */
  disconnectKiosk: (kioskId: string) => void;
  /** Base URL shown in the QR code (default: the URL the booth called). */
  publicUrl?: string;
  limits?: Partial<EnrollLimits>;
  /** Configuration handed to a new booth with its identity (the config store's, when there is one). */
  initialConfig?: (kioskId: string) => Record<string, unknown> | undefined;
}

export function registerEnrollRoutes(app: FastifyInstance, deps: EnrollRouteDeps): void {
  const limits = { ...DEFAULT_ENROLL_LIMITS, ...deps.limits };
  const guesses = new GuessGuard(limits, deps.now);
  const requests = new FailureThrottle(limits.requestsPerAddress, limits.windowMs, deps.now);
  const base = (req: FastifyRequest) => (deps.publicUrl ?? `${req.protocol}://${req.headers.host ?? 'localhost'}`).replace(/\/+$/, '');
  const bad = (reply: FastifyReply, message: string) => reply.code(400).send({ code: 'invalid_message', message });

  app.post(ENROLL_DEVICE_PATH, async (req, reply) => {
    const parsed = parseFrame(DeviceAuthorizationRequest, req.body);
    if (!parsed.ok) return bad(reply, parsed.error);
    if (requests.blocked(req.ip) || deps.enroll.pendingCount() >= limits.maxPending) {
      return reply.code(429).send({ code: 'rate_limited', message: 'too many enrollment requests; try again later' });
    }
    requests.fail(req.ip);
    let r;
    try {
      r = deps.enroll.create(parsed.value.publicKey, req.ip);
    } catch (err) {
      if (err instanceof HubError) return reply.code(err.code === 'rate_limited' ? 429 : 400).send({ code: err.code, message: err.message });
      throw err;
    }
    const shown = formatUserCode(r.userCode);
    req.log.info({ fingerprint: r.fingerprint, address: req.ip }, 'enroll: code issued');
    const body: DeviceAuthorizationResponse = {
      device_code: r.deviceCode,
      user_code: shown,
      verification_uri: `${base(req)}${ENROLL_CONSOLE_PATH}`,
      verification_uri_complete: `${base(req)}${ENROLL_CONSOLE_PATH}?code=${shown}`,
      expires_in: r.expiresIn,
      interval: r.interval,
      fingerprint: r.fingerprint,
    };
    return reply.header('cache-control', 'no-store').send(body);
  });

  app.post(ENROLL_TOKEN_PATH, async (req, reply) => {
    const parsed = parseFrame(DeviceTokenRequest, req.body);
    if (!parsed.ok) return bad(reply, parsed.error);
    reply.header('cache-control', 'no-store');
    try {
      const id = deps.enroll.poll(parsed.value.device_code);
      req.log.info({ kioskId: id.kioskId }, 'enroll: booth took its identity');
      const config = deps.initialConfig?.(id.kioskId);
      const body: DeviceTokenResponse = { ...id, ...(config ? { config } : {}) };
      return body;
    } catch (err) {
      if (err instanceof DeviceTokenRefusal) return reply.code(400).send({ error: err.error, code: err.error, message: err.message });
      throw err;
    }
  });

  /** The code from a path or body, counted as a guess when it names no waiting request. */
  async function waitingCode(req: FastifyRequest, reply: FastifyReply, raw: string): Promise<string | null> {
    if (guesses.blocked(req.ip)) {
      await reply.code(429).send({ code: 'rate_limited', message: 'too many wrong codes; wait a quarter of an hour' });
      return null;
    }
    const code = normalizeUserCode(raw);
    if (!code || !deps.enroll.lookup(code)) {
      guesses.fail(req.ip);
      req.log.warn({ address: req.ip }, 'enroll: wrong or expired code');
      await reply.code(404).send({ code: 'not_found', message: 'no booth is waiting with this code (expired, used or mistyped)' });
      return null;
    }
    return code;
  }

  app.get<{ Params: { code: string } }>('/api/enroll/requests/:code', async (req, reply) => {
    if (!(await deps.requireRole(req, reply, ENROLL_ROLES))) return reply;
    const code = await waitingCode(req, reply, req.params.code);
    if (!code) return reply;
    return { ...deps.enroll.lookup(code)!, userCode: formatUserCode(code) };
  });

  app.post('/api/enroll/approve', async (req, reply) => {
    const who = await deps.requireRole(req, reply, ENROLL_ROLES);
    if (!who) return reply;
    const parsed = parseFrame(EnrollApproveRequest, req.body);
    if (!parsed.ok) return bad(reply, parsed.error);
    const code = await waitingCode(req, reply, parsed.value.userCode);
    if (!code) return reply;
    try {
      const { userCode: _c, ...input } = parsed.value;
      const r = deps.enroll.approve(code, input, `agent:${who.username}`);
      req.log.info({ actor: who.username, kioskId: r.kioskId, reenrolled: r.reenrolled }, 'enroll: booth approved');
      return r;
    } catch (err) {
      if (err instanceof HubError) return reply.code(err.code === 'conflict' ? 409 : err.code === 'not_found' ? 404 : 400).send({ code: err.code, message: err.message });
      throw err;
    }
  });

  app.post('/api/enroll/deny', async (req, reply) => {
    const who = await deps.requireRole(req, reply, ENROLL_ROLES);
    if (!who) return reply;
    const parsed = parseFrame(EnrollApproveRequest.pick({ userCode: true }), req.body);
    if (!parsed.ok) return bad(reply, parsed.error);
    const code = await waitingCode(req, reply, parsed.value.userCode);
    if (!code) return reply;
    deps.enroll.deny(code, `agent:${who.username}`);
    req.log.info({ actor: who.username }, 'enroll: code refused');
    return { ok: true };
  });

  app.post<{ Params: { kioskId: string } }>('/api/kiosks/:kioskId/revoke', async (req, reply) => {
    const who = await deps.requireRole(req, reply, ENROLL_ROLES);
    if (!who) return reply;
    if (!deps.enroll.revoke(req.params.kioskId)) return reply.code(404).send({ code: 'not_found', message: 'no such booth' });
    deps.disconnectKiosk(req.params.kioskId);
    req.log.warn({ actor: who.username, kioskId: req.params.kioskId }, 'enroll: booth revoked');
    return { kioskId: req.params.kioskId, revokedAt: deps.now() };
  });
}

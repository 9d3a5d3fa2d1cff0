import { randomUUID, createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { Language } from '../common/config';
import type { AgentRecord, HubStore, KioskRecord } from './db/store';
import { burnVerification, generatePassword, generateSecret, hashSecret, verifySecret } from './auth/secrets';
import { ConflictError, HubError } from './errors';

const Username = z.string().regex(/^[A-Za-z0-9_.@-]{1,64}$/, 'username: 1–64 letters, digits, _ . @ -');
const KioskIdSchema = z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'kiosk id: 1–64 letters, digits, _ . : -');

/** What createAgent needs; the password is generated when omitted. */
export interface NewAgent {
  /** Login name (unique, case-insensitive). */
  username: string;
  /** Name shown to citizens and in the console. */
  displayName: string;
  /** Initial password (at least 8 chars); generated when omitted. */
  password?: string;
  /** Services the agent answers (service ids); omitted = all. */
  services?: string[];
  /** Languages the agent answers; omitted = all. */
  languages?: Language[];
}

/** Creates an agent account; returns the record and the clear password (shown once, never stored). */
export async function createAgent(store: HubStore, input: NewAgent, now: () => number = Date.now): Promise<{ agent: AgentRecord; password: string }> {
  const username = parseOrThrow(Username, input.username);
  const displayName = input.displayName.trim();
  if (displayName.length === 0 || displayName.length > 80) throw new HubError('invalid_message', 'display name: 1–80 characters');
  const password = input.password ?? generatePassword();
  if (password.length < 8 || password.length > 256) throw new HubError('invalid_message', 'password: 8–256 characters');
  if (input.languages) input.languages.forEach((l) => parseOrThrow(Language, l));
  if (store.agentByUsername(username)) throw new ConflictError(`agent ${username} already exists`);
  const agent: AgentRecord = {
    id: randomUUID(), username, displayName, passwordHash: await hashSecret(password),
    services: input.services?.length ? input.services : null, languages: input.languages?.length ? input.languages : null,
    disabled: false, createdAt: now(),
  };
  store.insertAgent(agent);
  return { agent, password };
}

/** What createKiosk needs. */
export interface NewKiosk {
  /** Stable kiosk id (letters, digits, _ . : -). */
  kioskId: string;
  /** Name shown to agents. */
  name: string;
  /** Office shown to agents. */
  office: string;
}

/** Registers a kiosk; returns the record and its generated secret (shown once, never stored). */
export async function createKiosk(store: HubStore, input: NewKiosk, now: () => number = Date.now): Promise<{ kiosk: KioskRecord; secret: string }> {
  const kioskId = parseOrThrow(KioskIdSchema, input.kioskId);
  const name = input.name.trim();
  const office = input.office.trim();
  if (!name || !office || name.length > 120 || office.length > 160) throw new HubError('invalid_message', 'kiosk name and office are required');
  if (store.kiosk(kioskId)) throw new ConflictError(`kiosk ${kioskId} already exists`);
  const secret = generateSecret();
  const kiosk: KioskRecord = { kioskId, name, office, secretHash: await hashSecret(secret), disabled: false, createdAt: now() };
  store.insertKiosk(kiosk);
  return { kiosk, secret };
}

/** Checks a username/password; null on any failure (unknown, disabled, wrong password), in similar time. */
export async function verifyAgentPassword(store: HubStore, username: string, password: string): Promise<AgentRecord | null> {
  const agent = store.agentByUsername(username);
  if (!agent) {
    await burnVerification(password);
    return null;
  }
  const good = await verifySecret(password, agent.passwordHash);
  return good && !agent.disabled ? agent : null;
}

/**
 * Verifies kiosk credentials. scrypt costs tens of ms, and HTTP ingest checks every request, so a
 * successful check is remembered for a few minutes as a SHA-256 of the secret (the secrets are
 * random 192-bit values, so a fast hash in memory is not a weakness).
 */
export class KioskVerifier {
  private readonly cache = new Map<string, { digest: Buffer; until: number }>();

  constructor(
    private readonly store: HubStore,
    private readonly now: () => number = Date.now,
    private readonly cacheMs = 5 * 60_000,
  ) {}

  /** The kiosk record when `secret` is right and the kiosk enabled; null otherwise. */
  async verify(kioskId: string, secret: string): Promise<KioskRecord | null> {
    const kiosk = this.store.kiosk(kioskId);
    if (!kiosk) {
      await burnVerification(secret);
      return null;
    }
    if (kiosk.disabled) return null;
    const digest = createHash('sha256').update(secret).digest();
    const hit = this.cache.get(kioskId);
    if (hit && hit.until > this.now() && timingSafeEqual(hit.digest, digest)) return kiosk;
    if (!(await verifySecret(secret, kiosk.secretHash))) return null;
    this.cache.set(kioskId, { digest, until: this.now() + this.cacheMs });
    return kiosk;
  }

  /** Authenticates an HTTP request header `Authorization: Kiosk <kioskId>:<secret>`. */
  async verifyHeader(header: string | undefined): Promise<KioskRecord | null> {
    const creds = parseKioskAuthorization(header);
    return creds ? this.verify(creds.kioskId, creds.secret) : null;
  }
}

/** Splits `Kiosk <kioskId>:<secret>` at the last ':' (ids may contain ':', generated secrets are base64url and never do). */
export function parseKioskAuthorization(header: string | undefined): { kioskId: string; secret: string } | null {
  if (typeof header !== 'string' || header.length > 512) return null;
  const m = /^Kiosk\s+(\S+)$/i.exec(header.trim());
  if (!m?.[1]) return null;
  const cut = m[1].lastIndexOf(':');
  if (cut <= 0 || cut === m[1].length - 1) return null;
  const kioskId = m[1].slice(0, cut);
  const secret = m[1].slice(cut + 1);
  return KioskIdSchema.safeParse(kioskId).success ? { kioskId, secret } : null;
}

function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new HubError('invalid_message', r.error.issues.map((i) => i.message).join('; '));
  return r.data;
}

import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { Language } from '../common/config';
import { Role } from '../common/roles';
import type { AgentRecord, HubStore, KioskRecord } from './db/store';
import { burnVerification, generatePassword, generateSecret, hashSecret, verifySecret } from './auth/secrets';
import { ConflictError, HubError, NotFoundError } from './errors';
import { kioskAuthMessage } from '../common/protocol';
import { kioskHttpMessage, kioskHttpWindow, parseKioskKeyHeader } from '../common/kiosk-auth';
import { digestMatches, kioskKeyFingerprint, kioskPublicKeyPem, PublicKeyCache, secretDigest, verifyKioskProof, WorkLimiter } from './auth/kiosk-keys';

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
  /** The account's role; default agent. */
  role?: Role;
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
  const role = parseOrThrow(Role, input.role ?? 'agent');
  store.db.transaction(() => {
    store.insertAgent(agent);
    if (role !== 'agent') store.db.prepare('UPDATE agents SET role = ? WHERE id = ?').run(role, agent.id);
  })();
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

/** The kiosk row with its credentials (migration 5 adds the key and the secret memo). */
interface KioskCredentialRow { kiosk_id: string; name: string; office: string; secret_hash: string; disabled: number; created_at: number; public_key: string | null; secret_digest: string | null }

/** `secret_hash` of a kiosk registered with a public key only: never a valid scrypt hash. */
export const NO_SECRET = '!';

/**
 * Verifies kiosk credentials, cheaply: a booth's key-pair proof is one Ed25519 verification; the
 * development secret costs one scrypt the first time only, then a SHA-256 compared with the digest
 * kept in the database (so a hub restart does not make every booth pay scrypt again). scrypt runs
 * on the libuv pool through a limiter (2 at once, 200 waiting, then `rate_limited`), so a flood of
 * secret logins cannot starve agent logins.
 */
export class KioskVerifier {
  private readonly keys = new PublicKeyCache();
  private readonly hashing = new WorkLimiter(2, 200);
  /** The last verified HTTP signature per kiosk: the same header for the rest of its window costs no verification. */
  private readonly httpSeen = new Map<string, string>();
  private readonly q;

  constructor(
    private readonly store: HubStore,
    private readonly now: () => number = Date.now,
  ) {
    this.q = {
      row: store.db.prepare<[string], KioskCredentialRow>('SELECT kiosk_id, name, office, secret_hash, disabled, created_at, public_key, secret_digest FROM kiosks WHERE kiosk_id = ?'),
      memo: store.db.prepare<[string, string]>('UPDATE kiosks SET secret_digest = ? WHERE kiosk_id = ?'),
    };
  }

  /** The kiosk record when `secret` is right and the kiosk enabled; null otherwise (rejects `rate_limited` under a flood). */
  async verify(kioskId: string, secret: string): Promise<KioskRecord | null> {
    // Kiosk ids are printed on the booths, not secrets: an unknown id is refused at once, without
    // burning an scrypt that would only feed a flood.
    const row = this.q.row.get(kioskId);
    if (!row || row.disabled || row.secret_hash === NO_SECRET) return null;
    if (row.secret_digest) return digestMatches(secret, row.secret_digest) ? recordOf(row) : null;
    const good = await this.hashing.run(() => verifySecret(secret, row.secret_hash));
    if (!good) return null;
    this.q.memo.run(secretDigest(secret).toString('base64url'), kioskId);
    return recordOf(row);
  }

  /**
   * The kiosk record when `signature` is its registered key's signature of
   * `kioskAuthMessage(kioskId, host, nonce)` and the kiosk is enabled; null otherwise.
   */
  verifyProof(kioskId: string, host: string, nonce: string, signature: string): KioskRecord | null {
    const row = this.q.row.get(kioskId);
    if (!row || row.disabled || !row.public_key) return null;
    const key = this.keys.get(kioskId, row.public_key);
    if (!key || !verifyKioskProof(key, kioskAuthMessage(kioskId, host, nonce), signature)) return null;
    return recordOf(row);
  }

  private verifyHttpSignature(kioskId: string, window: number, signature: string): KioskRecord | null {
    if (Math.abs(window - kioskHttpWindow(this.now())) > 1) return null;
    const row = this.q.row.get(kioskId);
    if (!row || row.disabled || !row.public_key) return null;
    // The key text is part of the memo: a re-registered key is checked afresh.
    const memo = `${window}:${signature}:${row.public_key}`;
    if (this.httpSeen.get(kioskId) === memo) return recordOf(row);
    const key = this.keys.get(kioskId, row.public_key);
    if (!key || !verifyKioskProof(key, kioskHttpMessage(kioskId, window), signature)) return null;
    this.httpSeen.set(kioskId, memo);
    return recordOf(row);
  }

  /**
   * Authenticates an HTTP `Authorization` header: `KioskKey <kioskId>:<window>:<signature>` (a
   * key-pair booth, common/kiosk-auth.ts) or `Kiosk <kioskId>:<secret>` (development secret).
   */
  async verifyHeader(header: string | undefined): Promise<KioskRecord | null> {
    const signed = parseKioskKeyHeader(header);
    if (signed) return this.verifyHttpSignature(signed.kioskId, signed.window, signed.signature);
    const creds = parseKioskAuthorization(header);
    if (!creds) return null;
    try {
      return await this.verify(creds.kioskId, creds.secret);
    } catch (err) {
      if (err instanceof HubError && err.code === 'rate_limited') return null;
      throw err;
    }
  }
}

function recordOf(r: KioskCredentialRow): KioskRecord {
  return { kioskId: r.kiosk_id, name: r.name, office: r.office, secretHash: r.secret_hash, disabled: r.disabled !== 0, createdAt: r.created_at };
}

/**
 * Registers (or replaces) a booth's public key; the kiosk account is created when absent (with
 * `name` and `office`, default the id). Returns the stored key's fingerprint. The next connection
 * of that booth must prove the new key; a socket already open stays open.
 */
export function registerKioskKey(store: HubStore, input: { kioskId: string; publicKey: string; name?: string; office?: string }, now: () => number = Date.now): { kioskId: string; created: boolean; fingerprint: string } {
  const kioskId = parseOrThrow(KioskIdSchema, input.kioskId);
  const pem = kioskPublicKeyPem(input.publicKey);
  const existing = store.kiosk(kioskId);
  store.db.transaction(() => {
    if (!existing) {
      const name = (input.name ?? kioskId).trim();
      const office = (input.office ?? kioskId).trim();
      if (!name || !office || name.length > 120 || office.length > 160) throw new HubError('invalid_message', 'kiosk name and office: 1–120 / 1–160 characters');
      store.insertKiosk({ kioskId, name, office, secretHash: NO_SECRET, disabled: false, createdAt: now() });
    }
    store.db.prepare('UPDATE kiosks SET public_key = ? WHERE kiosk_id = ?').run(pem, kioskId);
  })();
  return { kioskId, created: !existing, fingerprint: kioskKeyFingerprint(pem) };
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

// ---- account administration (CLI and console) ---------------------------------------------------

/** An account as the console and the CLI list it (never its hash). */
export interface AccountView {
  /** Stable id. */
  id: string;
  /** Login name. */
  username: string;
  /** Name shown to citizens and colleagues. */
  displayName: string;
  /** Role (common/roles.ts). */
  role: Role;
  /** A disabled account cannot sign in; its sockets are closed. */
  disabled: boolean;
  /** Epoch ms. */
  createdAt: number;
}

interface AccountRow { id: string; username: string; display_name: string; role: string; disabled: number; created_at: number }
const accountOf = (r: AccountRow): AccountView => ({
  id: r.id, username: r.username, displayName: r.display_name,
  role: Role.safeParse(r.role).success ? (r.role as Role) : 'agent', disabled: r.disabled !== 0, createdAt: r.created_at,
});

/** Every account, by username. */
export function listAccounts(store: HubStore): AccountView[] {
  return store.db.prepare<[], AccountRow>('SELECT id, username, display_name, role, disabled, created_at FROM agents ORDER BY username').all().map(accountOf);
}

/** One account by id, or undefined (the role check of every request reads it: a change applies at once). */
export function accountById(store: HubStore, id: string): AccountView | undefined {
  const r = store.db.prepare<[string], AccountRow>('SELECT id, username, display_name, role, disabled, created_at FROM agents WHERE id = ?').get(id);
  return r && accountOf(r);
}

/** One account by username, or undefined. */
export function accountByUsername(store: HubStore, username: string): AccountView | undefined {
  const r = store.db.prepare<[string], AccountRow>('SELECT id, username, display_name, role, disabled, created_at FROM agents WHERE username = ?').get(username);
  return r && accountOf(r);
}

function mustExist(store: HubStore, username: string): AccountView {
  const a = accountByUsername(store, username);
  if (!a) throw new NotFoundError(`no account ${username}`);
  return a;
}

/** Changes an account's role; returns the account as it now is. */
export function setAccountRole(store: HubStore, username: string, role: Role): AccountView {
  const r = parseOrThrow(Role, role);
  const a = mustExist(store, username);
  refuseLastAdministrator(store, a, r !== 'administrator' || a.disabled);
  store.db.prepare('UPDATE agents SET role = ?, is_admin = ? WHERE id = ?').run(r, r === 'administrator' ? 1 : 0, a.id);
  return { ...a, role: r };
}

/** Disables or enables an account; returns the account as it now is (the caller closes its sockets). */
export function setAccountDisabled(store: HubStore, username: string, disabled: boolean): AccountView {
  const a = mustExist(store, username);
  refuseLastAdministrator(store, a, disabled);
  store.db.prepare('UPDATE agents SET disabled = ? WHERE id = ?').run(disabled ? 1 : 0, a.id);
  return { ...a, disabled };
}

/** Sets a new password (generated when omitted); returns the clear password, shown once. */
export async function resetAccountPassword(store: HubStore, username: string, password?: string): Promise<{ account: AccountView; password: string }> {
  const a = mustExist(store, username);
  const pw = password ?? generatePassword();
  if (pw.length < 8 || pw.length > 256) throw new HubError('invalid_message', 'password: 8–256 characters');
  store.setAgentPassword(a.id, await hashSecret(pw));
  return { account: a, password: pw };
}

/** The hub must keep one enabled administrator: nobody could manage accounts otherwise. */
function refuseLastAdministrator(store: HubStore, a: AccountView, losing: boolean): void {
  if (!losing || a.role !== 'administrator' || a.disabled) return;
  const others = store.db.prepare<[string], { n: number }>("SELECT COUNT(*) AS n FROM agents WHERE role = 'administrator' AND disabled = 0 AND id <> ?").get(a.id)?.n ?? 0;
  if (others === 0) throw new ConflictError('this is the last enabled administrator; name another one first');
}

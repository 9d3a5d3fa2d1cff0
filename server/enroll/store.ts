// Device-authorization requests (table `enroll_requests`, migration 6) and the booth records they
// become. A device code is returned once and kept only as its SHA-256; a user code is single-use
// (approved → consumed at the booth's next poll) and expires after ten minutes.
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { USER_CODE_ALPHABET, USER_CODE_LENGTH, type DeviceTokenError, type EnrollRequestView } from '../../common/enroll';
import { VisioError } from '../../common/result';
import { NO_SECRET } from '../accounts';
import { kioskKeyFingerprint, kioskPublicKeyPem } from '../auth/kiosk-keys';
import type { HubStore } from '../db/store';
import { ConflictError, HubError, NotFoundError } from '../errors';

/** Tunables; the defaults are RFC 8628's suggestions. */
export interface EnrollTiming {
  /** Code lifetime (s); default 600. */
  expiresInS: number;
  /** Minimum poll interval (s); default 5; `slow_down` adds 5. */
  intervalS: number;
}
export const DEFAULT_ENROLL_TIMING: EnrollTiming = { expiresInS: 600, intervalS: 5 };

/** A poll the RFC answers with an error (HTTP 400 `{ error }`). */
export class DeviceTokenRefusal extends VisioError {
  constructor(readonly error: DeviceTokenError, message: string) {
    super(error, message);
  }
}

interface Row {
  device_hash: string; user_code: string; public_key: string; fingerprint: string; address: string;
  created_at: number; expires_at: number; interval_s: number; last_poll_at: number | null;
  status: 'pending' | 'approved' | 'denied' | 'consumed'; kiosk_id: string | null; decided_by: string | null; decided_at: number | null;
}

const hash = (deviceCode: string) => createHash('sha256').update(deviceCode).digest('base64url');

/** A new user code: uniform over the alphabet (randomInt, no modulo bias). */
export function newUserCode(): string {
  let s = '';
  for (let i = 0; i < USER_CODE_LENGTH; i++) s += USER_CODE_ALPHABET[randomInt(USER_CODE_ALPHABET.length)];
  return s;
}

/** Makes an id from the office and the booth name: `bureau-de-levis-kiosque-1`. */
export function kioskIdFrom(office: string, name: string): string {
  const slug = `${office}-${name}`.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  return (slug || 'kiosk').slice(0, 56).replace(/-+$/, '');
}

export class EnrollStore {
  constructor(
    private readonly store: HubStore,
    private readonly now: () => number,
    private readonly timing: EnrollTiming = DEFAULT_ENROLL_TIMING,
  ) {}

  private get db() {
    return this.store.db;
  }

  /** Starts a request for `publicKey`; returns the device code (given once) and the user code. Throws KioskKeyError on a bad key. */
  create(publicKey: string, address: string): { deviceCode: string; userCode: string; fingerprint: string; expiresIn: number; interval: number } {
    const pem = kioskPublicKeyPem(publicKey);
    const fingerprint = kioskKeyFingerprint(pem);
    this.prune();
    const t = this.now();
    const deviceCode = randomBytes(32).toString('base64url');
    // A collision with a live code is retried; ten in a row would mean the table is full of codes.
    for (let i = 0; i < 10; i++) {
      const userCode = newUserCode();
      const r = this.db.prepare('INSERT OR IGNORE INTO enroll_requests (device_hash, user_code, public_key, fingerprint, address, created_at, expires_at, interval_s) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(hash(deviceCode), userCode, pem, fingerprint, address, t, t + this.timing.expiresInS * 1000, this.timing.intervalS);
      if (r.changes === 1) return { deviceCode, userCode, fingerprint, expiresIn: this.timing.expiresInS, interval: this.timing.intervalS };
    }
    throw new HubError('rate_limited', 'no free enrollment code; try again later');
  }

  /** Requests still waiting (bounds the open codes a flood can leave). */
  pendingCount(): number {
    return this.db.prepare<[number], { n: number }>("SELECT COUNT(*) AS n FROM enroll_requests WHERE status = 'pending' AND expires_at > ?").get(this.now())?.n ?? 0;
  }

  /**
   * The booth's poll: its identity once approved (the code is consumed: a second poll gets
   * `invalid_grant`); otherwise throws DeviceTokenRefusal with the RFC's error.
   */
  poll(deviceCode: string): { kioskId: string; name: string; office: string } {
    const row = this.db.prepare<[string], Row>('SELECT * FROM enroll_requests WHERE device_hash = ?').get(hash(deviceCode));
    if (!row || row.status === 'consumed') throw new DeviceTokenRefusal('invalid_grant', 'unknown or already used device code');
    const t = this.now();
    if (row.status === 'denied') throw new DeviceTokenRefusal('access_denied', 'the technician refused this booth');
    if (row.status === 'pending' && t >= row.expires_at) throw new DeviceTokenRefusal('expired_token', 'the code expired; ask for a new one');
    if (row.status === 'pending') {
      // §3.5: polling faster than the interval → slow_down, and the interval grows by 5 s.
      const tooSoon = row.last_poll_at !== null && t - row.last_poll_at < row.interval_s * 1000;
      this.db.prepare('UPDATE enroll_requests SET last_poll_at = ?, interval_s = ? WHERE device_hash = ?').run(t, tooSoon ? row.interval_s + 5 : row.interval_s, row.device_hash);
      if (tooSoon) throw new DeviceTokenRefusal('slow_down', `poll every ${row.interval_s + 5} s at most`);
      throw new DeviceTokenRefusal('authorization_pending', 'waiting for a technician to approve the code');
    }
    this.db.prepare("UPDATE enroll_requests SET status = 'consumed' WHERE device_hash = ?").run(row.device_hash);
    const k = this.store.kiosk(row.kiosk_id!);
    if (!k) throw new DeviceTokenRefusal('access_denied', 'the booth record is gone');
    return { kioskId: k.kioskId, name: k.name, office: k.office };
  }

  /** A pending, unexpired request by user code (what the technician sees before approving); undefined otherwise. */
  lookup(userCode: string): EnrollRequestView | undefined {
    const row = this.db.prepare<[string], Row>('SELECT * FROM enroll_requests WHERE user_code = ?').get(userCode);
    if (!row || row.status !== 'pending' || this.now() >= row.expires_at) return undefined;
    return { userCode: row.user_code, fingerprint: row.fingerprint, createdAt: row.created_at, expiresAt: row.expires_at, status: row.status };
  }

  /**
   * Approves a pending code: the booth's key is stored under `kioskId` (new, or a revoked booth's
   * id being re-enrolled). Throws NotFoundError for an unknown/expired/used code, ConflictError for
   * an id held by a booth that is not revoked.
   */
  approve(userCode: string, input: { name: string; office: string; kioskId?: string }, actor: string): { kioskId: string; reenrolled: boolean } {
    return this.db.transaction(() => {
      const row = this.db.prepare<[string], Row>('SELECT * FROM enroll_requests WHERE user_code = ?').get(userCode);
      const t = this.now();
      if (!row || row.status !== 'pending' || t >= row.expires_at) throw new NotFoundError('no such code waiting (expired, used or mistyped)');
      let kioskId = input.kioskId;
      let reenrolled = false;
      if (kioskId !== undefined) {
        const existing = this.revokedState(kioskId);
        if (existing === 'active') throw new ConflictError(`booth ${kioskId} is enrolled; revoke it first to enroll a new device under that id`);
        reenrolled = existing === 'revoked';
      } else {
        const base = kioskIdFrom(input.office, input.name);
        kioskId = base;
        for (let n = 2; this.revokedState(kioskId) !== 'none'; n++) kioskId = `${base}-${n}`;
      }
      if (reenrolled) {
        this.db.prepare('UPDATE kiosks SET name = ?, office = ?, public_key = ?, disabled = 0, revoked_at = NULL WHERE kiosk_id = ?').run(input.name, input.office, row.public_key, kioskId);
      } else {
        this.store.insertKiosk({ kioskId, name: input.name, office: input.office, secretHash: NO_SECRET, disabled: false, createdAt: t });
        this.db.prepare('UPDATE kiosks SET public_key = ? WHERE kiosk_id = ?').run(row.public_key, kioskId);
      }
      this.db.prepare("UPDATE enroll_requests SET status = 'approved', kiosk_id = ?, decided_by = ?, decided_at = ? WHERE device_hash = ?").run(kioskId, actor, t, row.device_hash);
      return { kioskId, reenrolled };
    })();
  }

  /** Refuses a pending code (the booth's poll gets `access_denied`). */
  deny(userCode: string, actor: string): void {
    const r = this.db.prepare("UPDATE enroll_requests SET status = 'denied', decided_by = ?, decided_at = ? WHERE user_code = ? AND status = 'pending' AND expires_at > ?").run(actor, this.now(), userCode, this.now());
    if (r.changes !== 1) throw new NotFoundError('no such code waiting');
  }

  /**
   * Revokes a booth: disabled, key cleared, `revoked_at` set. Returns false when there is no such
   * booth. The caller closes its socket (4403); its outbox keeps what it has not delivered.
   */
  revoke(kioskId: string): boolean {
    return this.db.prepare('UPDATE kiosks SET disabled = 1, public_key = NULL, revoked_at = ? WHERE kiosk_id = ?').run(this.now(), kioskId).changes === 1;
  }

  /** Whether an id is free, held by an active booth, or by a revoked one. */
  revokedState(kioskId: string): 'none' | 'active' | 'revoked' {
    const r = this.db.prepare<[string], { revoked_at: number | null }>('SELECT revoked_at FROM kiosks WHERE kiosk_id = ?').get(kioskId);
    return !r ? 'none' : r.revoked_at === null ? 'active' : 'revoked';
  }

  /** Drops requests expired for a day (kept that long so a late poll still hears `expired_token`). */
  prune(): void {
    this.db.prepare('DELETE FROM enroll_requests WHERE expires_at < ?').run(this.now() - 24 * 3600_000);
  }
}

// Fleet health at the hub (device health proofs and outbox figures): kiosks send `kiosk.health` snapshots over their socket;
// the hub keeps the latest per kiosk (one row each, overwritten) plus when it was last seen, and
// lists the fleet for agents and technicians at GET /api/kiosks. Online means "has an
// authenticated socket right now", read from the socket layer, never guessed from timestamps.
import type { FastifyInstance } from 'fastify';
import { KioskHealthSnapshot, type KioskListResponse } from '../common/protocol';
import { Role } from '../common/roles';
import type { RequireRole } from './roles';
import type { HubStore, SqliteDb } from './db/store';
import { listKioskUpdates } from './updates/store';
import { onKioskHealth } from './updates/rollout';


interface HealthRow {
  kiosk_id: string;
  last_seen_at: number;
  connected_at: number | null;
  disconnected_at: number | null;
  health_at: number | null;
  health: string | null;
}

/** What the socket layer tells the health store (HubSockets' optional `kioskHealth` dependency). */
export interface KioskHealthSink {
  /** A kiosk authenticated. */
  connected(kioskId: string, at: number): void;
  /** A kiosk's socket closed. */
  disconnected(kioskId: string, at: number): void;
  /** Any frame from a kiosk (kept in memory; written with the next report or disconnect). */
  seen(kioskId: string, at: number): void;
  /** A validated `kiosk.health` snapshot. */
  report(kioskId: string, health: KioskHealthSnapshot, at: number): void;
}

/** Latest health and presence per kiosk over the hub database. */
export class KioskHealthStore implements KioskHealthSink {
  private readonly q;
  /** Last frame per kiosk: signals arrive in bursts, so only reports and (dis)connections write. */
  private readonly lastSeen = new Map<string, number>();

  /**
   * Presence and reports wait here and are written together, one transaction per `flushMs`: a commit
   * costs an fsync (~4 ms on the dev disk), so 10,000 booths reconnecting after a hub restart would
   * otherwise block the event loop for 40 s. Reports are still written at once (see `report`).
   */
  private pending: (() => void)[] = [];
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly flushMs: number;
  private readonly onError: (err: unknown) => void;

  constructor(
    private readonly db: SqliteDb,
    opts: { flushMs?: number; onError?: (err: unknown) => void } = {},
  ) {
    this.flushMs = opts.flushMs ?? 250;
    this.onError = opts.onError ?? ((err) => process.emitWarning(`kiosk health write failed: ${String(err)}`));
    this.q = {
      connected: db.prepare(
        `INSERT INTO kiosk_health (kiosk_id, last_seen_at, connected_at) VALUES (?, ?, ?)
         ON CONFLICT (kiosk_id) DO UPDATE SET last_seen_at = excluded.last_seen_at, connected_at = excluded.connected_at`,
      ),
      disconnected: db.prepare(
        `INSERT INTO kiosk_health (kiosk_id, last_seen_at, disconnected_at) VALUES (?, ?, ?)
         ON CONFLICT (kiosk_id) DO UPDATE SET last_seen_at = MAX(last_seen_at, excluded.last_seen_at), disconnected_at = excluded.disconnected_at`,
      ),
      report: db.prepare(
        `INSERT INTO kiosk_health (kiosk_id, last_seen_at, health_at, health) VALUES (?, ?, ?, ?)
         ON CONFLICT (kiosk_id) DO UPDATE SET last_seen_at = excluded.last_seen_at, health_at = excluded.health_at, health = excluded.health`,
      ),
      all: db.prepare<[], HealthRow>('SELECT * FROM kiosk_health'),
    };
  }

  connected(kioskId: string, at: number): void {
    this.lastSeen.set(kioskId, at);
    this.later(() => this.q.connected.run(kioskId, at, at));
  }

  disconnected(kioskId: string, at: number): void {
    const seen = this.lastSeen.get(kioskId) ?? at;
    this.lastSeen.delete(kioskId);
    this.later(() => this.q.disconnected.run(kioskId, Math.max(seen, at), at));
  }

  /** Writes what is pending now, in one transaction; each write in its own savepoint so one failure loses only itself. */
  flush(): void {
    if (this.flushTimer !== undefined) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const ops = this.pending;
    this.pending = [];
    if (ops.length === 0 || !this.db.open) return;
    this.db.transaction(() => {
      for (const op of ops) {
        try {
          this.db.transaction(op)();
        } catch (err) {
          this.onError(err);
        }
      }
    })();
  }

  private later(op: () => void): void {
    this.pending.push(op);
    if (this.pending.length >= 1_000) this.flush();
    else if (this.flushTimer === undefined) {
      this.flushTimer = setTimeout(() => this.flush(), this.flushMs);
      this.flushTimer.unref();
    }
  }

  seen(kioskId: string, at: number): void {
    this.lastSeen.set(kioskId, at);
  }

  report(kioskId: string, health: KioskHealthSnapshot, at: number): void {
    this.lastSeen.set(kioskId, at);
    // Written at once (the update routes read the booth's version right after it reports, e.g. when
    // its link comes back), with any pending presence first so the order holds: one transaction.
    this.later(() => {
      this.q.report.run(kioskId, at, at, JSON.stringify(health));
      onKioskHealth(this.db, kioskId, health, at);
    });
    this.flush();
  }

  /** Every kiosk account with its presence and latest health, ordered by kiosk id. */
  list(store: Pick<HubStore, 'listKiosks'>, online: ReadonlySet<string>): KioskListResponse {
    this.flush();
    const rows = new Map(this.q.all.all().map((r) => [r.kiosk_id, r]));
    const updates = new Map(listKioskUpdates(this.db).map((u) => [u.kioskId, u]));
    return {
      kiosks: store.listKiosks().map((k) => {
        const row = rows.get(k.kioskId);
        // A snapshot that no longer validates (older build wrote it) is shown as missing, not as a 500.
        const parsed = row?.health ? KioskHealthSnapshot.safeParse(JSON.parse(row.health)) : null;
        const health = parsed?.success ? parsed.data : null;
        const isOnline = online.has(k.kioskId);
        return {
          kioskId: k.kioskId,
          name: k.name,
          office: k.office,
          disabled: k.disabled,
          online: isOnline,
          lastSeenAt: Math.max(this.lastSeen.get(k.kioskId) ?? 0, row?.last_seen_at ?? 0) || null,
          connectedAt: row?.connected_at ?? null,
          disconnectedAt: row?.disconnected_at ?? null,
          healthAt: health ? (row?.health_at ?? null) : null,
          health,
          version: updates.get(k.kioskId)?.version ?? null,
          update: updates.get(k.kioskId)?.status ?? null,
          ok: isOnline && health !== null && health.ok,
        };
      }),
    };
  }
}

/** GET /api/kiosks (any signed-in role; agents see which booth calls): the fleet with online / last seen / latest health. */
export function registerHealthRoutes(
  app: FastifyInstance,
  deps: { store: Pick<HubStore, 'listKiosks'>; health: KioskHealthStore; online: () => ReadonlySet<string>; requireRole: RequireRole },
): void {
  app.get('/api/kiosks', async (req, reply) => {
    if (!(await deps.requireRole(req, reply, Role.options))) return reply;
    return deps.health.list(deps.store, deps.online());
  });
}

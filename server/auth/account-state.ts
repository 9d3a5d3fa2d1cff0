// Is this account still allowed in? Asked on every authenticated request (HTTP and WebSocket), so a
// disabled or deleted account stops at once instead of when its token expires (8 h).
//
// The answer is cached per account and the cache is dropped on any change to the agents table:
// - changes made by this hub process (console, API) are seen by a TEMP trigger that calls back into
//   JavaScript, whatever code path made them;
// - changes made by another process on the same database (the CLI) are seen through
//   `PRAGMA data_version`, which SQLite bumps when another connection commits: it is read on every
//   check (cheap: no table read) and polled, so open sockets of a disabled account close within a poll.
import type { AgentRecord, HubStore } from '../db/store';
import { UnauthorizedError } from '../errors';

/** Why an account was refused (logged; the client hears "account disabled"). */
export type AccountRefusal = 'disabled' | 'deleted';

/** The account is disabled or gone: its token no longer opens anything. */
export class AccountDisabledError extends UnauthorizedError {
  constructor(readonly reason: AccountRefusal) {
    super('account disabled');
  }
}

export interface AccountStateOptions {
  /** Called (outside any transaction) with the ids of accounts that changed; the hub closes their sockets if disabled. */
  onChange?: (agentIds: string[] | 'all') => void;
  /** How often another process's changes are looked for (ms, default 1 000); 0 = never (tests call poll()). */
  pollMs?: number;
}

let instances = 0;

/** Cached account state, invalidated on change. Create one per hub; `close()` drops its trigger. */
export class AccountState {
  private readonly cache = new Map<string, AgentRecord | null>();
  private dataVersion: number;
  private readonly timer: ReturnType<typeof setInterval> | undefined;
  private readonly fn: string;
  private readonly trigger: string;
  private pending: Set<string> | undefined;

  constructor(
    private readonly store: HubStore,
    private readonly opts: AccountStateOptions = {},
  ) {
    const db = store.db;
    const n = ++instances;
    this.fn = `vg_account_changed_${n}`;
    this.trigger = `vg_account_changed_${n}`;
    db.function(this.fn, { deterministic: false, varargs: false }, (id: unknown) => {
      this.changed(String(id));
      return null;
    });
    // TEMP: lives with this connection only, never written to the database file.
    db.exec(`
      CREATE TEMP TRIGGER ${this.trigger}_u AFTER UPDATE ON main.agents BEGIN SELECT ${this.fn}(OLD.id); END;
      CREATE TEMP TRIGGER ${this.trigger}_d AFTER DELETE ON main.agents BEGIN SELECT ${this.fn}(OLD.id); END;
    `);
    this.dataVersion = this.readDataVersion();
    const pollMs = opts.pollMs ?? 1_000;
    if (pollMs > 0) {
      this.timer = setInterval(() => this.poll(), pollMs);
      this.timer.unref();
    }
  }

  /** The account when it exists and is enabled; throws AccountDisabledError otherwise. */
  assertActive(agentId: string): AgentRecord {
    this.poll();
    let rec = this.cache.get(agentId);
    if (rec === undefined) {
      rec = this.store.agentById(agentId) ?? null;
      this.cache.set(agentId, rec);
      if (this.cache.size > 10_000) this.cache.delete(this.cache.keys().next().value as string);
    }
    if (!rec) throw new AccountDisabledError('deleted');
    if (rec.disabled) throw new AccountDisabledError('disabled');
    return rec;
  }

  /** True when the account may act (no throw). */
  isActive(agentId: string): boolean {
    try {
      this.assertActive(agentId);
      return true;
    } catch (err) {
      if (err instanceof AccountDisabledError) return false;
      throw err;
    }
  }

  /** Looks for another process's commit; on one, forgets everything and reports 'all'. */
  poll(): void {
    const v = this.readDataVersion();
    if (v === this.dataVersion) return;
    this.dataVersion = v;
    this.cache.clear();
    this.opts.onChange?.('all');
  }

  /** Stops polling and drops the trigger. */
  close(): void {
    if (this.timer) clearInterval(this.timer);
    try {
      this.store.db.exec(`DROP TRIGGER IF EXISTS temp.${this.trigger}_u; DROP TRIGGER IF EXISTS temp.${this.trigger}_d;`);
    } catch {
      /* the database is closing already */
    }
  }

  private changed(id: string): void {
    this.cache.delete(id);
    // The trigger runs inside the writer's statement: report after it, once per batch.
    if (this.pending) {
      this.pending.add(id);
      return;
    }
    this.pending = new Set([id]);
    queueMicrotask(() => {
      const ids = [...(this.pending ?? [])];
      this.pending = undefined;
      for (const i of ids) this.cache.delete(i);
      this.opts.onChange?.(ids);
    });
  }

  private readDataVersion(): number {
    return Number(this.store.db.pragma('data_version', { simple: true }));
  }
}

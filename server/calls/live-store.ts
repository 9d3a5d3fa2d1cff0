// Connected calls in the hub's SQLite, so a hub restarted mid-call (crash, upgrade, kill -9) knows
// which calls are still flowing peer to peer and re-attaches their parties when they reconnect
// (Dispatcher.restore). Written at accept, deleted at the end; a few rows at most per agent.
import type { SqliteDb } from '../db/store';
import { CallContext } from '../../common/protocol';
import type { LiveCallRecord, LiveCallSink } from '../dispatcher';

interface Row {
  call_id: string;
  kiosk_id: string;
  agent_id: string;
  agent_name: string;
  context: string;
  requested_at: number;
  accepted_at: number;
}

/** A stored row that no longer reads as a call (hand-edited, older schema): skipped, with the reason. */
export interface SkippedLiveCall {
  /** The row's call id. */
  callId: string;
  /** Why it was not restored. */
  reason: string;
}

export class LiveCallStore implements LiveCallSink {
  constructor(private readonly db: SqliteDb) {}

  saved(call: LiveCallRecord): void {
    this.db
      .prepare(
        `INSERT OR REPLACE INTO live_calls (call_id, kiosk_id, agent_id, agent_name, service, language, context, requested_at, accepted_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(call.callId, call.kioskId, call.agentId, call.agentName, call.context.service, call.context.language, JSON.stringify(call.context), call.requestedAt, call.acceptedAt);
  }

  removed(callId: string): void {
    this.db.prepare('DELETE FROM live_calls WHERE call_id = ?').run(callId);
  }

  /**
   * Every stored call, oldest first. A call whose parties gave up while the hub was down simply runs out
   * its resume window after the restart and is logged as lost; unreadable rows are deleted and reported.
   */
  load(): { calls: LiveCallRecord[]; skipped: SkippedLiveCall[] } {
    const calls: LiveCallRecord[] = [];
    const skipped: SkippedLiveCall[] = [];
    const rows = this.db.prepare<[], Row>('SELECT call_id, kiosk_id, agent_id, agent_name, context, requested_at, accepted_at FROM live_calls ORDER BY accepted_at').all();
    for (const r of rows) {
      let context: CallContext | undefined;
      try {
        const parsed = CallContext.safeParse(JSON.parse(r.context));
        if (parsed.success) context = parsed.data;
      } catch {
        // reported below
      }
      if (!context) {
        skipped.push({ callId: r.call_id, reason: 'unreadable context' });
        this.removed(r.call_id);
        continue;
      }
      calls.push({ callId: r.call_id, kioskId: r.kiosk_id, agentId: r.agent_id, agentName: r.agent_name, context, requestedAt: r.requested_at, acceptedAt: r.accepted_at });
    }
    return { calls, skipped };
  }

  /** How many calls are stored. */
  count(): number {
    return this.db.prepare<[], { n: number }>('SELECT count(*) AS n FROM live_calls').get()!.n;
  }
}

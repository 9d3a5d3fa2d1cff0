import type { Migration, MigratableDb } from '../../../common/db/migrate';

/**
 * Connected calls, so a restarted hub resumes them (server/calls/live-store.ts): a row from the
 * agent's accept to the call's end, whatever ends it. `context` is the CallContext JSON the agent saw.
 */
function up(db: MigratableDb): void {
  db.exec(`
    CREATE TABLE live_calls (
      call_id      TEXT PRIMARY KEY,
      kiosk_id     TEXT NOT NULL,
      agent_id     TEXT NOT NULL,
      agent_name   TEXT NOT NULL,
      service      TEXT NOT NULL,
      language     TEXT NOT NULL,
      context      TEXT NOT NULL,
      requested_at INTEGER NOT NULL,
      accepted_at  INTEGER NOT NULL
    );
  `);
}

export default { version: 7, name: 'live calls', up } satisfies Migration;

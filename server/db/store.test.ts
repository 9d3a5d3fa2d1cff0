import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { DatabaseNewerThanAppError } from '../../common/db/migrate';
import { migrations } from './migrations';
import { HubStore, openHubDb } from './store';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tempFile = () => {
  const d = mkdtempSync(join(tmpdir(), 'vg-hub-db-'));
  dirs.push(d);
  return join(d, 'hub.sqlite');
};

describe('hub database', () => {
  it('migration 1 creates agents, kiosks, calls and settings, and stamps user_version', () => {
    const db = openHubDb(':memory:', migrations.slice(0, 1));
    const tables = db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all().map((r) => r.name);
    expect(tables).toEqual(['agents', 'calls', 'kiosks', 'settings']);
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    db.close();
  });

  it('applies every migration in order on a fresh database', () => {
    const db = openHubDb(':memory:');
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.length);
    db.close();
  });

  it('opens a file database in WAL mode, and reopening it is a no-op', () => {
    const file = tempFile();
    const a = HubStore.open(file);
    expect(a.db.pragma('journal_mode', { simple: true })).toBe('wal');
    a.setSetting('k', 'v');
    a.close();
    const b = HubStore.open(file);
    expect(b.getSetting('k')).toBe('v');
    b.close();
  });

  it('refuses a database written by a newer build', () => {
    const file = tempFile();
    const raw = new Database(file);
    raw.pragma(`user_version = ${migrations.length + 1}`);
    raw.close();
    expect(() => openHubDb(file)).toThrow(DatabaseNewerThanAppError);
  });

  it('keeps the calls log without citizen data', () => {
    const store = HubStore.open(':memory:');
    store.callRequested({ callId: 'c1', kioskId: 'k1', service: 'emploi', language: 'fr', hasAppointment: true, requestedAt: 1000 });
    store.callAccepted('c1', 'agent-1', 4000);
    store.callEnded('c1', { endedAt: 64_000, outcome: 'agent_hangup', waitMs: 3000, durationMs: 60_000 });
    // A second end (e.g. a late socket close) does not overwrite the first.
    store.callEnded('c1', { endedAt: 99_000, outcome: 'peer_lost', waitMs: 1, durationMs: 1 });
    expect(store.call('c1')).toEqual({
      callId: 'c1', kioskId: 'k1', agentId: 'agent-1', service: 'emploi', language: 'fr', hasAppointment: true,
      requestedAt: 1000, acceptedAt: 4000, endedAt: 64_000, outcome: 'agent_hangup', waitMs: 3000, durationMs: 60_000,
    });
    const columns = store.db.prepare<[], { name: string }>("SELECT name FROM pragma_table_info('calls')").all().map((c) => c.name);
    expect(columns).not.toContain('appointment_code');
    store.close();
  });
});

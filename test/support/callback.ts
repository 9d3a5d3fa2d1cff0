// Helpers for the callback-request E2E: the kiosk form driven by its on-screen keys, a
// gate on the bridge's outbox.put (to see what the screen shows before the commit), read-only
// looks into the kiosk outbox and the hub database, and a raw-byte search of the kiosk's files.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Page } from 'playwright-core';
import type { OutboxStats } from '../../common/bridge/outbox';
import type { TimeWindow } from '../../common/outbox';
import type { KioskCore } from '../../main/services/core';

/** The hub database's files (database, WAL, shared memory) in a data directory. */
export const hubDbFiles = (dataDir: string): string[] => ['', '-wal', '-shm'].map((s) => join(dataDir, `hub.sqlite${s}`));

/** The kiosk outbox's files (database, WAL, shared memory) in a data directory. */
export const kioskDbFiles = (dataDir: string): string[] => ['', '-wal', '-shm'].map((s) => join(dataDir, `outbox.sqlite${s}`));

/**
 * Which of `needles` occur in the raw bytes of the kiosk's database files, as UTF-8 or UTF-16
 * (LE and BE): an empty list means none of them is readable there.
 */
export function personalDataIn(dataDir: string, needles: string[], paths: string[] = kioskDbFiles(dataDir)): string[] {
  const files = paths.filter(existsSync).map((p) => ({ p, bytes: readFileSync(p) }));
  const found: string[] = [];
  for (const n of needles) {
    const le = Buffer.from(n, 'utf16le');
    const be = Buffer.from(le).swap16();
    for (const { p, bytes } of files) {
      for (const [enc, pattern] of [['utf8', Buffer.from(n, 'utf8')], ['utf16le', le], ['utf16be', be]] as const) {
        if (bytes.includes(pattern)) found.push(`${n} (${enc}) in ${p}`);
      }
    }
  }
  return found;
}

/** Types with the form's on-screen keyboard (name) and keypad (phone), then picks the time window. */
export async function fillCallbackForm(k: Page, entry: { name: string; phoneDigits: string; window: TimeWindow }): Promise<void> {
  const keyId = (c: string) => (c === ' ' ? 'space' : c === "'" ? 'apostrophe' : c);
  await k.getByTestId('callback-name').click();
  for (const c of entry.name) await k.getByTestId(`callback-key-${keyId(c)}`).click();
  await k.getByTestId('callback-phone').click();
  for (const d of entry.phoneDigits) await k.getByTestId(`callback-key-${d}`).click();
  await k.getByTestId(`callback-window-${entry.window}`).click();
}

/** Outbox figures straight from the kiosk's main services (what the technician screen shows). */
export async function outboxStats(core: KioskCore): Promise<OutboxStats> {
  return core.handlers['outbox.stats']();
}

/** Committed outbox rows of one kind, seen through a separate read-only connection (so only what is committed). */
export function committedRows(dataDir: string, kind: string): { id: string; sealed: boolean }[] {
  const db = new Database(join(dataDir, 'outbox.sqlite'), { readonly: true, fileMustExist: true });
  try {
    return db
      .prepare<[string], { id: string; sealed: number }>('SELECT id, sealed IS NOT NULL AS sealed FROM outbox WHERE kind = ? ORDER BY seq')
      .all(kind)
      .map((r) => ({ id: r.id, sealed: r.sealed === 1 }));
  } finally {
    db.close();
  }
}

/** A callback request as the hub stored it. */
export interface HubCallbackRow {
  id: string;
  kiosk_id: string;
  service: string;
  language: string;
  time_window: string;
  reason: string | null;
  name: string | null;
  phone: string | null;
  status: string;
}

/** The hub's callbacks and how many callback records it ingested (read while the hub runs; its file is in WAL mode). */
export function hubCallbacks(dataDir: string): { callbacks: HubCallbackRow[]; ingested: { id: string }[] } {
  const db = new Database(join(dataDir, 'hub.sqlite'), { fileMustExist: true });
  try {
    return {
      callbacks: db.prepare<[], HubCallbackRow>('SELECT id, kiosk_id, service, language, time_window, reason, name, phone, status FROM callbacks ORDER BY created_at').all(),
      ingested: db.prepare<[], { id: string }>("SELECT id FROM ingest_records WHERE kind = 'callback' ORDER BY seq").all(),
    };
  } finally {
    db.close();
  }
}

/** A hold on the kiosk's `outbox.put` for one record kind: the call reaches main, then waits for `release()`. */
export interface PutGate {
  /** Resolves when a held put has arrived in main (nothing is written yet). */
  arrived: Promise<void>;
  /** Lets the held put through to the real outbox. */
  release(): void;
  /** Puts the original handler back. */
  restore(): void;
}

/** Wraps `core.handlers['outbox.put']` (the handler the bridge dispatches to) so puts of `kind` wait for `release()`. */
export function holdPuts(core: KioskCore, kind: string): PutGate {
  const handlers = core.handlers;
  const original = handlers['outbox.put'];
  let arrive!: () => void;
  let release!: () => void;
  const arrived = new Promise<void>((ok) => (arrive = ok));
  const released = new Promise<void>((ok) => (release = ok));
  handlers['outbox.put'] = async (input) => {
    if (input.kind === kind) {
      arrive();
      await released;
    }
    return original(input);
  };
  return { arrived, release, restore: () => void (handlers['outbox.put'] = original) };
}

/** The sealed (encrypted) personal fields of committed rows of one kind, as stored. */
export function sealedBlobs(dataDir: string, kind: string): Buffer[] {
  const db = new Database(join(dataDir, 'outbox.sqlite'), { readonly: true, fileMustExist: true });
  try {
    return db.prepare<[string], { sealed: Buffer }>('SELECT sealed FROM outbox WHERE kind = ? AND sealed IS NOT NULL ORDER BY seq').all(kind).map((r) => r.sealed);
  } finally {
    db.close();
  }
}

/** Which of the kiosk's database files contain `bytes` (e.g. a sealed blob that should have been purged). */
export function filesHolding(dataDir: string, bytes: Buffer): string[] {
  return kioskDbFiles(dataDir).filter((p) => existsSync(p) && readFileSync(p).includes(bytes));
}

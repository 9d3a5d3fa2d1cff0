// Booth configuration kept at the hub, per office with per-booth overrides, versioned. A booth's
// public config is: its own file (provisioning), then its office's document, then its own document
// (objects merge key by key; arrays and values replace). Documents are validated by the booth's own
// schema (common/config.ts KioskPublicConfig): a bad value is refused with the field named, and
// nothing is written. Every change is a new version (who, when, the diff); a rollback is a new
// version carrying an older document.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { KioskPublicConfig } from '../../common/config';
import type { SqliteDb } from '../db/store';
import { HubError, NotFoundError } from '../errors';

/** What the hub may set: every public field but the booth's local simulation switch. */
export const ManagedConfig = KioskPublicConfig.omit({ simulation: true }).partial().strict();
export type ManagedConfig = z.infer<typeof ManagedConfig>;
/** A config document as stored (the fields a scope sets, as given). */
export type ConfigDoc = Record<string, unknown>;

/** `office:<office>` or `kiosk:<kioskId>`. */
export const ConfigScope = z.string().regex(/^(office:.{1,160}|kiosk:[A-Za-z0-9_.:-]{1,64})$/, 'scope: office:<office name> or kiosk:<kiosk id>');

/** A document was refused: `field` names the first bad one (dotted path), `issues` all of them. */
export class ConfigInvalidError extends HubError {
  constructor(
    readonly field: string,
    readonly issues: string[],
  ) {
    super('invalid_message', issues.join('; '));
  }
}

/** One change to one field. */
export interface ConfigChange {
  /** Dotted path (`timers.idleMs`, `services`). */
  path: string;
  /** Value before (undefined when newly set). */
  from?: unknown;
  /** Value after (undefined when removed). */
  to?: unknown;
}

/** One version of a scope's document. */
export interface ConfigVersion {
  scope: string;
  version: number;
  doc: ConfigDoc;
  author: string;
  /** Hub clock (epoch ms). */
  at: number;
  diff: ConfigChange[];
  comment: string | null;
  /** The version this one restored, for a rollback. */
  rollbackOf: number | null;
}

/** What a booth is sent: the merged hub document and its version (a content hash; '' = the hub sets nothing). */
export interface EffectiveConfig {
  version: string;
  config: ConfigDoc;
  /** The scope versions it was built from (for people; the booth compares `version`). */
  from: { office: number; kiosk: number };
}

interface Row { scope: string; version: number; doc: string; author: string; at: number; diff: string; comment: string | null; rollback_of: number | null }

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Objects merge key by key; anything else (arrays included) replaces. */
export function mergeConfig(base: ConfigDoc, over: ConfigDoc): ConfigDoc {
  const out: ConfigDoc = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = isPlainObject(v) && isPlainObject(out[k]) ? mergeConfig(out[k] as ConfigDoc, v) : v;
  return out;
}

/** JSON with sorted keys: equal documents hash equal. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (isPlainObject(v)) return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k])}`).join(',')}}`;
  return JSON.stringify(v);
}

/** The version a booth compares: '' for an empty document, else 16 hex digits of its SHA-256. */
export function configVersionOf(doc: ConfigDoc): string {
  return Object.keys(doc).length === 0 ? '' : createHash('sha256').update(canonicalJson(doc)).digest('hex').slice(0, 16);
}

/** Leaf changes between two documents (arrays compared whole). */
export function diffConfig(before: ConfigDoc, after: ConfigDoc, prefix = ''): ConfigChange[] {
  const out: ConfigChange[] = [];
  for (const k of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
    const a = before[k];
    const b = after[k];
    const path = prefix ? `${prefix}.${k}` : k;
    if (isPlainObject(a) && isPlainObject(b)) out.push(...diffConfig(a, b, path));
    else if (canonicalJson(a) !== canonicalJson(b)) out.push({ path, ...(a !== undefined ? { from: a } : {}), ...(b !== undefined ? { to: b } : {}) });
  }
  return out;
}

/**
 * Validates a document: the schema's own checks, then any field the schema does not know (zod drops
 * unknown nested keys silently; a typo like `timers.idleMS` must be refused, not ignored).
 */
export function validateDoc(doc: unknown): ConfigDoc {
  if (!isPlainObject(doc)) throw new ConfigInvalidError('(root)', ['(root): expected an object']);
  const r = ManagedConfig.safeParse(doc);
  if (!r.success) {
    const issues = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new ConfigInvalidError(r.error.issues[0]?.path.join('.') || '(root)', issues);
  }
  const unknown = unknownKeys(doc, r.data);
  if (unknown.length) throw new ConfigInvalidError(unknown[0]!, unknown.map((p) => `${p}: unknown field`));
  return doc;
}

function unknownKeys(raw: unknown, parsed: unknown, prefix = ''): string[] {
  if (Array.isArray(raw) && Array.isArray(parsed)) return raw.flatMap((v, i) => unknownKeys(v, parsed[i], `${prefix}.${i}`));
  if (!isPlainObject(raw) || !isPlainObject(parsed)) return [];
  return Object.keys(raw).flatMap((k) => {
    const path = prefix ? `${prefix}.${k}` : k;
    return k in parsed ? unknownKeys(raw[k], parsed[k], path) : [path];
  });
}

/** The versioned store (one per hub; reads and writes the hub's SQLite). */
export class ConfigStore {
  private readonly q;

  constructor(
    private readonly db: SqliteDb,
    private readonly now: () => number = Date.now,
  ) {
    this.q = {
      latest: db.prepare<[string], Row>('SELECT * FROM config_versions WHERE scope = ? ORDER BY version DESC LIMIT 1'),
      one: db.prepare<[string, number], Row>('SELECT * FROM config_versions WHERE scope = ? AND version = ?'),
      history: db.prepare<[string, number], Row>('SELECT * FROM config_versions WHERE scope = ? ORDER BY version DESC LIMIT ?'),
      insert: db.prepare('INSERT INTO config_versions (scope, version, doc, author, at, diff, comment, rollback_of) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
      kiosk: db.prepare<[string], { kiosk_id: string; office: string }>('SELECT kiosk_id, office FROM kiosks WHERE kiosk_id = ?'),
      officeKiosks: db.prepare<[string], { kiosk_id: string }>('SELECT kiosk_id FROM kiosks WHERE office = ?'),
      maxRowid: db.prepare<[], { n: number | null }>('SELECT MAX(rowid) AS n FROM config_versions'),
      changedSince: db.prepare<[number], { scope: string }>('SELECT DISTINCT scope FROM config_versions WHERE rowid > ?'),
      overridden: db.prepare<[], { scope: string }>("SELECT DISTINCT scope FROM config_versions WHERE scope LIKE 'kiosk:%'"),
    };
  }

  /** The current document of a scope (version 0 and {} when never set). */
  current(scope: string): ConfigVersion {
    const row = this.q.latest.get(ConfigScope.parse(scope));
    return row ? fromRow(row) : { scope, version: 0, doc: {}, author: '', at: 0, diff: [], comment: null, rollbackOf: null };
  }

  /** Versions of a scope, newest first. */
  history(scope: string, limit = 100): ConfigVersion[] {
    return this.q.history.all(ConfigScope.parse(scope), limit).map(fromRow);
  }

  /**
   * Replaces a scope's document after validating it, alone and merged for every booth it reaches
   * (an office's document with each booth's overrides). `baseVersion`, when given, must be the current
   * version (two people editing at once: the second is told, not silently overwritten).
   */
  set(scope: string, doc: unknown, author: string, opts: { comment?: string; baseVersion?: number; rollbackOf?: number } = {}): ConfigVersion {
    const s = parseScope(scope);
    const valid = validateDoc(doc);
    return this.db.transaction(() => {
      const cur = this.current(s);
      if (opts.baseVersion !== undefined && opts.baseVersion !== cur.version) throw new HubError('conflict', `${s} is at version ${cur.version}, not ${opts.baseVersion}; reload and try again`);
      this.checkMerged(s, valid);
      const next: ConfigVersion = {
        scope: s, version: cur.version + 1, doc: valid, author, at: this.now(), diff: diffConfig(cur.doc, valid),
        comment: opts.comment?.slice(0, 500) ?? null, rollbackOf: opts.rollbackOf ?? null,
      };
      this.q.insert.run(s, next.version, JSON.stringify(valid), author, next.at, JSON.stringify(next.diff), next.comment, next.rollbackOf);
      return next;
    })();
  }

  /** Sets a scope back to an older version's document (as a new version). */
  rollback(scope: string, version: number, author: string, comment?: string): ConfigVersion {
    const s = parseScope(scope);
    const old = this.q.one.get(s, version);
    if (!old) throw new NotFoundError(`${s} has no version ${version}`);
    return this.set(s, JSON.parse(old.doc) as ConfigDoc, author, { rollbackOf: version, comment: comment ?? `rollback to version ${version}` });
  }

  /** The hub document a booth gets (its office's merged with its own), or null for an unknown booth. */
  effective(kioskId: string): EffectiveConfig | null {
    const k = this.q.kiosk.get(kioskId);
    if (!k) return null;
    return this.effectiveFor(kioskId, k.office);
  }

  /** Same, when the office is known already (at the booth's connection). */
  effectiveFor(kioskId: string, office: string): EffectiveConfig {
    const o = this.current(`office:${office}`);
    const b = this.current(`kiosk:${kioskId}`);
    const config = mergeConfig(o.doc, b.doc);
    return { version: configVersionOf(config), config, from: { office: o.version, kiosk: b.version } };
  }

  /**
   * What every booth `scope` reaches gets: an office's document is merged once and shared by its booths
   * without overrides of their own (an office of 500 booths costs one hash, not 500).
   */
  effectiveForScope(scope: string): { kioskId: string; effective: EffectiveConfig }[] {
    const s = parseScope(scope);
    if (s.startsWith('kiosk:')) {
      const eff = this.effective(s.slice(6));
      return eff ? [{ kioskId: s.slice(6), effective: eff }] : [];
    }
    const office = this.current(s);
    const shared: EffectiveConfig = { version: configVersionOf(office.doc), config: office.doc, from: { office: office.version, kiosk: 0 } };
    const own = this.overriddenKiosks();
    return this.kioskIdsOf(s).map((kioskId) => ({ kioskId, effective: own.has(kioskId) ? this.effectiveFor(kioskId, s.slice(7)) : shared }));
  }

  /** Booths a scope reaches (an office's, or the one booth). */
  kioskIdsOf(scope: string): string[] {
    const s = parseScope(scope);
    if (s.startsWith('kiosk:')) return [s.slice(6)];
    return this.q.officeKiosks.all(s.slice(7)).map((r) => r.kiosk_id);
  }

  /** The newest row id (a cursor for `changedSince`, which finds versions written by another process). */
  cursor(): number {
    return this.q.maxRowid.get()?.n ?? 0;
  }

  /** Scopes with a version newer than `cursor`. */
  changedSince(cursor: number): string[] {
    return this.q.changedSince.all(cursor).map((r) => r.scope);
  }

  /** Booths that have (or had) a document of their own. */
  private overriddenKiosks(): Set<string> {
    return new Set(this.q.overridden.all().map((r) => r.scope.slice(6)));
  }

  private checkMerged(scope: string, doc: ConfigDoc): void {
    const check = (merged: ConfigDoc, where: string) => {
      const r = KioskPublicConfig.safeParse(merged);
      if (!r.success) {
        const issues = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}${where}`);
        throw new ConfigInvalidError(r.error.issues[0]?.path.join('.') || '(root)', issues);
      }
    };
    if (scope.startsWith('office:')) {
      check(doc, '');
      // Booths without a document of their own get exactly the office's, checked above.
      const own = this.overriddenKiosks();
      for (const id of this.kioskIdsOf(scope)) if (own.has(id)) check(mergeConfig(doc, this.current(`kiosk:${id}`).doc), ` (with booth ${id}'s overrides)`);
    } else {
      const k = this.q.kiosk.get(scope.slice(6));
      check(mergeConfig(k ? this.current(`office:${k.office}`).doc : {}, doc), '');
    }
  }
}

function parseScope(scope: string): string {
  const r = ConfigScope.safeParse(scope);
  if (!r.success) throw new ConfigInvalidError('scope', [r.error.issues[0]?.message ?? 'bad scope']);
  return r.data;
}

function fromRow(r: Row): ConfigVersion {
  return {
    scope: r.scope, version: r.version, doc: JSON.parse(r.doc) as ConfigDoc, author: r.author, at: r.at,
    diff: JSON.parse(r.diff) as ConfigChange[], comment: r.comment, rollbackOf: r.rollback_of,
  };
}

// `config …` commands of the hub CLI (server/cli.ts). They write the hub's database directly; a
// running hub finds the new version within a second and pushes it to the booths it reaches.
import { readFileSync } from 'node:fs';
import type { SqliteDb } from '../db/store';
import { ConfigStore, type ConfigDoc, type ConfigVersion } from './store';

export const CONFIG_USAGE = `  config show <scope>                       current document (scope: office:<office> or kiosk:<kioskId>)
  config effective <kioskId>                what that booth gets (its office's document with its own on top)
  config set <scope> <path>=<json> …        change fields (e.g. timers.idleMs=90000 tollFree='"1 800 …"');
             [--file doc.json] [--unset a.b,c] [--comment C] [--author A]
                                            --file replaces the whole document; refused with the field named if invalid
  config history <scope>                    versions, newest first: who, when, what changed
  config rollback <scope> <version> [--comment C] [--author A]`;

/** Runs one `config` subcommand; `usage` throws the CLI's usage error. */
export function runConfigCommand(args: string[], deps: { db: SqliteDb; flags: Record<string, string | undefined>; out: (line: string) => void; usage: (message: string) => never; author?: string }): number {
  const { flags, out, usage } = deps;
  const store = new ConfigStore(deps.db);
  const author = flags.author ?? deps.author ?? `cli:${process.env.USER ?? 'unknown'}`;
  const [sub, scope, ...rest] = args;
  switch (sub) {
    case 'show': {
      if (!scope) return usage('config show needs <scope>');
      const v = store.current(scope);
      out(JSON.stringify({ scope: v.scope, version: v.version, author: v.author, at: v.at ? new Date(v.at).toISOString() : null, config: v.doc }, null, 2));
      return 0;
    }
    case 'effective': {
      if (!scope) return usage('config effective needs <kioskId>');
      const eff = store.effective(scope);
      if (!eff) return usage(`no kiosk ${scope}`);
      out(JSON.stringify(eff, null, 2));
      return 0;
    }
    case 'set': {
      if (!scope || (rest.length === 0 && flags.file === undefined && flags.unset === undefined)) return usage('config set needs <scope> and <path>=<json> pairs, --file or --unset');
      let doc: ConfigDoc = flags.file !== undefined ? (JSON.parse(readFileSync(flags.file, 'utf8')) as ConfigDoc) : structuredClone(store.current(scope).doc);
      for (const path of (flags.unset ?? '').split(',').filter(Boolean)) doc = unsetPath(doc, path.split('.'));
      for (const pair of rest) {
        const eq = pair.indexOf('=');
        if (eq <= 0) return usage(`expected <path>=<json>, got ${pair}`);
        const raw = pair.slice(eq + 1);
        let value: unknown;
        try {
          value = JSON.parse(raw);
        } catch {
          // A bare word is a string: tollFree=1-800-… reads as intended.
          value = raw;
        }
        doc = setPath(doc, pair.slice(0, eq).split('.'), value);
      }
      const v = store.set(scope, doc, author, flags.comment !== undefined ? { comment: flags.comment } : {});
      out(`${v.scope} version ${v.version} by ${v.author}`);
      for (const line of describeDiff(v)) out(`  ${line}`);
      return 0;
    }
    case 'history': {
      if (!scope) return usage('config history needs <scope>');
      for (const v of store.history(scope)) {
        out(`v${v.version}  ${new Date(v.at).toISOString()}  ${v.author}${v.rollbackOf !== null ? `  (rollback to v${v.rollbackOf})` : ''}${v.comment ? `  — ${v.comment}` : ''}`);
        for (const line of describeDiff(v)) out(`    ${line}`);
      }
      return 0;
    }
    case 'rollback': {
      const version = Number(rest[0]);
      if (!scope || !Number.isInteger(version) || version < 1) return usage('config rollback needs <scope> <version>');
      const v = store.rollback(scope, version, author, flags.comment);
      out(`${v.scope} version ${v.version} by ${v.author} (rollback to v${version})`);
      for (const line of describeDiff(v)) out(`  ${line}`);
      return 0;
    }
    default:
      return usage(`unknown config command ${sub ?? ''}`);
  }
}

function describeDiff(v: ConfigVersion): string[] {
  return v.diff.map((d) => `${d.path}: ${d.from === undefined ? '∅' : JSON.stringify(d.from)} → ${d.to === undefined ? '∅' : JSON.stringify(d.to)}`);
}

function setPath(doc: ConfigDoc, path: string[], value: unknown): ConfigDoc {
  const [head, ...tail] = path;
  if (head === undefined) return doc;
  if (tail.length === 0) return { ...doc, [head]: value };
  const child = doc[head];
  return { ...doc, [head]: setPath(typeof child === 'object' && child !== null && !Array.isArray(child) ? (child as ConfigDoc) : {}, tail, value) };
}

function unsetPath(doc: ConfigDoc, path: string[]): ConfigDoc {
  const [head, ...tail] = path;
  if (head === undefined || !(head in doc)) return doc;
  const out = { ...doc };
  if (tail.length === 0) delete out[head];
  else {
    const child = out[head];
    if (typeof child === 'object' && child !== null && !Array.isArray(child)) out[head] = unsetPath(child as ConfigDoc, tail);
  }
  return out;
}

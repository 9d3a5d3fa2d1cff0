// Test helpers for the updater (tests and the bench only): real release directories, real tar.gz
// bundles packed by scripts/release.ts, real Ed25519 signatures, and a manual clock for timers.
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { packRelease } from '../../scripts/release';
import type { Timers } from '../../common/time';
import type { Logger } from '../services/log';
import { generateReleaseKeys, signDetached } from './keys';
import { memoryLogger, type LogLine } from '../../common/log';

/** A release directory as D's build makes it: package.json (version) and dist/runtime/entry.mjs. */
export async function makeReleaseDir(dir: string, version: string, entry = 'process.exit(0);\n', extra: Record<string, string | Buffer> = {}): Promise<string> {
  await mkdir(join(dir, 'dist', 'runtime'), { recursive: true });
  await writeFile(join(dir, 'package.json'), `${JSON.stringify({ name: 'visioguichet', version })}\n`);
  await writeFile(join(dir, 'dist', 'runtime', 'entry.mjs'), entry);
  for (const [rel, body] of Object.entries(extra)) {
    await mkdir(join(dir, rel, '..'), { recursive: true });
    await writeFile(join(dir, rel), body);
  }
  return dir;
}

export interface SignedRelease {
  version: string;
  manifest: string;
  signature: string;
  bundle: string;
}

/** Packs `dir` with scripts/release.ts and signs the manifest bytes. */
export async function packAndSign(dir: string, outDir: string, version: string, privatePem: string, edit?: (m: Record<string, unknown>) => void): Promise<SignedRelease> {
  const r = await packRelease(dir, outDir, { version, releasedAt: new Date('2026-11-29T09:00:00Z') });
  let manifest = r.manifestText;
  if (edit) {
    const m = JSON.parse(manifest) as Record<string, unknown>;
    edit(m);
    manifest = `${JSON.stringify(m, null, 2)}\n`;
  }
  return { version, manifest, signature: signDetached(privatePem, Buffer.from(manifest)), bundle: r.bundle };
}

/** An installed booth: root/releases/<version> with `current` pointing at it. */
export async function makeInstall(root: string, version: string, entry?: string): Promise<void> {
  await makeReleaseDir(join(root, 'releases', version), version, entry);
  await symlink(join('releases', version), join(root, 'current'));
}

export const testKeys = generateReleaseKeys;

/** Timers driven by hand: advance(ms) fires what is due, in order. */
export class ManualClock implements Timers {
  now = 1_750_000_000_000;
  private seq = 0;
  private readonly due = new Map<number, { at: number; fn: () => void; every: number | null }>();
  setTimeout = (fn: () => void, ms: number) => this.add(fn, ms, null);
  setInterval = (fn: () => void, ms: number) => this.add(fn, ms, ms);
  clearTimeout = (h: unknown) => void this.due.delete(h as number);
  clearInterval = (h: unknown) => void this.due.delete(h as number);
  private add(fn: () => void, ms: number, every: number | null) {
    const id = ++this.seq;
    this.due.set(id, { at: this.now + Math.max(0, ms), fn, every });
    return id;
  }
  /** Moves time forward, firing timers due on the way (and letting promises settle between them). */
  async advance(ms: number): Promise<void> {
    const end = this.now + ms;
    for (;;) {
      let next: [number, { at: number; fn: () => void; every: number | null }] | undefined;
      for (const e of this.due) if (e[1].at <= end && (!next || e[1].at < next[1].at)) next = e;
      if (!next) break;
      const [id, t] = next;
      this.now = t.at;
      if (t.every === null) this.due.delete(id);
      else t.at += t.every;
      t.fn();
      await settle();
    }
    this.now = end;
    await settle();
  }
  pending(): number {
    return this.due.size;
  }
}

/** Lets queued promise callbacks and I/O callbacks run. */
export const settle = () => new Promise<void>((r) => setImmediate(r));

/** A logger that keeps lines for assertions. */
export function captureLog(): Logger & { lines: LogLine[]; text(): string } {
  const log = memoryLogger();
  return Object.assign(log, { text: () => log.lines.map((l) => `${l.level} ${l.msg} ${JSON.stringify(l.fields)}`).join('\n') });
}

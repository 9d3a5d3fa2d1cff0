import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli';

const dir = mkdtempSync(join(tmpdir(), 'vg-cfgcli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(...argv: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const code = await runCli(['--db', join(dir, 'hub.sqlite'), ...argv], {}, (l) => lines.push(l));
  return { code, out: lines.join('\n') };
}

describe('hub CLI: config show / set / history / rollback', () => {
  it('sets fields by path, shows the diff and the history, and rolls back', async () => {
    expect((await cli('config', 'set', 'office:Sherbrooke', 'timers.idleMs=90000', 'tollFree=1-800-555-0199', '--author', 'tech1', '--comment', 'ouverture')).out)
      .toBe('office:Sherbrooke version 1 by tech1\n  timers: ∅ → {"idleMs":90000}\n  tollFree: ∅ → "1-800-555-0199"');
    expect((await cli('config', 'set', 'office:Sherbrooke', 'timers.idleMs=120000', '--author', 'tech2')).out).toContain('timers.idleMs: 90000 → 120000');
    const shown = JSON.parse((await cli('config', 'show', 'office:Sherbrooke')).out) as { version: number; config: unknown };
    expect(shown).toMatchObject({ version: 2, config: { timers: { idleMs: 120000 }, tollFree: '1-800-555-0199' } });
    const history = (await cli('config', 'history', 'office:Sherbrooke')).out;
    expect(history).toMatch(/^v2 .* tech2\n {4}timers\.idleMs: 90000 → 120000\nv1 .* tech1 {2}— ouverture/);
    expect((await cli('config', 'rollback', 'office:Sherbrooke', '1', '--author', 'sup')).out).toContain('version 3 by sup (rollback to v1)');
    expect(JSON.parse((await cli('config', 'show', 'office:Sherbrooke')).out)).toMatchObject({ version: 3, config: { timers: { idleMs: 90000 } } });
  });

  it('refuses a bad value with the field named, and writes nothing', async () => {
    await expect(cli('config', 'set', 'office:Gatineau', 'timers.waitTimeoutMs=-1')).rejects.toThrow(/timers\.waitTimeoutMs/);
    await expect(cli('config', 'set', 'office:Gatineau', 'languages=["fr"]')).rejects.toThrow(/languages: unknown field|Unrecognized key/);
    expect(JSON.parse((await cli('config', 'show', 'office:Gatineau')).out)).toMatchObject({ version: 0 });
  });
});

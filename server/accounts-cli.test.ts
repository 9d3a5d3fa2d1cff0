import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from './cli';
import { createHub } from './hub';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('hub CLI: accounts with roles', () => {
  it('create with a role, list, set-role, disable/enable, reset-password; a hub on that database honours each', async () => {
    const d = mkdtempSync(join(tmpdir(), 'vg-accounts-cli-'));
    dirs.push(d);
    const db = join(d, 'hub.sqlite');
    const lines: string[] = [];
    const cli = (...argv: string[]) => runCli(['--db', db, ...argv], { VG_HUB_CONFIG: '' }, (l) => lines.push(l));
    expect(await cli('account', 'create', 'luc', 'Luc Gagnon', '--role', 'technician')).toBe(0);
    const password = /password: (\S+)/.exec(lines.join('\n'))?.[1];
    expect(password).toBeDefined();
    await expect(cli('account', 'create', 'x', 'X', '--role', 'boss')).rejects.toMatchObject({ code: 'cli_usage' });
    lines.length = 0;
    expect(await cli('account', 'list')).toBe(0);
    expect(lines).toEqual(['luc\tLuc Gagnon\ttechnician\tactive']);

    const hub = await createHub({ dbPath: db });
    try {
      const login = async (pw: string) => {
        const res = await fetch(`${hub.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'luc', password: pw }) });
        return { status: res.status, body: (await res.json()) as { role?: string; token?: string } };
      };
      expect(await login(password!)).toMatchObject({ status: 200, body: { role: 'technician' } });
      expect(await cli('account', 'set-role', 'luc', 'supervisor')).toBe(0);
      expect(await login(password!)).toMatchObject({ status: 200, body: { role: 'supervisor' } });
      expect(await cli('account', 'disable', 'luc')).toBe(0);
      expect((await login(password!)).status).toBe(401);
      expect(await cli('account', 'enable', 'luc')).toBe(0);
      lines.length = 0;
      expect(await cli('account', 'reset-password', 'luc')).toBe(0);
      const fresh = /password: (\S+)/.exec(lines.join('\n'))?.[1];
      expect(fresh).toBeDefined();
      expect(fresh).not.toBe(password);
      expect((await login(password!)).status).toBe(401);
      expect((await login(fresh!)).status).toBe(200);
    } finally {
      await hub.close();
    }
    await expect(cli('account', 'disable', 'nobody')).rejects.toMatchObject({ code: 'not_found' });
  });
});

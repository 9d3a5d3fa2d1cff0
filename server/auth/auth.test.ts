import { describe, expect, it } from 'vitest';
import { AgentTokens } from './tokens';
import { generatePassword, generateSecret, hashSecret, verifySecret } from './secrets';

describe('secrets', () => {
  it('hashes with a fresh salt and verifies only the right secret', async () => {
    const a = await hashSecret('correct horse');
    const b = await hashSecret('correct horse');
    expect(a).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(a).not.toBe(b);
    expect(await verifySecret('correct horse', a)).toBe(true);
    expect(await verifySecret('correct horsE', a)).toBe(false);
    for (const bad of ['', 'scrypt$1$1', 'bcrypt$x$y$z$a$b', 'scrypt$abc$8$1$AAAA$AAAA', 'scrypt$16384$8$1$AAAA$']) expect(await verifySecret('x', bad)).toBe(false);
  });

  it('generates long random credentials', () => {
    expect(generateSecret()).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(generatePassword()).toHaveLength(16);
    expect(generatePassword()).not.toBe(generatePassword());
  });
});

describe('agent tokens', () => {
  it('round-trips claims, and refuses expired, foreign and tampered tokens', async () => {
    let now = 1_800_000_000_000;
    const tokens = new AgentTokens('k'.repeat(32), 3600, () => now);
    const t = await tokens.sign({ agentId: 'a1', displayName: 'Alice' });
    expect(await tokens.verify(t)).toEqual({ agentId: 'a1', displayName: 'Alice', role: 'agent', expiresAt: (Math.floor(now / 1000) + 3600) * 1000 });
    const other = new AgentTokens('z'.repeat(32), 3600, () => now);
    await expect(other.verify(t)).rejects.toMatchObject({ code: 'unauthorized' });
    const [h, p, s] = t.split('.');
    const forged = [h, Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p as string, 'base64url').toString()), sub: 'admin' })).toString('base64url'), s].join('.');
    await expect(tokens.verify(forged)).rejects.toMatchObject({ code: 'unauthorized' });
    const none = [Buffer.from('{"alg":"none"}').toString('base64url'), p, ''].join('.');
    await expect(tokens.verify(none)).rejects.toMatchObject({ code: 'unauthorized' });
    now += 3601 * 1000;
    await expect(tokens.verify(t)).rejects.toMatchObject({ code: 'unauthorized', message: 'token expired' });
    expect(() => new AgentTokens('short')).toThrow(RangeError);
  });
});

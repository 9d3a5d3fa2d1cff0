// The hub's pages under its strict Content-Security-Policy, in Chromium: the built agent console and
// the fleet console load, sign in and open their WebSocket with no violation reported; an inline
// script injected into the page is refused (the policy is really in force, not merely sent).
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { createAgent } from '../../server/accounts';
import { createHub } from '../../server/hub';
import { useE2ESession } from '../support/e2e';
import { repoRoot } from '../support/stack';

const e2e = useE2ESession();

/** Records CSP violations (the DOM event and the console's report) from the first script on. */
async function watchViolations(page: Page): Promise<string[]> {
  const seen: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) seen.push(`console: ${m.text()}`);
  });
  await page.exposeFunction('__cspViolation', (v: string) => void seen.push(v));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      (window as unknown as { __cspViolation(v: string): void }).__cspViolation(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  return seen;
}

/** Injects an inline script; under the policy it must not run and must be reported. */
async function inlineScriptRuns(page: Page): Promise<boolean> {
  return page.evaluate(async () => {
    const s = document.createElement('script');
    s.textContent = 'window.__inlineRan = true;';
    document.body.appendChild(s);
    await new Promise((r) => setTimeout(r, 100));
    return (window as unknown as { __inlineRan?: boolean }).__inlineRan === true;
  });
}

describe('hub pages under a strict CSP', () => {
  it('the agent console and the fleet console work with no CSP violation, and an injected inline script is refused', async () => {
    const hub = await createHub({ dbPath: ':memory:', agentStaticDir: resolve(repoRoot, 'dist/renderer/agent') });
    e2e.defer(() => hub.close());
    const agent = await createAgent(hub.db, { username: 'alice', displayName: 'Alice' });
    const admin = await createAgent(hub.db, { username: 'root', displayName: 'Root', role: 'administrator' });

    // Agent console: sign in, the socket opens (connect-src), the agent is online.
    const ctx = await e2e.context();
    const page = await ctx.newPage();
    const violations = await watchViolations(page);
    const res = await page.goto(`${hub.url}/agent/`);
    expect(res?.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.getByTestId('login-username').fill('alice');
    await page.getByTestId('login-password').fill(agent.password);
    await page.getByTestId('login-submit').click();
    await page.waitForSelector('body:not([data-agent-state="login"])', { timeout: 20_000 });
    await page.waitForSelector('body[data-connection="online"]', { timeout: 20_000 });
    expect(violations).toEqual([]);
    expect(await inlineScriptRuns(page)).toBe(false);
    await expect.poll(() => violations.length).toBeGreaterThan(0);
    expect(violations[0]).toMatch(/script-src/);

    // Fleet console (served beside the agent console): sign in as administrator, open the accounts page.
    const page2 = await ctx.newPage();
    const violations2 = await watchViolations(page2);
    await page2.goto(`${hub.url}/console/`);
    await page2.getByTestId('signin-username').fill('root');
    await page2.getByTestId('signin-password').fill(admin.password);
    await page2.getByTestId('signin-submit').click();
    await page2.getByTestId('signed-in-as').waitFor({ timeout: 20_000 });
    await page2.getByTestId('nav-accounts').click();
    await page2.getByTestId('account-root').waitFor({ timeout: 20_000 });
    expect(violations2).toEqual([]);
  });
});

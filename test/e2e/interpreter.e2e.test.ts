// An Arabic visit end to end (real hub, kiosk page, agent console): the citizen reads the screens in
// Arabic, the call is queued in French, and the agent sees "Interprète requis : arabe" on the ring
// before answering, and beside the call. (The right-to-left layout itself: languages.e2e.test.ts.)
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { screen, useE2ESession } from '../support/e2e';
import { until } from '../support/booth';
import { agentReady } from '../support/stack';
import { walkToLine } from '../support/walk';

const e2e = useE2ESession();
/** Two browsers, a hub and a WebRTC call on a loaded 2-core machine: not a timing check. */
const LONG = 300_000;

async function page(): Promise<Page> {
  return (await e2e.context()).newPage();
}

describe('interpreter flag', () => {
  it('Arabic visit: queued in French, the agent sees the interpreter flag before answering, the call connects', async () => {
    const s = await e2e.stack({ agents: 1 });
    const agent = await page();
    await agentReady(agent, s.agentUrl, s.agents[0]!);
    const k = await page();
    await k.goto(s.kioskUrl);
    await screen(k, 'attract');

    await walkToLine(k, {
      lang: 'ar',
      onService: async () => expect(await k.evaluate(() => [document.documentElement.lang, document.documentElement.dir])).toEqual(['ar', 'rtl']),
    });

    // The hub queued it in French (the agents' language).
    await agent.getByTestId('ring-panel').waitFor({ state: 'visible' });
    expect(await agent.getByTestId('ring-language').getAttribute('data-value')).toBe('fr');
    const flag = agent.getByTestId('ring-interpreter');
    expect(await flag.isVisible()).toBe(true);
    expect(await flag.getAttribute('data-value')).toBe('ar');
    expect(await flag.innerText()).toBe('Interprète requis : arabe');
    expect(await agent.getByTestId('ring-audio-only').isVisible()).toBe(false);
    // In English the console names the language in English.
    await agent.getByTestId('lang-en').click();
    expect(await flag.innerText()).toBe('Interpreter needed: Arabic');

    await agent.getByTestId('ring-accept').click();
    await screen(k, 'inCall');
    await k.waitForSelector('[data-testid="call-state"][data-call-state="connected"]', { timeout: 60_000 });
    // Still in view during the call.
    expect(await agent.getByTestId('call-flags').innerText()).toBe('Interpreter needed: Arabic');
    await agent.getByTestId('end-call').click();
    await screen(k, 'survey');
    await until(() => s.hub.db.recentCalls().map((c) => c.outcome), (o) => o.join() === 'agent_hangup', 'the call logged as answered');
  }, LONG);
});

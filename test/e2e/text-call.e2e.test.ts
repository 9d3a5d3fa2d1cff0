// A deaf citizen's visit carried out by text only, end to end: the "Je suis sourd ou malentendant"
// choice on the kiosk's language screen, the agent's ring flagged "Écrit d'abord", a written
// conversation both ways through the real hub (microphones muted on both sides), sent/delivered on
// each message, and after the visit none of the words anywhere on the booth: not in the kiosk
// page (DOM, web storage, IndexedDB, caches), not in its database or any file of its data
// directory, not in the kiosk's or the hub's logs, not in the hub's database.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { assertBoothHoldsNone, assertWiped, recordStreams, screen, useE2ESession } from '../support/e2e';
import { agentReady } from '../support/stack';
import { walkToLine } from '../support/walk';

const e2e = useE2ESession();

/** Types on the kiosk's chat keyboard (letters as keys; the panel writes them in sentence case). */
async function typeOnKiosk(k: Page, text: string): Promise<void> {
  for (const ch of text) await k.getByTestId(`chat-key-${ch === ' ' ? 'space' : ch === "'" ? 'apostrophe' : ch}`).click();
}

describe('text in the call', () => {
  it('a deaf citizen’s visit by text only: flagged to the agent, messages both ways with delivery, nothing left on the booth', async () => {
    // A long ring: on a loaded machine the agent page may take more than the default 20 s to click.
    const s = await e2e.stack({ agents: 1, hub: { ringTimeoutMs: 90_000 }, publicConfig: { timers: { idleMs: 300_000, idleCountdownMs: 15_000, waitTimeoutMs: 120_000, thankYouMs: 1_500, declinedMs: 2_000 } } });
    const agent = await (await e2e.context()).newPage();
    await agentReady(agent, s.agentUrl, s.agents[0]!);
    const k = await (await e2e.context({ width: 1920, height: 1080 })).newPage();
    await recordStreams(k);
    await k.goto(s.kioskUrl);
    await screen(k, 'attract');

    // The choice at the start, before the language.
    await walkToLine(k, {
      onLanguage: async () => {
        const toggle = k.getByTestId('access-text-first');
        expect(await toggle.innerText()).toContain('Je suis sourd ou malentendant');
        expect(await toggle.innerText()).toContain('I am deaf or hard of hearing');
        await toggle.click();
        expect(await toggle.getAttribute('aria-pressed')).toBe('true');
      },
    });

    // The agent knows before answering.
    await agent.getByTestId('ring-panel').waitFor({ state: 'visible' });
    await agent.getByTestId('ring-text-first').waitFor({ state: 'visible' });
    expect(await agent.getByTestId('ring-text-first').innerText()).toContain('sourd ou malentendant');
    await agent.getByTestId('ring-accept').click();

    await screen(k, 'inCall');
    // Text first: the panel is open with its keyboard; the agent's panel says to write first.
    await k.locator('[data-testid="chat-panel"][data-text-first="true"]').waitFor();
    await k.getByTestId('chat-key-A').waitFor();
    await agent.locator('[data-testid="agent-chat"][data-text-first="true"]').waitFor();
    await agent.getByTestId('chat-text-first').waitFor();
    // Text only: both microphones off.
    await k.getByTestId('call-mute').click();
    await agent.getByTestId('mute').click();

    // Agent → citizen, shown large on the kiosk, "delivered" on the console.
    const agentSays = 'Bonjour, ici Agent 1. Écrivez-moi votre question, je lis tout.';
    await agent.getByTestId('chat-input').fill(agentSays);
    await agent.getByTestId('chat-input').press('Enter');
    const peerLine = k.getByTestId('chat-line-peer');
    await peerLine.waitFor();
    expect(await peerLine.locator('.chat-text').innerText()).toBe(agentSays);
    const peerFont = await peerLine.locator('.chat-text').evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
    expect(peerFont).toBeGreaterThanOrEqual(36); // 1.5rem of the kiosk's 28 px root: large
    await agent.locator('[data-testid="chat-line-agent"][data-status="delivered"]').waitFor();

    // Citizen → agent, typed on the on-screen keyboard.
    await typeOnKiosk(k, 'CERTIFICAT ZEPHYRIN 48');
    expect(await k.getByTestId('chat-draft').innerText()).toContain('Certificat zephyrin 48');
    await k.getByTestId('chat-send').click();
    const citizenLine = agent.getByTestId('chat-line-citizen');
    await citizenLine.waitFor();
    expect(await citizenLine.locator('.text').innerText()).toBe('Certificat zephyrin 48');
    await k.locator('[data-testid="chat-line-me"][data-status="delivered"]').waitFor();
    expect(await k.getByTestId('chat-status').innerText()).toBe('Reçu par l’agent');

    // One more each way, in order.
    await agent.getByTestId('chat-input').fill('Merci. Votre numéro de dossier QUENOUILLE-9 est noté.');
    await agent.getByTestId('chat-input').press('Enter');
    await k.locator('[data-testid="chat-line-peer"]').nth(1).waitFor();
    await typeOnKiosk(k, 'MERCI');
    await k.getByTestId('chat-send').click();
    await agent.locator('[data-testid="chat-line-citizen"]').nth(1).waitFor();
    expect(await k.locator('[data-testid="chat-log"] li').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')))).toEqual([
      'chat-line-peer', 'chat-line-me', 'chat-line-peer', 'chat-line-me',
    ]);

    // The agent ends; the visit ends; the booth keeps nothing of the conversation.
    await agent.getByTestId('end-call').click();
    await screen(k, 'survey');
    expect(await agent.getByTestId('agent-chat').count()).toBe(0);
    await k.getByTestId('survey-skip').click();
    const words = ['zephyrin', 'ZEPHYRIN', 'QUENOUILLE', 'Écrivez-moi votre question', 'Certificat', 'Merci. Votre'];
    await assertWiped(k, words);
    assertBoothHoldsNone(s, words);
    expect(s.hub.db.recentCalls().map((c) => c.outcome)).toEqual(['agent_hangup']);
    // Every key is a real tap on the kiosk page, which is slow on a loaded CI machine: not a timing check.
  }, 480_000);
});

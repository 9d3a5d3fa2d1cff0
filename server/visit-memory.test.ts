import { generateKeyPairSync, sign } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { kioskAuthMessage, type HubChallenge } from '../common/protocol';
import { createAgent, registerKioskKey } from './accounts';
import { createHub, type Hub } from './hub';
import type { HubSockets } from './sockets';
import { HubTestClient } from './test-client';

// The hub must hold nothing per visit once the visit is over: every map and list it keeps is bounded by
// the booths and agents connected, never by the visits they made. This counts every collection of
// the dispatcher and the socket layer after 25 visits and after 50 (with booths reconnecting and the
// agent logging in again between): a structure that grows with visits fails here. The memory figures
// themselves are in `./vg bench soak`.
const open: { close(): unknown }[] = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

/** Size of every Map, Set and array an object holds directly (private fields included). */
function collections(o: object): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(o)) {
    if (v instanceof Map || v instanceof Set) out[k] = v.size;
    else if (Array.isArray(v)) out[k] = v.length;
  }
  return out;
}

function socketLayerOf(hub: Hub): HubSockets {
  const [ws] = [...(hub.app as unknown as { websocketServer: { clients: Set<object> } }).websocketServer.clients];
  const sym = Object.getOwnPropertySymbols(ws).find((s) => s.description === 'hub');
  return (ws as Record<symbol, HubSockets>)[sym!]!;
}

describe('hub memory per visit', () => {
  it('no collection of the dispatcher or the socket layer grows with visits', async () => {
    const hub = await createHub({ dbPath: ':memory:' });
    open.push(hub);
    const host = new URL(hub.url).host;
    const booths = [0, 1].map((i) => ({ id: `qc-${i}`, ...generateKeyPairSync('ed25519') }));
    for (const b of booths) registerKioskKey(hub.db, { kioskId: b.id, publicKey: b.publicKey.export({ type: 'spki', format: 'pem' }).toString() });
    const { password } = await createAgent(hub.db, { username: 'agent', displayName: 'Agent' });

    const connectBooth = async (b: (typeof booths)[number]) => {
      const c = await HubTestClient.connect(hub.wsUrl);
      open.push(c);
      c.send({ type: 'kiosk.hello', v: 1, kioskId: b.id });
      const { nonce } = (await c.next()) as unknown as HubChallenge;
      c.send({ type: 'kiosk.prove', v: 1, kioskId: b.id, signature: sign(null, Buffer.from(kioskAuthMessage(b.id, host, nonce)), b.privateKey).toString('base64url') });
      await c.next('welcome');
      return c;
    };
    const connectAgent = async () => {
      const res = await fetch(`${hub.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'agent', password }) });
      const c = await HubTestClient.connect(hub.wsUrl);
      open.push(c);
      c.send({ type: 'agent.auth', v: 1, token: ((await res.json()) as { token: string }).token });
      await c.next('agent.state');
      c.send({ type: 'agent.status', status: 'available' });
      await c.next('agent.state');
      return c;
    };

    const kiosks = await Promise.all(booths.map(connectBooth));
    let agent = await connectAgent();
    const layer = socketLayerOf(hub);
    const count = () => ({ dispatcher: collections(hub.dispatcher), sockets: layer.sizes() });
    let after25: ReturnType<typeof count> | undefined;
    for (let n = 1; n <= 50; n++) {
      const k = kiosks[n % 2]!;
      k.send({ type: 'call.request', requestId: `r${n}`, service: 'emploi', language: 'fr' });
      const { callId } = await k.next('call.queued');
      if (n % 7 === 0) {
        // A citizen who gives up while it rings.
        await agent.next('call.ring');
        k.send({ type: 'call.cancel', callId });
        await k.next('call.ended');
        await agent.next('call.ring.cancelled');
      } else {
        await agent.next('call.ring');
        agent.send({ type: 'call.accept', callId });
        await k.next('call.accepted');
        await agent.next('call.connected');
        agent.send({ type: 'signal', callId, data: { type: 'offer', sdp: 'v=0' } });
        await k.next('signal');
        k.send({ type: 'signal', callId, data: { type: 'answer', sdp: 'v=0' } });
        await agent.next('signal');
        (n % 2 ? agent : k).send({ type: 'call.end', callId, reason: n % 2 ? 'agent_hangup' : 'kiosk_hangup' });
        await k.next('call.ended');
        await agent.next('call.ended');
      }
      await agent.next('agent.state');
      if (n % 9 === 0) {
        k.close();
        kiosks[n % 2] = await connectBooth(booths[n % 2]!);
      }
      if (n % 15 === 0) {
        agent.close();
        agent = await connectAgent();
      }
      // After the handle-time window (the last 20 calls) has filled: bounded lists are full from here on.
      if (n === 25) after25 = count();
    }
    // Closed sockets are gone from every map (close events are asynchronous).
    await expect.poll(() => count(), { timeout: 5_000 }).toEqual(after25);
    expect(after25!.dispatcher.calls).toBe(0);
    expect(after25!.sockets).toEqual({ conns: 3, byPrincipal: 3, unauthenticated: 0 });
  });
});

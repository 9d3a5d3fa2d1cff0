// Text-in-the-call relay benchmark: N calls connected through a real hub on loopback (protocol
// clients over real sockets, no browser), each side writing in turn. Prints p50/p95/max of
//   send → delivered: a chat.send until the sender gets chat.status delivered (hub → other party →
//                     its chat.ack → hub → sender: two relays and two socket round trips),
// beside the floor measured on the same sockets in the same run: ping → pong (one round trip),
// and the ratio of the two. Also the hub's heap before and after (the relay keeps no message).
// Figures only: it never fails on a timing. Usage: ./vg bench chat [calls=20] [messages=20]
import { loadavg } from 'node:os';
import { createAgent, createKiosk } from '../../server/accounts';
import { createHub } from '../../server/hub';
import { HubTestClient } from '../../server/test-client';
import { percentile } from './webrtc-floor';

const calls = Number(process.argv[2] ?? 20);
const messages = Number(process.argv[3] ?? 20);

const ms = (ns: bigint) => Number(ns) / 1e6;
const fmt = (xs: number[]) => `p50 ${percentile(xs, 50).toFixed(2)} ms  p95 ${percentile(xs, 95).toFixed(2)} ms  max ${Math.max(...xs).toFixed(2)} ms  (n=${xs.length})`;

async function main(): Promise<void> {
  // A loose socket rate limit: the bench measures the relay, not the flood guard.
  const hub = await createHub({ dbPath: ':memory:', rateLimit: { burst: 1000, perSecond: 1000 } });
  const open: HubTestClient[] = [];
  try {
    const pairs: { kiosk: HubTestClient; agent: HubTestClient; callId: string }[] = [];
    for (let i = 0; i < calls; i++) {
      const { password } = await createAgent(hub.db, { username: `agent${i}`, displayName: `Agent ${i}` });
      const { secret } = await createKiosk(hub.db, { kioskId: `kiosk-${i}`, name: `Kiosque ${i}`, office: 'Bench' });
      const res = await fetch(`${hub.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: `agent${i}`, password }) });
      const { token } = (await res.json()) as { token: string };
      const agent = await HubTestClient.connect(hub.wsUrl);
      const kiosk = await HubTestClient.connect(hub.wsUrl);
      open.push(agent, kiosk);
      agent.send({ type: 'agent.auth', v: 1, token });
      await agent.next('welcome');
      kiosk.send({ type: 'kiosk.auth', v: 1, kioskId: `kiosk-${i}`, secret });
      await kiosk.next('welcome');
      // One agent free at a time, so agent i takes kiosk i's call.
      agent.send({ type: 'agent.status', status: 'available' });
      await agent.next('agent.state');
      kiosk.send({ type: 'call.request', requestId: `r${i}`, service: 'emploi', language: 'fr', textFirst: true });
      const ring = await agent.next('call.ring');
      agent.send({ type: 'call.accept', callId: ring.callId });
      await kiosk.next('call.accepted');
      await agent.next('call.connected');
      pairs.push({ kiosk, agent, callId: ring.callId });
    }
    global.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;

    const delivered: number[] = [];
    const floor: number[] = [];
    const started = process.hrtime.bigint();
    // Every call at once; within a call the two sides alternate, as people do.
    await Promise.all(
      pairs.map(async ({ kiosk, agent, callId }) => {
        for (let m = 1; m <= messages; m++) {
          const [from, to] = m % 2 ? [agent, kiosk] : [kiosk, agent];
          const seq = Math.ceil(m / 2);
          const t0 = process.hrtime.bigint();
          from.send({ type: 'chat.send', callId, seq, text: `Message ${m} : bonjour, voici ma question numéro ${m}.` });
          const got = await to.next('chat.message');
          to.send({ type: 'chat.ack', callId, seq: got.seq });
          for (;;) {
            const st = await from.next('chat.status');
            if (st.seq === seq && st.status === 'delivered') break;
          }
          delivered.push(ms(process.hrtime.bigint() - t0));
          const p0 = process.hrtime.bigint();
          from.send({ type: 'ping', t: m });
          await from.next('pong');
          floor.push(ms(process.hrtime.bigint() - p0));
        }
      }),
    );
    const seconds = ms(process.hrtime.bigint() - started) / 1000;
    global.gc?.();
    const heapAfter = process.memoryUsage().heapUsed;

    const p50 = percentile(delivered, 50);
    const f50 = percentile(floor, 50);
    console.log(`chat relay: ${calls} calls × ${messages} messages, load ${loadavg()[0]!.toFixed(1)}`);
    console.log(`  send → delivered  ${fmt(delivered)}`);
    console.log(`  ping → pong       ${fmt(floor)}`);
    console.log(`  ratio p50         ${(p50 / f50).toFixed(2)} × one round trip (two relays + two round trips expected ≈ 2)`);
    console.log(`  throughput        ${((calls * messages) / seconds).toFixed(0)} delivered messages/s`);
    console.log(`  hub heap          ${(heapBefore / 1e6).toFixed(1)} MB before, ${(heapAfter / 1e6).toFixed(1)} MB after${global.gc ? '' : ' (run with --expose-gc for a settled figure)'}`);
  } finally {
    for (const c of open) c.close();
    await hub.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

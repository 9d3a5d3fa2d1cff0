// A swarm of booths for the hub benchmarks (test/bench/hub.bench.ts): run as a forked worker, it opens
// one real booth hub link (main/services/hub-link.ts: key proof, backoff with jitter, heartbeat) per
// kiosk id in its range and reports over IPC how many are online and how many dials they made.
// Each booth has its own Ed25519 key, derived from its index so the parent can register the public
// keys without shipping 10,000 private keys across processes.
import { createHash, createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { createHubLink, type HubLink } from '../../main/services/hub-link';
import type { Logger } from '../../common/log';

// PKCS8 DER prefix of an Ed25519 private key (RFC 8410): the 32-byte seed follows.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** The bench booth number `i`: its id and private key (deterministic). */
export function benchBooth(i: number): { kioskId: string; privateKey: KeyObject } {
  const seed = createHash('sha256').update(`visioguichet-bench-booth-${i}`).digest();
  return { kioskId: `bench-${String(i).padStart(5, '0')}`, privateKey: createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' }) };
}

/** The loopback source address booth `i` dials from (127.0.0.2, …: 250 booths each). */
export const swarmSourceAddress = (i: number): string => `127.0.${Math.floor(i / 250 / 250)}.${2 + (Math.floor(i / 250) % 250)}`;

/** Its public key as SPKI PEM (what the hub registers). */
export const benchBoothPublicKey = (i: number): string => createPublicKey(benchBooth(i).privateKey).export({ type: 'spki', format: 'pem' }).toString();

/** Parent → worker. */
export type SwarmCommand = { cmd: 'start'; url: string; from: number; to: number } | { cmd: 'status' } | { cmd: 'stop' };
/** Worker → parent. */
export interface SwarmStatus {
  type: 'status';
  online: number;
  total: number;
  /** Dials started since the start (first dial + every retry). */
  dials: number;
  /** Authentication refusals seen (error frames before welcome). */
  refusals: number;
  rssBytes: number;
}

if (process.send && process.argv.includes('--swarm-worker')) {
  const links: HubLink[] = [];
  let online = 0;
  let dials = 0;
  let refusals = 0;
  // The hub link logs a retry before every redial: that is the count of dials after the first.
  const counting: Logger = {
    info: (a: unknown, b?: unknown) => {
      if ((typeof a === 'string' ? a : b) === 'hub-link retry scheduled') dials++;
    },
    warn: () => {},
    error: (a: unknown, b?: unknown) => {
      if ((typeof a === 'string' ? a : b) === 'hub-link refused by hub') refusals++;
    },
    debug: () => {},
    child: () => counting,
  } as unknown as Logger;
  process.on('message', (m: SwarmCommand) => {
    if (m.cmd === 'start') {
      for (let i = m.from; i < m.to; i++) {
        const { kioskId, privateKey } = benchBooth(i);
        dials++;
        const link = createHubLink({
          url: m.url,
          kioskId,
          key: { sign: (message) => sign(null, Buffer.from(message, 'utf8'), privateKey).toString('base64url') },
          log: counting,
          // Booths come from many offices: 250 per source address keeps each address under the hub's
          // cap on unauthenticated sockets per address (256), and spreads the swarm over more than
          // one address's 28k ephemeral ports.
          localAddress: swarmSourceAddress(i),
        });
        let wasOnline = false;
        link.onStatus((s) => {
          const now = s === 'online';
          if (now !== wasOnline) online += now ? 1 : -1;
          wasOnline = now;
        });
        links.push(link);
      }
    } else if (m.cmd === 'status') {
      const status: SwarmStatus = { type: 'status', online, total: links.length, dials, refusals, rssBytes: process.memoryUsage.rss() };
      process.send?.(status);
    } else if (m.cmd === 'stop') {
      void Promise.all(links.map((l) => l.close())).then(() => process.exit(0));
    }
  });
  process.on('disconnect', () => process.exit(0));
  process.send({ type: 'ready' });
}

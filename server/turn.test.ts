// TURN credentials against a real coturn: what the hub hands out is accepted over UDP and TCP, an
// expired or forged one is refused, and two real RTCPeerConnections (relay only) talk through it.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import wrtc from '@roamhq/wrtc';
import { loadTurnSecret, TurnConfig, turnCredential, TurnIssuer, TurnSecretError, TurnUrl } from './turn';
import { startCoturn, type Coturn } from '../test/support/coturn';

/** Runs turnutils_uclient (two relayed clients sending to each other); resolves with its exit code and output. */
function uclient(coturn: Coturn, user: string, password: string, tcp = false): Promise<{ code: number; out: string }> {
  const args = [...(tcp ? ['-t'] : []), '-y', '-n', '3', '-l', '40', '-p', String(coturn.port), '-u', user, '-w', password, coturn.ip];
  return new Promise((resolve) => {
    execFile('turnutils_uclient', args, { timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : -1) : 0;
      resolve({ code, out: `${stdout}${stderr}` });
    });
  });
}

describe('turnCredential', () => {
  it('follows the REST scheme: <expiry>:<subject>, base64 HMAC-SHA1 of the username', () => {
    // Reference value from `printf %s 1700000000:kiosk-K1 | openssl dgst -sha1 -hmac <secret> -binary | base64`.
    const c = turnCredential('0123456789abcdef0123', 'kiosk-K1', 1_700_000_000_000 - 3_600_000, 3600);
    expect(c).toEqual({ username: '1700000000:kiosk-K1', credential: 'ZM5mTelFKEp8YNhfPg36f2KMKOU=', expiresAt: 1_700_000_000_000 });
  });

  it('keeps the subject free of the separator coturn splits on', () => {
    expect(turnCredential('0123456789abcdef0123', 'kiosk-a:b', 0, 600).username).toBe('600:kiosk-a_b');
  });

  it('issues a list with the STUN servers first and one relay entry carrying every URL', () => {
    let now = 1_000_000;
    const issuer = new TurnIssuer({ secret: 's'.repeat(20), urls: ['turn:t.example:3478', 'turns:t.example:443?transport=tcp'], ttlSeconds: 3600, now: () => now, stun: [{ urls: 'stun:t.example:3478' }] });
    const first = issuer.iceServers('agent-7');
    expect(first[0]).toEqual({ urls: 'stun:t.example:3478' });
    expect(first[1]).toMatchObject({ urls: ['turn:t.example:3478', 'turns:t.example:443?transport=tcp'], username: '4600:agent-7' });
    now += 60_000;
    expect(issuer.iceServers('agent-7')[1]?.username).toBe('4660:agent-7');
    expect(issuer.refreshMs).toBe(1_200_000);
  });
});

describe('TurnConfig', () => {
  it('accepts the three transports an office may need and refuses other schemes', () => {
    for (const u of ['turn:turn.example.qc.ca:3478', 'turn:turn.example.qc.ca:3478?transport=tcp', 'turns:turn.example.qc.ca:443?transport=tcp', 'turn:[2001:db8::1]:3478']) expect(TurnUrl.safeParse(u).success, u).toBe(true);
    for (const u of ['stun:turn.example:3478', 'turns:turn.example:443?transport=udp', 'turn:turn.example?transport=sctp', 'http://turn.example']) expect(TurnUrl.safeParse(u).success, u).toBe(false);
  });

  it('wants exactly one of secret and secretFile, and a one-hour TTL by default', () => {
    expect(TurnConfig.safeParse({ urls: ['turn:t:3478'] }).success).toBe(false);
    expect(TurnConfig.safeParse({ urls: ['turn:t:3478'], secret: 'x'.repeat(16), secretFile: '/etc/x' }).success).toBe(false);
    expect(TurnConfig.parse({ urls: ['turn:t:3478'], secretFile: '/etc/visioguichet/turn.secret' }).ttlSeconds).toBe(3600);
    expect(TurnConfig.safeParse({ urls: ['turn:t:3478'], secret: 'short' }).success).toBe(false);
  });

  it('reads the secret file and names a missing or short one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vg-turn-'));
    try {
      writeFileSync(join(dir, 'ok'), 'abcdefghijklmnopqrstuvwxyz\n');
      writeFileSync(join(dir, 'short'), 'abc\n');
      expect(loadTurnSecret({ secretFile: join(dir, 'ok') })).toBe('abcdefghijklmnopqrstuvwxyz');
      expect(() => loadTurnSecret({ secretFile: join(dir, 'short') })).toThrow(TurnSecretError);
      expect(() => loadTurnSecret({ secretFile: join(dir, 'missing') })).toThrow(/cannot read the TURN secret file/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a real coturn', () => {
  let coturn: Coturn;
  beforeAll(async () => {
    coturn = await startCoturn({ allowLoopbackPeers: true });
  });
  afterAll(async () => {
    await coturn?.stop();
  });

  it('relays for the credential the hub issues, over UDP and over TCP', async () => {
    const c = turnCredential(coturn.secret, 'kiosk-K1', Date.now(), 3600);
    const udp = await uclient(coturn, c.username, c.credential);
    expect(udp.code, udp.out.slice(-1500)).toBe(0);
    expect(udp.out).toMatch(/Total lost packets 0 /);
    const tcp = await uclient(coturn, c.username, c.credential, true);
    expect(tcp.code, tcp.out.slice(-1500)).toBe(0);
  }, 60_000);

  it('refuses an expired credential and one signed with another secret', async () => {
    const expired = turnCredential(coturn.secret, 'kiosk-K1', Date.now() - 7_200_000, 3600);
    const r1 = await uclient(coturn, expired.username, expired.credential);
    expect(r1.code).not.toBe(0);
    expect(r1.out).toMatch(/Cannot complete Allocation/);
    const forged = turnCredential('another-secret-0123456789', 'kiosk-K1', Date.now(), 3600);
    const r2 = await uclient(coturn, forged.username, forged.credential);
    expect(r2.code).not.toBe(0);
  }, 60_000);

  it('carries a WebRTC data channel between two relay-only peer connections', async () => {
    const issuer = new TurnIssuer({ secret: coturn.secret, urls: [`turn:${coturn.ip}:${coturn.port}`], ttlSeconds: 3600, now: Date.now });
    const config = (subject: string): RTCConfiguration => ({ iceServers: issuer.iceServers(subject) as RTCIceServer[], iceTransportPolicy: 'relay' });
    const a = new wrtc.RTCPeerConnection(config('agent-1'));
    const b = new wrtc.RTCPeerConnection(config('kiosk-1'));
    try {
      const types = { a: [] as string[], b: [] as string[] };
      a.onicecandidate = (e) => {
        if (e.candidate) {
          types.a.push(e.candidate.candidate.split(' ')[7] ?? '');
          void b.addIceCandidate(e.candidate);
        }
      };
      b.onicecandidate = (e) => {
        if (e.candidate) {
          types.b.push(e.candidate.candidate.split(' ')[7] ?? '');
          void a.addIceCandidate(e.candidate);
        }
      };
      const received = new Promise<string>((resolve) => {
        b.ondatachannel = (e) => {
          e.channel.onmessage = (m) => resolve(String(m.data));
        };
      });
      const ch = a.createDataChannel('t');
      ch.onopen = () => ch.send('bonjour');
      await a.setLocalDescription(await a.createOffer());
      await b.setRemoteDescription(a.localDescription!);
      await b.setLocalDescription(await b.createAnswer());
      await a.setRemoteDescription(b.localDescription!);
      const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no message through the relay; coturn log:\n${coturn.log().slice(-1500)}`)), 20_000));
      expect(await Promise.race([received, timeout])).toBe('bonjour');
      // Only relay candidates were gathered, and the pair in use is relay on both ends.
      expect(new Set([...types.a, ...types.b])).toEqual(new Set(['relay']));
      const stats = await a.getStats();
      let pair: { localCandidateId?: string; remoteCandidateId?: string } | undefined;
      stats.forEach((s: { type: string; nominated?: boolean; state?: string; localCandidateId?: string }) => {
        if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded') pair = s;
      });
      expect(pair).toBeDefined();
      expect(stats.get(pair!.localCandidateId!)?.candidateType).toBe('relay');
    } finally {
      a.close();
      b.close();
    }
  }, 60_000);
});

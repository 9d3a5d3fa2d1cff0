// Media through the TURN relay when the kiosk and the agent cannot reach each other: the kiosk's
// Chromium, the agent's Chromium and coturn each in their own network namespace (test/support/netns.ts),
// the hub and the kiosk's services in the root namespace (signaling is not what is cut here). The direct
// path kiosk ↔ agent is dropped by iptables, so a call can only connect through coturn with the
// short-lived credentials the hub handed out. Then the office that also blocks UDP: TURN over TCP; and the
// one that only lets TLS out: TURN over TLS (turns:, a throwaway certificate the test browsers are told to accept).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fakeMediaFlags, noSandboxFlag } from '../../main/runtime/chromium';
import { framesFlow, installPeerRecorder } from '../support/booth';
import { startCoturn, type Coturn } from '../support/coturn';
import { screen } from '../support/e2e';
import { createNetLab, type NetLab } from '../support/netns';
import { forwardIntoNamespace } from '../support/ns-forward';
import { agentReady, startStack, type Stack } from '../support/stack';
import { walkToLine } from '../support/walk';

/** Two browsers in namespaces, a hub, coturn and a WebRTC call on a loaded 2-core machine: not a timing check. */
const LONG = 300_000;

let lab: NetLab;
let coturn: Coturn;
let certDir: string;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  lab = await createNetLab({ hosts: ['kiosk', 'agent', 'turn'], gateway: true });
  certDir = mkdtempSync(join(tmpdir(), 'vg-turn-e2e-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=turn.test', '-keyout', join(certDir, 'k.pem'), '-out', join(certDir, 'c.pem')], { stdio: 'ignore' });
  coturn = await startCoturn({ netns: lab.hosts.turn!.ns, ip: lab.hosts.turn!.ip, tls: { cert: join(certDir, 'c.pem'), key: join(certDir, 'k.pem') } });
}, 60_000);
afterAll(async () => {
  await coturn?.stop();
  await lab?.teardown();
  if (certDir) rmSync(certDir, { recursive: true, force: true });
}, 60_000);
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
}, 60_000);

async function browserIn(host: string, acceptTestCertificate = false): Promise<Browser> {
  const b = await chromium.launch({
    executablePath: lab.wrapper(host, process.env.VG_CHROMIUM ?? '/usr/bin/chromium'),
    headless: true,
    args: [noSandboxFlag, ...fakeMediaFlags, ...(acceptTestCertificate ? ['--ignore-certificate-errors'] : []), '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-background-timer-throttling', '--disable-renderer-backgrounding'],
  });
  cleanups.push(() => b.close());
  return b;
}

/** The selected candidate pair of the page's latest peer connection, as getStats reports it. */
function selectedPair(p: Page): Promise<{ local: string; remote: string; relayProtocol: string | null; username: string | null }> {
  return p.evaluate(async () => {
    const pc = (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs.at(-1)!;
    const all: Record<string, unknown>[] = [];
    (await pc.getStats()).forEach((s: Record<string, unknown>) => all.push(s));
    const transport = all.find((s) => s.type === 'transport' && typeof s.selectedCandidatePairId === 'string');
    const pair = all.find((s) => s.id === transport?.selectedCandidatePairId) ?? all.find((s) => s.type === 'candidate-pair' && s.nominated === true && s.state === 'succeeded');
    const local = all.find((s) => s.id === pair?.localCandidateId);
    const remote = all.find((s) => s.id === pair?.remoteCandidateId);
    const relayEntry = pc.getConfiguration().iceServers?.find((s) => s.username);
    return { local: String(local?.candidateType), remote: String(remote?.candidateType), relayProtocol: (local?.relayProtocol as string | undefined) ?? null, username: relayEntry?.username ?? null };
  });
}

/** From inside `host`'s namespace, a TCP connection to port 9 of `ip`: 'refused' (reachable), 'timeout' (dropped). */
async function probe(host: string, ip: string): Promise<string> {
  const script = `const s=require('node:net').connect(9,'${ip}');s.on('connect',()=>{console.log('open');process.exit(0)});s.on('error',(e)=>{console.log(e.code==='ECONNREFUSED'?'refused':e.code);process.exit(0)});setTimeout(()=>{console.log('timeout');process.exit(0)},1500);`;
  return (await lab.run(host, process.execPath, ['-e', script])).stdout.trim();
}

/** A booth and an agent in their namespaces, with the hub handing out coturn credentials for `urls`. */
async function setup(urls: string[], acceptTestCertificate = false): Promise<{ s: Stack; k: Page; a: Page }> {
  const s = await startStack({ agents: 1, hub: { turn: { secret: coturn.secret, urls, ttlSeconds: 3600 } } });
  cleanups.push(() => s.close());
  const kioskPort = Number(new URL(s.kioskUrl).port);
  const hubPort = Number(new URL(s.hub.url).port);
  for (const f of [await forwardIntoNamespace(lab, 'kiosk', kioskPort), await forwardIntoNamespace(lab, 'agent', hubPort)]) cleanups.push(() => f.stop());
  const a = await (await browserIn('agent', acceptTestCertificate)).newPage();
  await installPeerRecorder(a);
  await agentReady(a, `http://127.0.0.1:${hubPort}/agent/`, s.agents[0]!);
  const k = await (await browserIn('kiosk', acceptTestCertificate)).newPage();
  await installPeerRecorder(k);
  await k.goto(s.kioskUrl);
  await screen(k, 'attract');
  return { s, k, a };
}

async function callConnects(k: Page, a: Page): Promise<void> {
  await walkToLine(k);
  await a.getByTestId('ring-panel').waitFor({ state: 'visible', timeout: 30_000 });
  await a.getByTestId('ring-accept').click();
  await screen(k, 'inCall');
  await k.waitForSelector('[data-testid="call-state"][data-call-state="connected"]', { timeout: 60_000 });
  // Frames decode both ways.
  await framesFlow(k, 'remote-video');
  await framesFlow(a, 'remote-video');
}

describe('TURN relay in network namespaces', () => {
  it('direct path blocked: the call connects through coturn with the hub’s credentials, video both ways, the agent sees the relay', async () => {
    const turn = lab.hosts.turn!;
    const { k, a } = await setup([`turn:${turn.ip}:${coturn.port}`, `turn:${turn.ip}:${coturn.port}?transport=tcp`]);
    await lab.block('kiosk', 'agent');
    // The block is real: a TCP connection from the kiosk's namespace to the agent's gets no answer at all
    // (an open path would be refused at once by the closed port).
    expect(await probe('kiosk', lab.hosts.agent!.ip)).toBe('timeout');
    expect(await probe('kiosk', turn.ip)).toBe('refused');
    await callConnects(k, a);
    for (const p of [k, a]) {
      const pair = await selectedPair(p);
      expect([pair.local, pair.remote], JSON.stringify(pair)).toContain('relay');
    }
    // Each party got its own short-lived username from the hub, never a static one.
    expect((await selectedPair(k)).username).toMatch(/^\d{10}:kiosk-kiosk-e2e$/);
    expect((await selectedPair(a)).username).toMatch(/^\d{10}:agent-/);
    // The kiosk lowers resolution before frame rate, and its voice goes first.
    const params = await k.evaluate(() => {
      const pc = (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs.at(-1)!;
      return pc.getSenders().filter((s) => s.track).map((s) => {
        const p = s.getParameters() as RTCRtpSendParameters & { degradationPreference?: string };
        return { kind: s.track!.kind, degradation: p.degradationPreference ?? null, priority: (p.encodings[0] as { priority?: string } | undefined)?.priority ?? null, networkPriority: (p.encodings[0] as { networkPriority?: string } | undefined)?.networkPriority ?? null };
      });
    });
    expect(params.find((p) => p.kind === 'video')?.degradation).toBe('maintain-framerate');
    expect(params.find((p) => p.kind === 'audio')).toMatchObject({ priority: 'high', networkPriority: 'high' });
    // The agent's quality panel says the call goes through the relay.
    await a.waitForSelector('[data-testid="call-quality"][data-relay="true"]', { timeout: 15_000 });
    expect(await a.getByTestId('quality-rtt').innerText()).toMatch(/\d+ ms/);
    await a.getByTestId('end-call').click();
    await screen(k, 'survey');
  }, LONG);

  it('UDP blocked as well: TURN over TCP carries the call', async () => {
    const turn = lab.hosts.turn!;
    const { k, a } = await setup([`turn:${turn.ip}:${coturn.port}`, `turn:${turn.ip}:${coturn.port}?transport=tcp`]);
    await lab.block('kiosk', 'agent');
    // An office firewall that lets no UDP out, on both sides.
    for (const host of ['kiosk', 'agent']) await lab.run(host, 'iptables', ['-I', 'OUTPUT', '-p', 'udp', '-d', turn.ip, '-j', 'DROP']);
    cleanups.push(async () => {
      for (const host of ['kiosk', 'agent']) await lab.run(host, 'iptables', ['-D', 'OUTPUT', '-p', 'udp', '-d', turn.ip, '-j', 'DROP']).catch(() => {});
    });
    await callConnects(k, a);
    for (const p of [k, a]) {
      const pair = await selectedPair(p);
      expect(pair.local, JSON.stringify(pair)).toBe('relay');
      expect(pair.relayProtocol, JSON.stringify(pair)).toBe('tcp');
    }
    await a.getByTestId('end-call').click();
    await screen(k, 'survey');
  }, LONG);

  it('only TLS gets out: TURN over TLS (turns:) carries the call', async () => {
    const turn = lab.hosts.turn!;
    const { k, a } = await setup([`turn:${turn.ip}:${coturn.port}`, `turn:${turn.ip}:${coturn.port}?transport=tcp`, `turns:${turn.ip}:${coturn.port + 1}?transport=tcp`], true);
    await lab.block('kiosk', 'agent');
    // An office that lets nothing out to the relay but its TLS port (443 in production).
    const rules = [['-p', 'udp', '-d', turn.ip, '-j', 'DROP'], ['-p', 'tcp', '-d', turn.ip, '--dport', String(coturn.port), '-j', 'DROP']];
    for (const host of ['kiosk', 'agent']) for (const r of rules) await lab.run(host, 'iptables', ['-I', 'OUTPUT', ...r]);
    cleanups.push(async () => {
      for (const host of ['kiosk', 'agent']) for (const r of rules) await lab.run(host, 'iptables', ['-D', 'OUTPUT', ...r]).catch(() => {});
    });
    await callConnects(k, a);
    for (const p of [k, a]) {
      const pair = await selectedPair(p);
      expect(pair.local, JSON.stringify(pair)).toBe('relay');
      expect(pair.relayProtocol, JSON.stringify(pair)).toBe('tls');
    }
    await a.getByTestId('end-call').click();
    await screen(k, 'survey');
  }, LONG);
});

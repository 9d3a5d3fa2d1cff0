// Calls log under a full disk: routing goes on, call records are held in memory (bounded) and
// written when the disk has room again; when the bound is passed the log names exactly what was lost.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statfsSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgent, createKiosk } from '../accounts';
import { createHub } from '../hub';
import { HubTestClient } from '../test-client';
import { CallLogWriter } from './call-log';

interface Line {
  level: 'info' | 'warn' | 'error';
  obj: Record<string, unknown>;
  msg: string;
}
const recorder = () => {
  const lines: Line[] = [];
  const at = (level: Line['level']) => (obj: object, msg: string) => void lines.push({ level, obj: obj as Record<string, unknown>, msg });
  return { lines, log: { info: at('info'), warn: at('warn'), error: at('error') } };
};
const full = () => Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });

describe('CallLogWriter', () => {
  it('holds writes in order while the disk is full and writes them all when it has room', () => {
    const written: string[] = [];
    let room = true;
    const store = {
      callRequested: (c: { callId: string }) => (room ? void written.push(`${c.callId}:requested`) : (() => { throw full(); })()),
      callAccepted: (id: string) => (room ? void written.push(`${id}:accepted`) : (() => { throw full(); })()),
      callEnded: (id: string) => (room ? void written.push(`${id}:ended`) : (() => { throw full(); })()),
    };
    const timers: (() => void)[] = [];
    const { lines, log } = recorder();
    const w = new CallLogWriter(store as never, log, { setTimer: (fn) => timers.push(fn), clearTimer: () => {} });
    const req = (id: string) => ({ callId: id, kioskId: 'k', service: 's', language: 'fr', hasAppointment: false, requestedAt: 1 });
    w.requested(req('c1'));
    room = false;
    w.accepted('c1', 'a', 2);
    w.requested(req('c2'));
    w.ended('c1', { endedAt: 3, outcome: 'agent_hangup', waitMs: 1, durationMs: 1 });
    expect(w.held).toBe(3);
    expect(lines.filter((l) => l.level === 'error')).toHaveLength(1); // said once, not per write
    timers.shift()!(); // retry while still full: still held
    expect(w.held).toBe(3);
    room = true;
    timers.shift()!();
    expect(w.held).toBe(0);
    expect(written).toEqual(['c1:requested', 'c1:accepted', 'c2:requested', 'c1:ended']);
    expect(lines.at(-1)).toMatchObject({ level: 'info', obj: { written: 3, dropped: 0 } });
  });

  it('past the bound, drops the oldest held writes and names each one lost', () => {
    const store = { callRequested: () => { throw full(); }, callAccepted: () => { throw full(); }, callEnded: () => { throw full(); } };
    const { lines, log } = recorder();
    const w = new CallLogWriter(store as never, log, { maxPending: 3, setTimer: () => 1, clearTimer: () => {} });
    for (const id of ['c1', 'c2', 'c3', 'c4', 'c5']) w.accepted(id, 'a', 1);
    expect(w.held).toBe(3);
    const lost = lines.filter((l) => l.msg.endsWith('writes lost')).flatMap((l) => l.obj.lost as string[]);
    expect(lost).toEqual(['c1:accepted', 'c2:accepted']);
    w.close();
    expect(lines.at(-1)).toMatchObject({ obj: { lost: ['c3:accepted', 'c4:accepted', 'c5:accepted'] } });
  });
});

describe('a hub whose disk fills up (real tmpfs)', () => {
  let mnt: string;
  beforeAll(() => {
    mnt = mkdtempSync(join(tmpdir(), 'vg-hub-full-'));
    // Needs root (CI and the dev machines run the suite as root): a real, tiny filesystem.
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mnt]);
  });
  afterAll(() => {
    execFileSync('umount', ['-l', mnt]);
    rmSync(mnt, { recursive: true, force: true });
  });

  it('routes calls while the disk is full and saves their records once space is back', async () => {
    const dbPath = join(mnt, 'hub', 'hub.sqlite');
    mkdirSync(join(mnt, 'hub'));
    const hub = await createHub({ dbPath, callLog: { retryMs: 50 } });
    try {
      const password = (await createAgent(hub.db, { username: 'agent', displayName: 'Agent' })).password;
      const kioskSecret = (await createKiosk(hub.db, { kioskId: 'kiosk-1', name: 'K', office: 'O' })).secret;
      const token = ((await (await fetch(`${hub.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'agent', password }) })).json()) as { token: string }).token;
      const kiosk = await HubTestClient.connect(hub.wsUrl);
      kiosk.send({ type: 'kiosk.auth', v: 1, kioskId: 'kiosk-1', secret: kioskSecret });
      await kiosk.next('welcome');
      const agent = await HubTestClient.connect(hub.wsUrl);
      agent.send({ type: 'agent.auth', v: 1, token });
      await agent.next('welcome');
      agent.send({ type: 'agent.status', status: 'available' });
      await agent.next('agent.state');
      hub.db.db.pragma('wal_checkpoint(TRUNCATE)');

      // Fill the filesystem to the last block.
      const filler = join(mnt, 'filler');
      const { bavail, bsize } = statfsSync(mnt);
      writeFileSync(filler, Buffer.alloc(Number(bavail) * Number(bsize)));
      expect(statfsSync(mnt).bavail).toBe(0);

      const callIds: string[] = [];
      for (let i = 0; i < 3; i++) {
        kiosk.send({ type: 'call.request', requestId: `r${i}`, service: 'emploi', language: 'fr' });
        const ring = await agent.next('call.ring');
        agent.send({ type: 'call.accept', callId: ring.callId });
        await kiosk.next('call.accepted');
        await agent.next('call.connected');
        agent.send({ type: 'call.end', callId: ring.callId, reason: 'agent_hangup' });
        await kiosk.next('call.ended');
        await agent.next('call.ended');
        await agent.next('agent.state');
        callIds.push(ring.callId);
      }
      // Routing worked; the records did not reach the file.
      expect(callIds.map((id) => hub.db.call(id))).toEqual([undefined, undefined, undefined]);

      unlinkSync(filler);
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline && callIds.some((id) => hub.db.call(id)?.outcome !== 'agent_hangup')) await new Promise((r) => setTimeout(r, 50));
      for (const id of callIds) expect(hub.db.call(id)).toMatchObject({ callId: id, kioskId: 'kiosk-1', service: 'emploi', outcome: 'agent_hangup' });
      kiosk.close();
      agent.close();
    } finally {
      await hub.close();
    }
  });
});

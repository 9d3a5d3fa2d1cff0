// Chromium's DevTools protocol over --remote-debugging-pipe: Chromium reads commands on its fd 3 and
// writes answers on its fd 4, NUL-separated JSON. Only the process that spawned it holds those
// pipes (no port another local process could reach). main uses it for one thing: putting the page's
// pinch zoom back to 1 when a visit ends, which nothing inside the page can do (a reload keeps the
// zoom; Emulation.setPageScaleFactor is what resets it, tested in test/e2e/pinch-zoom.e2e.test.ts).
import type { Readable, Writable } from 'node:stream';
import { VisioError } from '../../common/result';

/** A DevTools command failed, timed out, or the pipe closed before the answer. */
export class DevtoolsError extends VisioError {
  constructor(message: string) {
    super('devtools_failed', message);
  }
}

/** The browser-level DevTools connection. */
export interface DevtoolsPipe {
  /** Sends one command (to a page when `sessionId` is given); resolves with its result. */
  send(method: string, params?: Record<string, unknown>, sessionId?: string): Promise<Record<string, unknown>>;
  /** Fails what is pending; later sends fail at once. */
  close(): void;
}

interface Pending {
  method: string;
  resolve(result: Record<string, unknown>): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

/** A client on Chromium's pipes: `toChromium` is its fd 3, `fromChromium` its fd 4. */
export function devtoolsPipe(toChromium: Writable, fromChromium: Readable, opts: { timeoutMs?: number } = {}): DevtoolsPipe {
  const timeoutMs = opts.timeoutMs ?? 5_000;
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let closed = false;
  let buffered = '';

  const failAll = (why: string) => {
    closed = true;
    for (const [id, p] of pending) {
      pending.delete(id);
      clearTimeout(p.timer);
      p.reject(new DevtoolsError(`${p.method}: ${why}`));
    }
  };
  fromChromium.setEncoding('utf8');
  fromChromium.on('data', (chunk: string) => {
    buffered += chunk;
    for (let end = buffered.indexOf('\0'); end >= 0; end = buffered.indexOf('\0')) {
      const raw = buffered.slice(0, end);
      buffered = buffered.slice(end + 1);
      let msg: { id?: unknown; result?: Record<string, unknown>; error?: { message?: string } };
      try {
        msg = JSON.parse(raw) as typeof msg;
      } catch {
        continue;
      }
      // Events (no id) are not asked for; answers settle their command.
      if (typeof msg.id !== 'number') continue;
      const p = pending.get(msg.id);
      if (!p) continue;
      pending.delete(msg.id);
      clearTimeout(p.timer);
      if (msg.error) p.reject(new DevtoolsError(`${p.method}: ${msg.error.message ?? 'failed'}`));
      else p.resolve(msg.result ?? {});
    }
  });
  fromChromium.on('close', () => failAll('Chromium closed its DevTools pipe'));
  fromChromium.on('error', (err) => failAll(err.message));
  toChromium.on('error', (err) => failAll(err.message));

  return {
    send(method, params = {}, sessionId) {
      if (closed) return Promise.reject(new DevtoolsError(`${method}: the DevTools pipe is closed`));
      const id = nextId++;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new DevtoolsError(`${method}: no answer within ${timeoutMs} ms`));
        }, timeoutMs);
        timer.unref();
        pending.set(id, { method, resolve, reject, timer });
        toChromium.write(`${JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) })}\0`);
      });
    },
    close() {
      failAll('closed');
    },
  };
}

/** Sets every page's pinch zoom (visual viewport scale) back to 1; resolves with how many pages it reached. */
export async function resetPageZoom(dt: Pick<DevtoolsPipe, 'send'>): Promise<number> {
  const { targetInfos } = (await dt.send('Target.getTargets')) as { targetInfos?: { targetId: string; type: string }[] };
  let pages = 0;
  for (const target of (targetInfos ?? []).filter((t) => t.type === 'page')) {
    const { sessionId } = (await dt.send('Target.attachToTarget', { targetId: target.targetId, flatten: true })) as { sessionId: string };
    try {
      // A one-off set, not an override: the next citizen can still pinch.
      await dt.send('Emulation.setPageScaleFactor', { pageScaleFactor: 1 }, sessionId);
      pages++;
    } finally {
      await dt.send('Target.detachFromTarget', { sessionId }).catch(() => {});
    }
  }
  return pages;
}

/**
 * Visit phases at which the page's pinch zoom goes back to 1: the end of every visit (attract,
 * closed), so the next citizen never finds the screen zoomed, and the start of a call, whose screen
 * does not take a pinch (renderer/kiosk/styles.css) and must show hang-up and the controls.
 */
export function resetsPinchZoom(phase: unknown): boolean {
  return phase === 'attract' || phase === 'closed' || phase === 'call';
}

/** Most a citizen can pinch-zoom the kiosk page (Electron's visual zoom limit; Chromium's own is 4). */
export const MAX_PINCH_ZOOM = 3;

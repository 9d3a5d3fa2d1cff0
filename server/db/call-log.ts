// The calls log survives a full disk: routing never waits on it, and a write the disk refuses is held
// in memory (bounded, in order) and written when the disk accepts writes again. When the bound is
// reached the oldest held writes are dropped and the log says exactly which calls lost what.
import type { HubStore } from './store';

/** One calls-log write, in the order the dispatcher produced it. */
export type CallLogOp =
  | { op: 'requested'; callId: string; c: Parameters<HubStore['callRequested']>[0] }
  | { op: 'accepted'; callId: string; agentId: string; at: number }
  | { op: 'ended'; callId: string; e: Parameters<HubStore['callEnded']>[1] };

/** The slice of a pino/fastify logger used here (object first, message second). */
export interface CallLogLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface CallLogOptions {
  /** Writes held in memory at most while the disk refuses them; default 20 000 (~ a day of a busy hub). */
  maxPending?: number;
  /** Retry period while writes are held (ms); default 5 000. */
  retryMs?: number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

/** SQLite's answers for "no room": a full disk, a full quota, the page cap. */
const isNoRoom = (err: unknown) => {
  const code = (err as { code?: string }).code ?? '';
  return code === 'SQLITE_FULL' || code.startsWith('SQLITE_IOERR');
};

export class CallLogWriter {
  private readonly pending: CallLogOp[] = [];
  private readonly maxPending: number;
  private readonly retryMs: number;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (handle: unknown) => void;
  private timer: unknown;
  private closed = false;
  /** Writes dropped since the disk filled (reported once it recovers). */
  private dropped = 0;

  constructor(
    private readonly store: Pick<HubStore, 'callRequested' | 'callAccepted' | 'callEnded'>,
    private readonly log: CallLogLogger,
    o: CallLogOptions = {},
  ) {
    this.maxPending = o.maxPending ?? 20_000;
    this.retryMs = o.retryMs ?? 5_000;
    this.setTimer = o.setTimer ?? ((fn, ms) => setTimeout(fn, ms).unref());
    this.clearTimer = o.clearTimer ?? ((h) => clearTimeout(h as NodeJS.Timeout));
  }

  /** Writes held in memory right now (health, tests). */
  get held(): number {
    return this.pending.length;
  }

  requested(c: Parameters<HubStore['callRequested']>[0]): void {
    this.push({ op: 'requested', callId: c.callId, c });
  }
  accepted(callId: string, agentId: string, at: number): void {
    this.push({ op: 'accepted', callId, agentId, at });
  }
  ended(callId: string, e: Parameters<HubStore['callEnded']>[1]): void {
    this.push({ op: 'ended', callId, e });
  }

  /** Tries to write what is held now (also called by the retry timer). */
  flush(): void {
    const heldBefore = this.pending.length;
    while (this.pending.length > 0) {
      const op = this.pending[0]!;
      try {
        this.apply(op);
      } catch (err) {
        if (isNoRoom(err)) {
          this.holdOn(err);
          return;
        }
        // Not a space problem (a bug, a constraint): retrying will not help. Say exactly what is lost.
        this.pending.shift();
        this.log.error({ err, callId: op.callId, write: op.op }, 'calls log write failed; this write is lost');
        continue;
      }
      this.pending.shift();
    }
    if (this.timer !== undefined) {
      this.clearTimer(this.timer);
      this.timer = undefined;
    }
    if (heldBefore > 0 && this.pending.length === 0) {
      this.log.info({ written: heldBefore, dropped: this.dropped }, 'calls log: the disk accepts writes again; held writes are saved');
      this.dropped = 0;
    }
  }

  /** Stops retrying; what is still held is reported as lost. */
  close(): void {
    this.closed = true;
    if (this.timer !== undefined) this.clearTimer(this.timer);
    this.timer = undefined;
    if (this.pending.length > 0) this.reportLost(this.pending.splice(0), 'hub stopping while the disk was full');
  }

  private push(op: CallLogOp): void {
    if (this.closed) return;
    this.pending.push(op);
    // While writes are held, new ones queue behind them (order matters: ended after requested).
    if (this.pending.length === 1) this.flush();
    else if (this.pending.length > this.maxPending) this.reportLost(this.pending.splice(0, this.pending.length - this.maxPending), 'more writes held than the bound');
  }

  private holdOn(err: unknown): void {
    if (this.timer === undefined) {
      this.log.error({ err: String(err), held: this.pending.length, maxPending: this.maxPending }, 'calls log: the disk refuses writes; holding them in memory and retrying');
      this.timer = this.setTimer(() => {
        this.timer = undefined;
        this.flush();
      }, this.retryMs);
    }
  }

  private reportLost(ops: CallLogOp[], why: string): void {
    this.dropped += ops.length;
    this.log.error({ why, lost: ops.map((o) => `${o.callId}:${o.op}`) }, `calls log: ${ops.length} writes lost`);
  }

  private apply(op: CallLogOp): void {
    switch (op.op) {
      case 'requested':
        this.store.callRequested(op.c);
        return;
      case 'accepted':
        this.store.callAccepted(op.callId, op.agentId, op.at);
        return;
      case 'ended':
        this.store.callEnded(op.callId, op.e);
        return;
    }
  }
}

import WebSocket from 'ws';
import type { AgentToHub, HubToAgent, HubToKiosk, KioskToHub } from '../common/protocol';

type Incoming = HubToKiosk | HubToAgent;

/**
 * A protocol client over a real socket, for hub tests and benchmarks: queues every frame the hub
 * sends so a test can await "the next frame" or "the next frame of type X" without races.
 */
export class HubTestClient {
  /** Every frame received, in order. */
  readonly received: Incoming[] = [];
  private cursor = 0;
  private waiters: (() => void)[] = [];
  /** Close code and reason once the socket closed. */
  closed: { code: number; reason: string } | undefined;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data, isBinary) => {
      if (isBinary) return;
      this.received.push(JSON.parse(data.toString()) as Incoming);
      this.wake();
    });
    socket.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.wake();
    });
    socket.on('error', () => {
      /* surfaced through close */
    });
  }

  /** Opens a socket to the hub's /ws URL. */
  static connect(wsUrl: string, options: WebSocket.ClientOptions = {}): Promise<HubTestClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(wsUrl, options);
      const client = new HubTestClient(socket);
      socket.once('open', () => resolve(client));
      socket.once('error', reject);
    });
  }

  /** Sends a protocol object, or any raw string / bytes (for fuzzing). */
  send(msg: KioskToHub | AgentToHub | Record<string, unknown> | string | Buffer): void {
    this.socket.send(typeof msg === 'string' || Buffer.isBuffer(msg) ? msg : JSON.stringify(msg));
  }

  /** The next frame not yet consumed (optionally the next one matching `type`, skipping others). */
  async next<T extends Incoming['type']>(type?: T, timeoutMs = 5000): Promise<Extract<Incoming, { type: T }>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (this.cursor < this.received.length) {
        const m = this.received[this.cursor++] as Incoming;
        if (!type || m.type === type) return m as Extract<Incoming, { type: T }>;
      }
      if (this.closed) throw new Error(`socket closed (${this.closed.code} ${this.closed.reason}) while waiting for ${type ?? 'a frame'}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${type ?? 'a frame'}; got ${JSON.stringify(this.received.slice(-5))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Resolves once the socket is closed. */
  async waitClosed(timeoutMs = 5000): Promise<{ code: number; reason: string }> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('timed out waiting for close');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.closed;
  }

  /** Frames received but not consumed yet. */
  pending(): Incoming[] {
    return this.received.slice(this.cursor);
  }

  /** Closes the socket. */
  close(): void {
    this.socket.close();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}

import { describe, expect, it } from 'vitest';
import { createRinger } from './ring';

class FakeParam {
  value = 0;
  setValueAtTime() {}
  linearRampToValueAtTime() {}
}
class FakeCtx {
  static oscillators: Array<{ hz: number; stopped: number }> = [];
  state = 'suspended';
  currentTime = 0;
  destination = {};
  resumed = 0;
  resume() {
    this.resumed++;
    this.state = 'running';
    return Promise.resolve();
  }
  createGain() {
    return { gain: new FakeParam(), connect() {} };
  }
  createOscillator() {
    const rec = { hz: 0, stopped: 0 };
    FakeCtx.oscillators.push(rec);
    return {
      frequency: { set value(v: number) { rec.hz = v; } },
      connect() {},
      disconnect() {},
      start() {},
      stop() { rec.stopped++; },
      onended: null,
    };
  }
}

describe('createRinger', () => {
  it('plays two-tone bursts on a timer until stopped, and resumes a suspended context', () => {
    FakeCtx.oscillators = [];
    const ticks: Array<() => void> = [];
    let cleared = 0;
    const r = createRinger({
      AudioContext: FakeCtx as unknown as typeof AudioContext,
      setInterval: ((fn: () => void) => (ticks.push(fn), 7)) as unknown as typeof setInterval,
      clearInterval: (() => cleared++) as unknown as typeof clearInterval,
    });
    r.start();
    r.start();
    expect(r.ringing()).toBe(true);
    expect(ticks).toHaveLength(1);
    expect(FakeCtx.oscillators.map((o) => o.hz)).toEqual([440, 480]);
    ticks[0]!();
    expect(FakeCtx.oscillators).toHaveLength(4);
    r.stop();
    r.stop();
    expect(r.ringing()).toBe(false);
    expect(cleared).toBe(1);
  });

  it('stays silent without Web Audio (Node)', () => {
    const r = createRinger({ AudioContext: undefined });
    expect(() => { r.unlock(); r.start(); r.stop(); }).not.toThrow();
  });
});

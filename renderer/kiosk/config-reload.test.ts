import { describe, expect, it } from 'vitest';
import { reloadOnConfigChange, type IdleWatch } from './config-reload';

function fakeActor(state: string) {
  const listeners = new Set<(s: { value: unknown }) => void>();
  const snap = () => ({ value: current.state === 'inCall' ? { visit: 'flow' } : current.state });
  const current = { state };
  const actor: IdleWatch = {
    getSnapshot: snap,
    subscribe(l) {
      listeners.add(l);
      return { unsubscribe: () => listeners.delete(l) };
    },
  };
  return { actor, go(s: string) { current.state = s; for (const l of [...listeners]) l(snap()); }, listeners };
}

describe('reloadOnConfigChange', () => {
  it('reloads at once when the booth is idle', () => {
    const a = fakeActor('attract');
    let fire = () => {};
    let reloads = 0;
    reloadOnConfigChange({ onConfigChanged: (l) => ((fire = l), () => {}), actor: a.actor, reload: () => reloads++ });
    fire();
    expect(reloads).toBe(1);
  });

  it('waits for the visit to end when a citizen touched the screen before the change arrived', () => {
    const a = fakeActor('services');
    let fire = () => {};
    let reloads = 0;
    reloadOnConfigChange({ onConfigChanged: (l) => ((fire = l), () => {}), actor: a.actor, reload: () => reloads++ });
    fire();
    fire();
    a.go('waiting');
    a.go('inCall');
    expect(reloads).toBe(0);
    a.go('attract');
    expect(reloads).toBe(1);
    a.go('services');
    a.go('attract');
    expect(reloads).toBe(1);
    expect(a.listeners.size).toBe(0);
  });
});

// A new hub configuration (main applied it between visits) reaches the page by a reload, which is
// the kiosk's reset: the page reads `config.get` afresh at boot. Never during a visit: if a citizen
// touched the screen before the event arrived, the reload waits until the booth is idle again.

/** The slice of the session actor this needs (its snapshot's state value). */
export interface IdleWatch {
  getSnapshot(): { value: unknown };
  subscribe(listener: (snapshot: { value: unknown }) => void): { unsubscribe(): void };
}

/** Top-level states with no citizen in front of the booth. */
const idle = (s: { value: unknown }) => s.value === 'attract' || s.value === 'closed';

/** Reloads the page on `config.changed`, at once when idle, else at the next idle state. Returns the stop function. */
export function reloadOnConfigChange(deps: {
  onConfigChanged: (listener: () => void) => () => void;
  actor: IdleWatch;
  reload: () => void;
}): () => void {
  let waiting: { unsubscribe(): void } | undefined;
  const off = deps.onConfigChanged(() => {
    if (idle(deps.actor.getSnapshot())) {
      deps.reload();
      return;
    }
    waiting ??= deps.actor.subscribe((snap) => {
      if (!idle(snap)) return;
      waiting?.unsubscribe();
      waiting = undefined;
      deps.reload();
    });
  });
  return () => {
    off();
    waiting?.unsubscribe();
  };
}

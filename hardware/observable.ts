// Two tiny primitives used across the layer: a typed event emitter whose `on` returns the
// unsubscribe function, and a live value (current value + change subscription).

export type Unsubscribe = () => void;
type AnyListener = (...args: unknown[]) => void;

/** Typed emitter. A throwing listener never breaks the emitter or the other listeners. */
export class Emitter<E extends { [K in keyof E]: unknown[] }> {
  private readonly listeners = new Map<keyof E, Set<AnyListener>>();
  constructor(private readonly onListenerError: (err: unknown) => void = () => {}) {}

  on<K extends keyof E>(event: K, fn: (...args: E[K]) => void): Unsubscribe {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    const f = fn as unknown as AnyListener;
    set.add(f);
    return () => void set.delete(f);
  }

  emit<K extends keyof E>(event: K, ...args: E[K]): void {
    for (const fn of [...(this.listeners.get(event) ?? [])]) {
      try {
        fn(...(args as unknown[]));
      } catch (err) {
        this.onListenerError(err);
      }
    }
  }

  clear(): void {
    this.listeners.clear();
  }
}

/** A live value: `get()` now, `subscribe()` for changes (the listener is not called on subscribe). */
export interface ReadonlyValue<T> {
  get(): T;
  subscribe(fn: (value: T) => void): Unsubscribe;
}

export class LiveValue<T> implements ReadonlyValue<T> {
  private readonly emitter = new Emitter<{ change: [T] }>();
  constructor(private value: T, private readonly equals: (a: T, b: T) => boolean = Object.is) {}
  get(): T {
    return this.value;
  }
  set(next: T): void {
    if (this.equals(this.value, next)) return;
    this.value = next;
    this.emitter.emit('change', next);
  }
  subscribe(fn: (value: T) => void): Unsubscribe {
    return this.emitter.on('change', fn);
  }
}

// Technician panel state, driven by the bridge only (no DOM): device states live from
// `hardware.state` / `hardware.input` events, everything else polled while the panel is open.
// Hidden in normal use: a 3 s long-press in the top-right corner asks for the PIN, which main
// checks (`technician.unlock`); in simulation mode a small corner button opens it directly.
import type { BridgeApi, CallName } from '../../../common/bridge/contract';
import type { HubLinkStatus } from '../../../common/bridge/core';
import type { DeviceKind, DeviceStates, HardwareInput, ScreenState, SimControl, SimSnapshot } from '../../../common/bridge/hardware';
import type { OutboxStats } from '../../../common/bridge/outbox';
import type { MessageKey } from '../../../common/i18n';
import type { KioskHealthSnapshot } from '../../../common/protocol';
import { toErrorInfo } from '../../../common/result';
import type { EchoTestResult } from '../../shared/echo-test';

export type TechMode = 'closed' | 'pin' | 'open';

/** Outcome of the last echo-path test run from the panel. */
export interface EchoOutcome {
  heard: boolean;
  /** When it ran (epoch ms). */
  at: number;
  /** Median tone ratio (0–1) and capture level (0–1); 0 when the test could not run. */
  ratio: number;
  level: number;
  /** Stable code when the test could not run (`echo_mic_failed`…), else null. */
  error: string | null;
}

/** One input event seen while the panel was mounted. */
export interface SeenInput {
  /** When it arrived (epoch ms). */
  at: number;
  input: HardwareInput;
}

/** Everything the panel shows. */
export interface TechState {
  /** closed (only the opener), pin (keypad), open (diagnostics). */
  mode: TechMode;
  /** Simulation mode (config): twin controls, corner button, no PIN. */
  simulation: boolean;
  /** Digits typed on the PIN pad (never leaves the panel except to main's check). */
  pin: string;
  /** Why the last PIN was refused. */
  pinError: MessageKey | null;
  hub: HubLinkStatus;
  devices: DeviceStates | null;
  health: KioskHealthSnapshot | null;
  /** null while unknown or when this kiosk has no outbox. */
  outbox: OutboxStats | null;
  screen: ScreenState | null;
  /** What the simulated twins show (simulation mode only). */
  sim: SimSnapshot | null;
  /** Latest input events, newest first. */
  inputs: SeenInput[];
  /** Code typed for the simulated scanner. */
  simCode: string;
  /** Error code of the last failed action, for the banner. */
  error: string | null;
  /** Live camera preview and microphone meter (run by the DOM glue). */
  media: { running: boolean; error: string | null };
  /** Speaker → microphone echo test (provisioning): running, and the last outcome. */
  echo: { running: boolean; result: EchoOutcome | null };
}

export interface TechnicianControllerOptions {
  bridge: BridgeApi;
  /** Clock (epoch ms). */
  now?: () => number;
  /** Poll period while open (ms, default 2000). */
  pollMs?: number;
  /** Close by itself after this long without a touch, outside simulation mode (ms, default 3 min). */
  idleCloseMs?: number;
  /** Runs the echo-path test (the DOM glue binds renderer/shared/echo-test.ts to the real devices). */
  runEcho?: () => Promise<EchoTestResult>;
  /** Timer functions (tests). */
  timers?: { setInterval: typeof setInterval; clearInterval: typeof clearInterval; setTimeout: typeof setTimeout; clearTimeout: typeof clearTimeout };
}

export interface TechnicianController {
  readonly state: TechState;
  /** Called after every state change. */
  subscribe(listener: (s: TechState) => void): () => void;
  /** Reads the config (simulation mode) and subscribes to bridge events. */
  start(): Promise<void>;
  /** Corner button (simulation) or long-press: open, or ask for the PIN. */
  openRequested(): void;
  pinKey(digit: string): void;
  pinErase(): void;
  pinSubmit(): Promise<void>;
  /** Back to closed (stops polling; the glue stops the preview). */
  close(): void;
  /** Any touch inside the panel postpones the idle close. */
  touch(): void;
  refresh(): Promise<void>;
  exercise(kind: DeviceKind): Promise<void>;
  sim(control: SimControl): Promise<void>;
  setSimCode(code: string): void;
  setMedia(media: TechState['media']): void;
  /** Plays the self-test tone, shows whether the microphone heard it, and reports it to main. */
  echoTest(): Promise<void>;
  dispose(): void;
}

const MAX_INPUTS = 8;
const PIN_MAX = 12;

export function createTechnicianController(o: TechnicianControllerOptions): TechnicianController {
  const { bridge } = o;
  const now = o.now ?? Date.now;
  // Wrapped: browsers throw "Illegal invocation" when window's timer functions are called as methods of another object.
  const timers = o.timers ?? {
    setInterval: ((fn: () => void, ms: number) => setInterval(fn, ms)) as typeof setInterval,
    clearInterval: ((h: ReturnType<typeof setInterval>) => clearInterval(h)) as typeof clearInterval,
    setTimeout: ((fn: () => void, ms: number) => setTimeout(fn, ms)) as typeof setTimeout,
    clearTimeout: ((h: ReturnType<typeof setTimeout>) => clearTimeout(h)) as typeof clearTimeout,
  };
  const pollMs = o.pollMs ?? 2000;
  const idleCloseMs = o.idleCloseMs ?? 3 * 60_000;
  const listeners = new Set<(s: TechState) => void>();
  const unsubscribers: (() => void)[] = [];
  let poll: ReturnType<typeof setInterval> | undefined;
  let idle: ReturnType<typeof setTimeout> | undefined;
  let state: TechState = {
    mode: 'closed',
    simulation: false,
    pin: '',
    pinError: null,
    hub: 'connecting',
    devices: null,
    health: null,
    outbox: null,
    screen: null,
    sim: null,
    inputs: [],
    simCode: 'ABC123',
    error: null,
    media: { running: false, error: null },
    echo: { running: false, result: null },
  };

  const set = (patch: Partial<TechState>) => {
    state = { ...state, ...patch };
    for (const l of listeners) l(state);
  };

  /** A bridge call whose failure lands in the banner instead of throwing. */
  const run = async (channel: CallName, ...args: unknown[]): Promise<unknown> => {
    const r = await (bridge.invoke as (c: string, ...a: unknown[]) => Promise<{ ok: boolean; value?: unknown; error?: { code: string } }>)(channel, ...args);
    if (!r.ok) {
      set({ error: r.error?.code ?? 'error' });
      return undefined;
    }
    return r.value;
  };

  const armIdle = () => {
    if (idle !== undefined) timers.clearTimeout(idle);
    idle = undefined;
    // In simulation mode the panel is a developer tool on a developer's screen: no auto-close.
    if (state.mode === 'closed' || state.simulation) return;
    idle = timers.setTimeout(() => controller.close(), idleCloseMs);
  };

  const refresh = async () => {
    const invoke = bridge.invoke as (c: string) => Promise<{ ok: boolean; value?: unknown }>;
    const [devices, health, outbox, screen, hub, sim] = await Promise.all([
      invoke('hardware.states'),
      invoke('health.get'),
      invoke('outbox.stats'),
      invoke('hardware.screen'),
      invoke('hub.status'),
      state.simulation ? invoke('hardware.sim.snapshot') : Promise.resolve({ ok: false, value: undefined }),
    ]);
    if (state.mode === 'closed') return;
    set({
      devices: devices.ok ? (devices.value as DeviceStates) : null,
      health: health.ok ? (health.value as KioskHealthSnapshot) : null,
      outbox: outbox.ok ? (outbox.value as OutboxStats) : null,
      screen: screen.ok ? (screen.value as ScreenState | null) : null,
      ...(hub.ok ? { hub: hub.value as HubLinkStatus } : {}),
      sim: sim.ok ? (sim.value as SimSnapshot) : null,
    });
  };

  const openPanel = () => {
    set({ mode: 'open', pin: '', pinError: null, error: null });
    armIdle();
    void refresh();
    if (poll === undefined) poll = timers.setInterval(() => void refresh(), pollMs);
  };

  const controller: TechnicianController = {
    get state() {
      return state;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async start() {
      const cfg = await bridge.invoke('config.get');
      set({ simulation: cfg.ok ? cfg.value.simulation : false });
      unsubscribers.push(
        bridge.on('hardware.state', (kind, s) => {
          if (state.devices) set({ devices: { ...state.devices, [kind]: s } });
        }),
        bridge.on('hardware.input', (input) => set({ inputs: [{ at: now(), input }, ...state.inputs].slice(0, MAX_INPUTS) })),
        bridge.on('hub.status', (hub) => set({ hub })),
      );
    },
    openRequested() {
      if (state.mode !== 'closed') return;
      if (state.simulation) openPanel();
      else {
        set({ mode: 'pin', pin: '', pinError: null });
        armIdle();
      }
    },
    pinKey(digit) {
      if (state.mode !== 'pin' || !/^\d$/.test(digit) || state.pin.length >= PIN_MAX) return;
      set({ pin: state.pin + digit, pinError: null });
      armIdle();
    },
    pinErase() {
      if (state.mode === 'pin') set({ pin: state.pin.slice(0, -1) });
    },
    async pinSubmit() {
      if (state.mode !== 'pin' || state.pin === '') return;
      const r = await bridge.invoke('technician.unlock', state.pin);
      if (state.mode !== 'pin') return;
      if (r.ok && r.value) return openPanel();
      const pinError: MessageKey = r.ok ? 'tech.pin.wrong' : r.error.code === 'technician_locked' ? 'tech.pin.locked' : r.error.code === 'technician_disabled' ? 'tech.pin.disabled' : 'tech.pin.wrong';
      set({ pin: '', pinError });
    },
    close() {
      if (poll !== undefined) timers.clearInterval(poll);
      if (idle !== undefined) timers.clearTimeout(idle);
      poll = idle = undefined;
      // Nothing of the session stays on screen: the next person sees a closed panel with no PIN typed.
      set({ mode: 'closed', pin: '', pinError: null, error: null, health: null, outbox: null, sim: null });
    },
    touch: armIdle,
    refresh,
    async exercise(kind) {
      set({ error: null });
      await run('hardware.exercise', kind);
    },
    async sim(control) {
      set({ error: null });
      await run('hardware.sim.control', control);
      await refresh();
    },
    setSimCode(code) {
      // No re-render needed for typing; the value is read when "scan" is pressed.
      state = { ...state, simCode: code };
    },
    setMedia(media) {
      set({ media });
    },
    async echoTest() {
      if (state.echo.running || state.mode !== 'open') return;
      set({ error: null, echo: { running: true, result: state.echo.result } });
      let result: EchoOutcome;
      let detail: Pick<EchoTestResult, 'snrDb' | 'frequencyHz' | 'microphone'> = { snrDb: null, frequencyHz: 1500, microphone: null };
      try {
        if (!o.runEcho) throw Object.assign(new Error('no echo test in this renderer'), { code: 'echo_unavailable' });
        const r = await o.runEcho();
        result = { heard: r.heard, at: now(), ratio: r.ratio, level: r.level, error: null };
        detail = r;
      } catch (err) {
        // A test that could not run is a failed test: the booth is not proven to hear/be heard.
        const code = (err as { code?: unknown }).code;
        result = { heard: false, at: now(), ratio: 0, level: 0, error: typeof code === 'string' ? code : toErrorInfo(err, 'echo_failed').code };
      }
      set({ echo: { running: false, result } });
      await run('health.audioEcho', { ...result, snrDb: detail.snrDb, frequencyHz: detail.frequencyHz, microphone: detail.microphone === null ? null : detail.microphone.slice(0, 200) });
      if (state.mode === 'open') await refresh();
    },
    dispose() {
      controller.close();
      for (const u of unsubscribers.splice(0)) u();
      listeners.clear();
    },
  };
  return controller;
}

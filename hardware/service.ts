// The hardware section of main: bridge handlers for the `hardware.*` channels, the visit phase →
// status light / screen policy, event forwarding to the renderer, and the health report. main
// composes it (see the README's "Wiring" section); hardware/ never imports main.
import type { VisitPhase } from '../common/bridge/core';
import type { BridgeHandlers, EmitEvent } from '../common/bridge/contract';
import type { CameraHealth, DeviceKind, hardwareCalls, LightStatus, MediaInUse, SimControl, SimSnapshot } from '../common/bridge/hardware';
import { VisioError } from '../common/result';
import { realTimers, type Timers } from './drivers';
import { buildHardwareHealth, type HardwareHealth } from './health';
import type { Screen } from './interfaces';
import type { Clock, DeviceManager } from './manager';
import type { Unsubscribe } from './observable';
import type { ScreenScheduler } from './screen/scheduler';
import type { SimulatedBooth } from './sim/twins';

export type HardwareChannel = keyof typeof hardwareCalls;

export class NotSimulatedError extends VisioError {
  constructor() {
    super('not_simulated', 'Simulated device controls only work in simulation mode (config "simulation": true); this kiosk drives real devices.');
  }
}

/** What the status light shows in each visit phase. */
export function lightForPhase(phase: VisitPhase): LightStatus {
  switch (phase) {
    case 'attract':
      return 'free';
    case 'visit':
    case 'call':
      return 'busy';
    case 'out_of_service':
      return 'outOfService';
    case 'closed':
      return 'off';
    default: {
      const never: never = phase;
      return never;
    }
  }
}

export interface HardwareServiceDeps {
  manager: DeviceManager;
  /** Screen power schedule (null when no screen control was detected). */
  scheduler?: ScreenScheduler | null;
  screen?: Screen | null;
  /** Simulation mode: the twins the technician panel drives. */
  booth?: SimulatedBooth | null;
  /** Push events to the renderer (main's bridge emitter). */
  emit?: EmitEvent;
  /** Kinds this booth must have (absent = health problem). */
  required?: readonly DeviceKind[];
  clock?: Clock;
  timers?: Timers;
}

export interface HardwareService {
  /** Spread into main's handler table: `{ ...unavailableHandlers(), ...core, ...hardware.handlers }`. */
  handlers: Pick<BridgeHandlers, HardwareChannel>;
  /** Call from main's `session.phase` handler (status light + screen schedule). */
  setPhase(phase: VisitPhase): Promise<void>;
  /** A touch on the screen (keeps it on outside hours for a while). */
  wake(): Promise<void>;
  /** The hub's / diagnostics' hardware health. */
  health(): HardwareHealth;
  /** Unsubscribe from the manager (does not stop it). */
  dispose(): void;
}

export function createHardwareService(deps: HardwareServiceDeps): HardwareService {
  const { manager, scheduler = null, booth = null } = deps;
  const clock = deps.clock ?? { now: () => Date.now() };
  const timers = deps.timers ?? realTimers;
  let camera: { report: CameraHealth; at: number } | null = null;
  let media: MediaInUse | null = null;
  let phase: VisitPhase = 'attract';

  const subs: Unsubscribe[] = [
    manager.on('input', (ev) => {
      deps.emit?.('hardware.input', ev);
      if (ev.type === 'presence.changed') void scheduler?.presence(ev.present);
    }),
    manager.on('state', (kind, state) => deps.emit?.('hardware.state', kind, state)),
  ];

  const sleep = (ms: number) => new Promise<void>((resolve) => timers.setTimeout(resolve, ms));

  const requireBooth = (): SimulatedBooth => {
    if (!booth) throw new NotSimulatedError();
    return booth;
  };

  const simControl = (c: SimControl): void => {
    const b = requireBooth();
    switch (c.action) {
      case 'connect':
        return b[c.device].connect();
      case 'disconnect':
        return b[c.device].disconnect();
      case 'lift':
        return b.handset.lift();
      case 'hangUp':
        return b.handset.hangUp();
      case 'toggleMute':
        return b.handset.pressMute();
      case 'press':
        return b.callButton.press();
      case 'presence':
        return b.presence.setPresent(c.present);
      case 'scan':
        return b.scanner.scan(c.code);
      default: {
        const never: never = c;
        throw new Error(`unknown control ${JSON.stringify(never)}`);
      }
    }
  };

  const simSnapshot = (): SimSnapshot => {
    const b = requireBooth();
    const kinds = ['handset', 'callButton', 'statusLight', 'presence', 'scanner'] as const;
    return {
      connected: Object.fromEntries(kinds.map((k) => [k, b[k].connected])) as SimSnapshot['connected'],
      light: b.statusLight.color,
      leds: b.handset.leds,
      offHook: b.handset.isOffHook,
      present: b.presence.isPresent,
    };
  };

  // Technician "test" button: make output devices visibly do something, then restore.
  const exercise = async (kind: DeviceKind): Promise<void> => {
    if (kind === 'statusLight') {
      for (const s of ['free', 'busy', 'outOfService'] as const) {
        await manager.statusLight.show(s);
        await sleep(700);
      }
      await manager.statusLight.show(lightForPhase(phase));
    } else if (kind === 'handset') {
      await manager.handset.setLeds({ ring: true });
      await sleep(2000);
      await manager.handset.setLeds({ ring: false });
    }
    // Input devices are exercised by the technician (press, lift, scan) while the diagnostics
    // screen shows the `hardware.input` events live.
  };

  return {
    handlers: {
      'hardware.states': () => manager.states.get(),
      'hardware.exercise': (kind) => exercise(kind),
      'hardware.cameraHealth': (report) => {
        camera = { report, at: clock.now() };
      },
      'hardware.mediaInUse': (m) => {
        media = m;
      },
      'hardware.screen': async () => (deps.screen ? deps.screen.state() : null),
      'hardware.wake': async () => {
        await scheduler?.wake();
      },
      'hardware.sim.control': (c) => simControl(c),
      'hardware.sim.snapshot': () => simSnapshot(),
    },
    async setPhase(next) {
      phase = next;
      // The light must never block the session: its failures are already in the device state.
      await Promise.all([manager.statusLight.show(lightForPhase(next)).catch(() => {}), scheduler?.setPhase(next)]);
      // Handset off-hook LED follows the call.
      await manager.handset.setLeds({ offHook: next === 'call' }).catch(() => {});
    },
    wake: async () => {
      await scheduler?.wake();
    },
    health: () =>
      buildHardwareHealth({
        devices: manager.health(),
        required: deps.required,
        screen: scheduler && deps.screen ? { state: scheduler.state.get(), method: deps.screen.method } : null,
        camera,
        media,
        now: clock.now(),
      }),
    dispose: () => subs.splice(0).forEach((u) => u()),
  };
}

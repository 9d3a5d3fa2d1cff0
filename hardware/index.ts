// Public API of the hardware layer (what main composes). See README.md "Wiring".
export * from './interfaces';
export * from './errors';
export { DeviceManager, ALL_KINDS, type DeviceManagerOptions, type DeviceHealth, type ManagerEvents, type Clock } from './manager';
export { createHardwareService, lightForPhase, NotSimulatedError, type HardwareService, type HardwareServiceDeps, type HardwareChannel } from './service';
export { buildHardwareHealth, type HardwareHealth } from './health';
export { defaultLightColors, realTimers, type LightColors, type Timers } from './drivers';
export { builtinProfiles, loadProfiles, matchProfile, parseProfile, profileById, DeviceProfile } from './profiles';
export type { HidBackend, HidDeviceInfo, HidHandle } from './hid/backend';
export { createNodeHidBackend } from './hid/node-hid';
export { SimHidBackend, SimHidDevice } from './sim/hid-sim';
export { createSimulatedBooth, HandsetTwin, CallButtonTwin, StatusLightTwin, PresenceTwin, ScannerTwin, type SimulatedBooth } from './sim/twins';
export { ManualClock, flush } from './sim/clock';
export { detectScreen, SimScreen, XsetScreen, WlrRandrScreen, BacklightScreen, DdcutilScreen, CompositeScreen, type Exec, type ScreenFs } from './screen/screen';
export { ScreenScheduler, desiredPower, type ScreenPowerState } from './screen/scheduler';
export { Emitter, LiveValue, type ReadonlyValue, type Unsubscribe } from './observable';

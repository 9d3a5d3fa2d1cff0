// Bridge section of the hardware layer: device states and typed input events (main → renderer),
// technician actions, and the simulated-device controls of the hidden technician panel.
import { z } from 'zod';
import { call } from './define';

/** The USB peripherals the booth knows (one of each at most). */
export const DeviceKind = z.enum(['handset', 'callButton', 'statusLight', 'presence', 'scanner']);
export type DeviceKind = z.infer<typeof DeviceKind>;

const Reason = z.object({ code: z.string(), message: z.string() });

/** Live state of one peripheral: what the UI and the health report read. */
export const DeviceState = z.discriminatedUnion('status', [
  z.object({ status: z.literal('absent') }),
  z.object({ status: z.literal('connected'), profileId: z.string(), product: z.string(), path: z.string(), since: z.number() }),
  z.object({
    status: z.literal('failed'),
    profileId: z.string(),
    reason: Reason,
    attempts: z.number().int(),
    /** Epoch ms of the next reopen attempt. */
    retryAt: z.number(),
  }),
]);
export type DeviceState = z.infer<typeof DeviceState>;

export const DeviceStates = z.object({
  handset: DeviceState,
  callButton: DeviceState,
  statusLight: DeviceState,
  presence: DeviceState,
  scanner: DeviceState,
});
export type DeviceStates = z.infer<typeof DeviceStates>;

/** Typed input events, namespaced like the session machine's events (send them to it as is). */
export const HardwareInput = z.discriminatedUnion('type', [
  z.object({ type: z.literal('handset.lifted') }),
  z.object({ type: z.literal('handset.hungUp') }),
  z.object({ type: z.literal('handset.muteChanged'), muted: z.boolean() }),
  z.object({ type: z.literal('callButton.pressed') }),
  z.object({ type: z.literal('presence.changed'), present: z.boolean() }),
  z.object({ type: z.literal('code.scanned'), code: z.string(), symbology: z.string() }),
]);
export type HardwareInput = z.infer<typeof HardwareInput>;

/** What the status light outside the booth says. */
export const LightStatus = z.enum(['free', 'busy', 'outOfService', 'off']);
export type LightStatus = z.infer<typeof LightStatus>;

export const ScreenState = z.object({ on: z.boolean(), brightness: z.number().min(0).max(1).nullable(), method: z.string() });
export type ScreenState = z.infer<typeof ScreenState>;

/** Camera health measured in the renderer (common/frame-health.ts) and reported to main; `missing` = no videoinput device at all. */
export const FrameVerdict = z.enum(['ok', 'black', 'frozen', 'no_frames', 'missing']);
export const CameraHealth = z.object({
  verdict: FrameVerdict,
  meanLuma: z.number(),
  variance: z.number(),
  meanDiff: z.number(),
  frames: z.number().int(),
  deviceLabel: z.string().nullable(),
});
export type CameraHealth = z.infer<typeof CameraHealth>;

/** Which media devices the renderer ended up using (label, and whether it was a fallback). */
export const MediaInUse = z.object({
  camera: z.string().nullable(),
  microphone: z.string().nullable(),
  speaker: z.string().nullable(),
  fallback: z.boolean(),
});
export type MediaInUse = z.infer<typeof MediaInUse>;

/** Echo-path test result (renderer/shared/echo-test.ts), reported by the technician panel at provisioning (`health.audioEcho`). */
export const AudioEchoReport = z.object({
  /** The microphone heard the speaker's self-test tone. */
  heard: z.boolean(),
  /** When the test ran (renderer clock, epoch ms). */
  at: z.number(),
  /** Median tone/total power ratio (0–1). */
  ratio: z.number().min(0).max(1),
  /** RMS level of the capture (0–1). */
  level: z.number().min(0),
  snrDb: z.number().nullable(),
  frequencyHz: z.number().positive(),
  /** Stable code when the test could not run (`echo_mic_failed`, `echo_speaker_failed`…), else null. */
  error: z.string().max(64).nullable(),
  /** Label of the microphone that listened. */
  microphone: z.string().max(200).nullable(),
});
export type AudioEchoReport = z.infer<typeof AudioEchoReport>;

/** Technician panel controls of the simulated twins (simulation mode only). */
export const SimControl = z.discriminatedUnion('action', [
  z.object({ action: z.literal('connect'), device: DeviceKind }),
  z.object({ action: z.literal('disconnect'), device: DeviceKind }),
  z.object({ action: z.literal('lift') }),
  z.object({ action: z.literal('hangUp') }),
  z.object({ action: z.literal('toggleMute') }),
  z.object({ action: z.literal('press') }),
  z.object({ action: z.literal('presence'), present: z.boolean() }),
  z.object({ action: z.literal('scan'), code: z.string().min(1).max(500) }),
]);
export type SimControl = z.infer<typeof SimControl>;

/** What the simulated devices currently show (light colour, handset LEDs), for the panel. */
export const SimSnapshot = z.object({
  connected: z.record(DeviceKind, z.boolean()),
  light: z.object({ r: z.number(), g: z.number(), b: z.number(), blink: z.boolean() }).nullable(),
  leds: z.object({ offHook: z.boolean(), ring: z.boolean(), mute: z.boolean() }),
  offHook: z.boolean(),
  present: z.boolean(),
});
export type SimSnapshot = z.infer<typeof SimSnapshot>;

export const hardwareCalls = {
  /** Live state of every peripheral. */
  'hardware.states': call(z.tuple([]), DeviceStates),
  /** Technician diagnostics: make one device visibly/audibly do something (light cycles, handset rings). */
  'hardware.exercise': call(z.tuple([DeviceKind]), z.void()),
  /** The renderer reports camera health from frame sampling (feeds the hub's health report). */
  'hardware.cameraHealth': call(z.tuple([CameraHealth]), z.void()),
  /** The renderer reports which camera/microphone/speaker it selected. */
  'hardware.mediaInUse': call(z.tuple([MediaInUse]), z.void()),
  /** Screen power state (technician screen). */
  'hardware.screen': call(z.tuple([]), ScreenState.nullable()),
  /** The citizen touched the screen: keep it on for a while outside opening hours. */
  'hardware.wake': call(z.tuple([]), z.void()),
  /** Simulation mode only: drive a simulated twin; fails with `not_simulated` otherwise. */
  'hardware.sim.control': call(z.tuple([SimControl]), z.void()),
  /** Simulation mode only: what the twins show. */
  'hardware.sim.snapshot': call(z.tuple([]), SimSnapshot),
};

export const hardwareEvents = {
  /** A peripheral changed state (connected, failed + reason, absent). */
  'hardware.state': z.tuple([DeviceKind, DeviceState]),
  /** A typed input event from a peripheral (send it to the session machine). */
  'hardware.input': z.tuple([HardwareInput]),
};

// Camera / microphone / speaker selection policy as pure data logic, shared by main (config) and
// the renderer (which owns Chromium media). Device ids differ per origin and per boot; labels do
// not, so the kiosk's configuration names devices by label pattern, tried in order.
import { z } from 'zod';

export type MediaKind = 'videoinput' | 'audioinput' | 'audiooutput';

/** The subset of MediaDeviceInfo this module needs (keeps common/ free of DOM types). */
export interface MediaDeviceLike {
  deviceId: string;
  kind: MediaKind;
  label: string;
  groupId?: string;
}

/** How to choose one device of a kind. */
export const MediaPreference = z.object({
  /** Label patterns (case-insensitive regular expressions, or plain text), best first. */
  labels: z.array(z.string()).default([]),
  /** Never use devices whose label matches one of these (IR cameras, virtual devices, monitors' speakers). */
  exclude: z.array(z.string()).default([]),
  /** When no pattern matches: the system default device, the first usable one, or nothing. */
  fallback: z.enum(['default', 'first', 'none']).default('default'),
});
export type MediaPreference = z.infer<typeof MediaPreference>;

const pref = () => MediaPreference.default({ labels: [], exclude: [], fallback: 'default' });

export const MediaPolicy = z.object({
  camera: pref(),
  microphone: pref(),
  speaker: pref(),
  video: z
    .object({ width: z.number().int().positive().default(1280), height: z.number().int().positive().default(720), frameRate: z.number().positive().default(30) })
    .default({ width: 1280, height: 720, frameRate: 30 }),
  audio: z
    .object({ echoCancellation: z.boolean().default(true), noiseSuppression: z.boolean().default(true), autoGainControl: z.boolean().default(true) })
    .default({ echoCancellation: true, noiseSuppression: true, autoGainControl: true }),
});
export type MediaPolicy = z.infer<typeof MediaPolicy>;

export const defaultMediaPolicy: MediaPolicy = MediaPolicy.parse({});

/** Why a device was chosen: matched pattern n, system default, first usable, or none available. */
export type SelectionReason = { by: 'label'; pattern: number } | { by: 'default' } | { by: 'first' } | { by: 'none' };

export interface Selection {
  device: MediaDeviceLike | null;
  reason: SelectionReason;
  /** True when labels are empty: the page has no media permission yet, so patterns cannot match. */
  labelsHidden: boolean;
}

/** Compiles a pattern; an invalid regular expression is matched as plain text instead of throwing. */
export function labelMatcher(pattern: string): (label: string) => boolean {
  try {
    const re = new RegExp(pattern, 'i');
    return (label) => re.test(label);
  } catch {
    const needle = pattern.toLowerCase();
    return (label) => label.toLowerCase().includes(needle);
  }
}

/** Chooses one device of `kind` following `preference`. Pure: same input, same choice. */
export function selectDevice(devices: readonly MediaDeviceLike[], kind: MediaKind, preference: MediaPreference): Selection {
  const excluded = preference.exclude.map(labelMatcher);
  const usable = devices.filter((d) => d.kind === kind && !excluded.some((m) => m(d.label)));
  const labelsHidden = usable.length > 0 && usable.every((d) => d.label === '');
  for (const [i, pattern] of preference.labels.entries()) {
    const match = labelMatcher(pattern);
    // Chromium lists the "default" and "communications" aliases with a prefixed label; prefer the real entry.
    const found = usable.find((d) => !isAlias(d) && match(d.label)) ?? usable.find((d) => match(d.label));
    if (found) return { device: found, reason: { by: 'label', pattern: i }, labelsHidden };
  }
  if (preference.fallback === 'none' || usable.length === 0) return { device: null, reason: { by: 'none' }, labelsHidden };
  if (preference.fallback === 'default') {
    const def = usable.find((d) => d.deviceId === 'default');
    if (def) return { device: def, reason: { by: 'default' }, labelsHidden };
  }
  const first = usable.find((d) => !isAlias(d)) ?? usable[0] ?? null;
  return { device: first, reason: first ? { by: 'first' } : { by: 'none' }, labelsHidden };
}

const isAlias = (d: MediaDeviceLike) => d.deviceId === 'default' || d.deviceId === 'communications';

export interface MediaSelection {
  camera: Selection;
  microphone: Selection;
  speaker: Selection;
  /** True when any kind fell back (no configured pattern matched). */
  fallback: boolean;
}

export function selectMedia(devices: readonly MediaDeviceLike[], policy: MediaPolicy): MediaSelection {
  const camera = selectDevice(devices, 'videoinput', policy.camera);
  const microphone = selectDevice(devices, 'audioinput', policy.microphone);
  const speaker = selectDevice(devices, 'audiooutput', policy.speaker);
  const fellBack = (s: Selection, p: MediaPreference) => p.labels.length > 0 && s.reason.by !== 'label';
  return { camera, microphone, speaker, fallback: fellBack(camera, policy.camera) || fellBack(microphone, policy.microphone) || fellBack(speaker, policy.speaker) };
}

/** Plain getUserMedia constraints (structurally compatible with MediaStreamConstraints). */
export interface PlainConstraints {
  video: false | { deviceId?: { exact: string }; width: { ideal: number }; height: { ideal: number }; frameRate: { ideal: number } };
  audio: false | { deviceId?: { exact: string }; echoCancellation: boolean; noiseSuppression: boolean; autoGainControl: boolean };
}

/** getUserMedia constraints for a selection: exact ids for chosen devices, configured quality as ideals. */
export function buildConstraints(policy: MediaPolicy, selection: Pick<MediaSelection, 'camera' | 'microphone'>): PlainConstraints {
  const id = (s: Selection) => (s.device && s.device.deviceId !== '' ? { deviceId: { exact: s.device.deviceId } } : {});
  return {
    video: selection.camera.device || selection.camera.labelsHidden
      ? { ...id(selection.camera), width: { ideal: policy.video.width }, height: { ideal: policy.video.height }, frameRate: { ideal: policy.video.frameRate } }
      : false,
    audio: selection.microphone.device || selection.microphone.labelsHidden ? { ...id(selection.microphone), ...policy.audio } : false,
  };
}

/**
 * What a `devicechange` means for the device in use: `lost` (it disappeared: degrade, then
 * re-acquire), `better` (a higher-priority device appeared: switch between visits), or `same`.
 */
export function reassess(inUse: MediaDeviceLike | null, devices: readonly MediaDeviceLike[], kind: MediaKind, preference: MediaPreference): 'lost' | 'better' | 'same' | 'returned' {
  const next = selectDevice(devices, kind, preference);
  if (inUse === null) return next.device ? 'returned' : 'same';
  const stillThere = devices.some((d) => d.kind === kind && d.deviceId === inUse.deviceId);
  if (!stillThere) return 'lost';
  if (next.device && next.device.deviceId !== inUse.deviceId && next.reason.by === 'label') {
    const currentRank = preference.labels.findIndex((p) => labelMatcher(p)(inUse.label));
    if (currentRank === -1 || next.reason.pattern < currentRank) return 'better';
  }
  return 'same';
}

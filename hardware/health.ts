// Health proofs, not liveness: a device counts as healthy when it is connected and answering,
// the camera when its frames are neither black nor frozen (measured in the renderer with
// common/frame-health.ts), the screen when its last power command succeeded.
import type { CameraHealth, DeviceKind, MediaInUse } from '../common/bridge/hardware';
import type { ErrorInfo } from '../common/result';
import type { DeviceHealth } from './manager';
import type { ScreenPowerState } from './screen/scheduler';

export interface HardwareHealth {
  /** True when nothing required is failing. */
  ok: boolean;
  /** Stable problem codes (e.g. "statusLight:write_failed", "camera:black") for the hub and the technician. */
  problems: string[];
  devices: Record<DeviceKind, DeviceHealth & { ok: boolean }>;
  screen: (ScreenPowerState & { ok: boolean; method: string }) | null;
  camera: (CameraHealth & { ok: boolean; at: number }) | null;
  media: MediaInUse | null;
}

export interface HealthInputs {
  devices: Record<DeviceKind, DeviceHealth>;
  /** Kinds this booth must have (configuration); an absent required device is a problem. */
  required?: readonly DeviceKind[];
  screen?: { state: ScreenPowerState; method: string } | null;
  camera?: { report: CameraHealth; at: number } | null;
  media?: MediaInUse | null;
  now: number;
  /** A camera report older than this is stale (the renderer stopped sampling): default 30 s. */
  cameraStaleMs?: number;
}

/** Pure: combines the parts into one report. */
export function buildHardwareHealth(input: HealthInputs): HardwareHealth {
  const problems: string[] = [];
  const devices = {} as HardwareHealth['devices'];
  for (const [kind, h] of Object.entries(input.devices) as Array<[DeviceKind, DeviceHealth]>) {
    let ok = true;
    if (h.state.status === 'failed') {
      ok = false;
      problems.push(`${kind}:${h.state.reason.code}`);
    } else if (h.state.status === 'absent' && input.required?.includes(kind)) {
      ok = false;
      problems.push(`${kind}:device_not_found`);
    }
    devices[kind] = { ...h, ok };
  }
  let screen: HardwareHealth['screen'] = null;
  if (input.screen) {
    const err: ErrorInfo | null = input.screen.state.lastError;
    if (err) problems.push(`screen:${err.code}`);
    screen = { ...input.screen.state, method: input.screen.method, ok: err === null };
  }
  let camera: HardwareHealth['camera'] = null;
  // "No camera at all" is re-asserted by the renderer every few seconds while it lasts: once it
  // stops (a camera was plugged in), the stale report is dropped rather than kept as a problem.
  const missingGone = input.camera?.report.verdict === 'missing' && input.now - input.camera.at > (input.cameraStaleMs ?? 30_000);
  if (input.camera && !missingGone) {
    const stale = input.now - input.camera.at > (input.cameraStaleMs ?? 30_000);
    const verdict = stale ? 'no_frames' : input.camera.report.verdict;
    const ok = verdict === 'ok';
    if (!ok) problems.push(`camera:${verdict}`);
    camera = { ...input.camera.report, verdict, ok, at: input.camera.at };
  }
  return { ok: problems.length === 0, problems, devices, screen, camera, media: input.media ?? null };
}

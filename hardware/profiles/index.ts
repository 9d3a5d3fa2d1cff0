// Built-in device profiles and profile matching. Extra profiles (a technician's JSON files) are
// validated with the same schema and tried before the built-ins.
import type { DeviceKind } from '../../common/bridge/hardware';
import { InvalidProfileError, UnknownDeviceError } from '../errors';
import type { HidDeviceInfo } from '../hid/backend';
import { DeviceProfile, type Match } from './schema';
import hpInternetHandset from './hp-internet-handset.json' with { type: 'json' };
import hidTelephonyHeadset from './hid-telephony-headset.json' with { type: 'json' };
import dreamCheeky from './dream-cheeky-big-red-button.json' with { type: 'json' };
import blynclight from './embrava-blynclight.json' with { type: 'json' };
import luxafor from './luxafor-flag.json' with { type: 'json' };
import amdPresence from './amd-sfh-human-presence.json' with { type: 'json' };
import honeywell from './honeywell-hid-pos-scanner.json' with { type: 'json' };

export * from './schema';

/** Validates one profile; the error names the file and the failing field. */
export function parseProfile(json: unknown, source: string): DeviceProfile {
  const parsed = DeviceProfile.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidProfileError(source, issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'schema mismatch');
  }
  return parsed.data;
}

const raw: Array<[string, unknown]> = [
  ['hp-internet-handset.json', hpInternetHandset],
  ['hid-telephony-headset.json', hidTelephonyHeadset],
  ['dream-cheeky-big-red-button.json', dreamCheeky],
  ['embrava-blynclight.json', blynclight],
  ['luxafor-flag.json', luxafor],
  ['amd-sfh-human-presence.json', amdPresence],
  ['honeywell-hid-pos-scanner.json', honeywell],
];

export const builtinProfiles: readonly DeviceProfile[] = raw.map(([file, json]) => parseProfile(json, file));

/** Profiles to use: extra first (site-specific models win), then built-ins; ids must be unique. */
export function loadProfiles(extra: ReadonlyArray<{ source: string; json: unknown }> = []): DeviceProfile[] {
  const all = [...extra.map((e) => parseProfile(e.json, e.source)), ...builtinProfiles];
  const seen = new Set<string>();
  return all.filter((p) => (seen.has(p.id) ? false : (seen.add(p.id), true)));
}

export function profileById(profiles: readonly DeviceProfile[], id: string): DeviceProfile {
  const p = profiles.find((x) => x.id === id);
  if (!p) throw new UnknownDeviceError(`Profile "${id}"`);
  return p;
}

/** Specificity of a match rule: exact ids beat vendor-only beat usage-only (generic) rules. */
function specificity(m: Match): number {
  return (m.productId !== undefined ? 8 : 0) + (m.vendorId !== undefined ? 4 : 0) + (m.usagePage !== undefined ? 2 : 0) + (m.usage !== undefined ? 1 : 0);
}

function matches(m: Match, d: HidDeviceInfo): boolean {
  return (
    (m.vendorId === undefined || m.vendorId === d.vendorId) &&
    (m.productId === undefined || m.productId === d.productId) &&
    (m.usagePage === undefined || m.usagePage === d.usagePage) &&
    (m.usage === undefined || m.usage === d.usage) &&
    (m.interface === undefined || m.interface === d.interface)
  );
}

/** Best profile for an enumerated device (optionally of one kind), or null. */
export function matchProfile(profiles: readonly DeviceProfile[], device: HidDeviceInfo, kind?: DeviceKind): DeviceProfile | null {
  let best: { p: DeviceProfile; score: number } | null = null;
  for (const p of profiles) {
    if (kind && p.kind !== kind) continue;
    for (const m of p.match) {
      if (!matches(m, device)) continue;
      const score = specificity(m);
      if (!best || score > best.score) best = { p, score };
    }
  }
  return best?.p ?? null;
}

import { z } from 'zod';

/**
 * Signed release updates that never interrupt a citizen: the release manifest
 * both the booth (main/update) and the hub (server/updates) parse, the update status the booth reports
 * in `kiosk.health`, the stable error codes and a semver comparison. Pure: no node:* here.
 *
 * The manifest is signed (Ed25519, detached, base64) over its exact UTF-8 bytes; the hub relays the
 * text and signature untouched and never signs anything. See main/update/README.md.
 */

export const UPDATE_PRODUCT = 'visioguichet-kiosk';
export const MANIFEST_SCHEMA = 1;

/** Strict semver 2.0 (pre-release allowed, build metadata allowed and ignored in comparisons). */
const SEMVER_RE =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;

export const SemVer = z.string().max(64).regex(SEMVER_RE, 'not a semantic version (x.y.z[-pre][+build])');
export type SemVer = z.infer<typeof SemVer>;

export const UpdateRuntime = z.enum(['browser-linux-x64', 'electron-linux-x64']);
export type UpdateRuntime = z.infer<typeof UpdateRuntime>;

const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'sha256: 64 lowercase hex digits');

/** Upper bound on any bundle, whatever the manifest says (a booth's disk is small). */
export const MAX_BUNDLE_BYTES = 2 * 1024 * 1024 * 1024;

export const ReleaseManifest = z
  .object({
    schema: z.literal(MANIFEST_SCHEMA),
    product: z.literal(UPDATE_PRODUCT),
    version: SemVer,
    releasedAt: z.iso.datetime({ offset: true }),
    runtime: UpdateRuntime,
    bundle: z
      .object({
        /** Relative to the manifest's URL, or absolute (http/https). */
        url: z.string().min(1).max(2048),
        size: z.number().int().positive().max(MAX_BUNDLE_BYTES),
        sha256: Sha256Hex,
      })
      .strict(),
    /** Booths older than this must not jump straight to this release. */
    minVersion: SemVer.optional(),
    notes: z.string().max(4000).optional(),
  })
  .strict();
export type ReleaseManifest = z.infer<typeof ReleaseManifest>;

/** Stable error codes (update contract). */
export const UpdateErrorCode = z.enum([
  'signature_invalid',
  'manifest_invalid',
  'bundle_hash_mismatch',
  'bundle_too_large',
  'download_failed',
  'unpack_failed',
  'health_timeout',
  'crashed_on_start',
  'disk_full',
]);
export type UpdateErrorCode = z.infer<typeof UpdateErrorCode>;

export const UpdateState = z.enum(['idle', 'downloading', 'verifying', 'staged', 'switching', 'probation', 'committed', 'rolled_back', 'failed']);
export type UpdateState = z.infer<typeof UpdateState>;

/** What the booth reports in `kiosk.health.update` and right after each state change. */
export const UpdateStatus = z
  .object({
    current: z.string().max(64),
    target: z.string().max(64).nullable(),
    state: UpdateState,
    error: z.object({ code: UpdateErrorCode, message: z.string().max(500) }).strict().nullable(),
    at: z.number(),
  })
  .strict();
export type UpdateStatus = z.infer<typeof UpdateStatus>;

/** Body of `GET /api/kiosk/update` when the hub wants this booth on another version (else 204). */
export const UpdateOffer = z
  .object({
    /** The exact signed manifest text (verify these bytes, then parse). */
    manifest: z.string().min(2).max(64_000),
    /** Base64 Ed25519 signature over the manifest's UTF-8 bytes (empty = unsigned: the booth refuses it as signature_invalid). */
    signature: z.string().max(512),
    /** Absolute URL the booth downloads the bundle from. */
    bundleUrl: z.url({ protocol: /^https?$/ }).max(2048),
  })
  .strict();
export type UpdateOffer = z.infer<typeof UpdateOffer>;

interface ParsedSemVer {
  major: number;
  minor: number;
  patch: number;
  pre: string[];
}

export function parseSemVer(v: string): ParsedSemVer | null {
  const m = SEMVER_RE.exec(v);
  if (!m) return null;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), pre: m[4] ? m[4].split('.') : [] };
}

/** semver 2.0 precedence: negative if a < b, 0 if equal (build metadata ignored), positive if a > b. Throws on non-semver. */
export function compareSemVer(a: string, b: string): number {
  const pa = parseSemVer(a);
  const pb = parseSemVer(b);
  if (!pa || !pb) throw new Error(`not a semantic version: ${!pa ? a : b}`);
  for (const k of ['major', 'minor', 'patch'] as const) {
    if (pa[k] !== pb[k]) return pa[k] < pb[k] ? -1 : 1;
  }
  // A version without pre-release ranks above one with.
  if (pa.pre.length === 0 || pb.pre.length === 0) return pa.pre.length === pb.pre.length ? 0 : pa.pre.length === 0 ? 1 : -1;
  const n = Math.max(pa.pre.length, pb.pre.length);
  for (let i = 0; i < n; i++) {
    const x = pa.pre[i];
    const y = pb.pre[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (x === y) continue;
    const xn = /^\d+$/.test(x);
    const yn = /^\d+$/.test(y);
    if (xn && yn) return Number(x) < Number(y) ? -1 : 1;
    if (xn !== yn) return xn ? -1 : 1;
    return x < y ? -1 : 1;
  }
  return 0;
}

/** Directory-safe release name: semver is already limited to [0-9A-Za-z.+-], never '/' or '..' alone. */
export function isSafeVersionName(v: string): boolean {
  return SEMVER_RE.test(v) && !v.includes('/') && v !== '.' && v !== '..';
}

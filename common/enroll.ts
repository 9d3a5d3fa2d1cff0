// Booth enrollment, modelled on the OAuth 2.0 Device Authorization Grant (RFC 8628): the booth asks
// the hub for a device code and a short user code, shows the user code (and a QR code), and polls;
// a technician signs in to the hub's console on a phone or laptop, types or scans the code, names
// the booth and approves. The booth's credential is its own key pair: only the public key travels.
import { z } from 'zod';

/** Where the booth starts (public: no credential). */
export const ENROLL_DEVICE_PATH = '/api/enroll/device';
/** Where the booth polls (public: the device code is the credential of the request). */
export const ENROLL_TOKEN_PATH = '/api/enroll/token';
/** The console page a technician approves on (`?code=` prefills it, for the QR code). */
export const ENROLL_CONSOLE_PATH = '/console/#/enroll';

/**
 * User-code alphabet: 20 consonants, upper case, no vowels (no words spelt by chance) and none of
 * the letters read as digits or as each other (RFC 8628 §6.1). 8 of them: 20^8 ≈ 2.6e10 codes.
 */
export const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';
export const USER_CODE_LENGTH = 8;

/** `ABCD-EFGH` as shown on the booth. */
export function formatUserCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/** What a technician typed or scanned, as the hub stores it: upper case, separators and spaces dropped; null when it cannot be a code. */
export function normalizeUserCode(input: string): string | null {
  const s = input.toUpperCase().replace(/[\s-]/g, '');
  if (s.length !== USER_CODE_LENGTH) return null;
  for (const c of s) if (!USER_CODE_ALPHABET.includes(c)) return null;
  return s;
}

/** POST /api/enroll/device body. */
export const DeviceAuthorizationRequest = z.object({
  /** The booth's Ed25519 public key (SPKI PEM). */
  publicKey: z.string().min(40).max(1000),
}).strict();
export type DeviceAuthorizationRequest = z.infer<typeof DeviceAuthorizationRequest>;

/** RFC 8628 §3.2 device authorization response (snake_case as the RFC names the fields). */
export const DeviceAuthorizationResponse = z.object({
  device_code: z.string().min(20),
  user_code: z.string(),
  verification_uri: z.string(),
  verification_uri_complete: z.string(),
  expires_in: z.number().int().positive(),
  interval: z.number().int().positive(),
  /** The booth key's fingerprint as the hub computed it (the technician compares it). */
  fingerprint: z.string(),
});
export type DeviceAuthorizationResponse = z.infer<typeof DeviceAuthorizationResponse>;

/** POST /api/enroll/token body. */
export const DeviceTokenRequest = z.object({
  grant_type: z.literal('urn:ietf:params:oauth:grant-type:device_code').optional(),
  device_code: z.string().min(20).max(200),
}).strict();

/** RFC 8628 §3.5 error codes of the poll (HTTP 400), plus `invalid_grant` for an unknown device code. */
export const DeviceTokenError = z.enum(['authorization_pending', 'slow_down', 'expired_token', 'access_denied', 'invalid_grant']);
export type DeviceTokenError = z.infer<typeof DeviceTokenError>;

/** The poll's success: the booth's identity at the hub (its key is already registered under it). */
export const DeviceTokenResponse = z.object({
  kioskId: z.string(),
  name: z.string(),
  office: z.string(),
  /** Booth configuration from the hub's config store, when it has one; absent = the booth's defaults. */
  config: z.record(z.string(), z.unknown()).optional(),
});
export type DeviceTokenResponse = z.infer<typeof DeviceTokenResponse>;

/** GET /api/enroll/requests/:code (technician): what the console shows before approving. */
export const EnrollRequestView = z.object({
  userCode: z.string(),
  fingerprint: z.string(),
  createdAt: z.number(),
  expiresAt: z.number(),
  status: z.enum(['pending', 'approved', 'denied', 'consumed']),
});
export type EnrollRequestView = z.infer<typeof EnrollRequestView>;

/** POST /api/enroll/approve body (technician). */
export const EnrollApproveRequest = z.object({
  userCode: z.string().min(8).max(20),
  name: z.string().trim().min(1).max(120),
  office: z.string().trim().min(1).max(160),
  /** Optional id; default made from the office and name. An existing id is reused only if it was revoked (re-enrollment). */
  kioskId: z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/).optional(),
}).strict();
export type EnrollApproveRequest = z.infer<typeof EnrollApproveRequest>;

/** What the booth's main process tells its screen (bridge `enroll.state`). */
export const EnrollState = z.discriminatedUnion('state', [
  /** The booth has an identity: the visit screens run. */
  z.object({ state: z.literal('enrolled'), kioskId: z.string() }),
  /** Asking the hub for a code (or the hub is unreachable: `retrying`). */
  z.object({ state: z.literal('starting'), hubUrl: z.string(), retrying: z.boolean() }),
  /** Showing the code; `verifyUrl` goes in the QR code. */
  z.object({ state: z.literal('code'), userCode: z.string(), verifyUrl: z.string(), hubUrl: z.string(), expiresAt: z.number(), fingerprint: z.string(), revoked: z.boolean() }),
]);
export type EnrollState = z.infer<typeof EnrollState>;

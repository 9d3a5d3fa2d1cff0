// Response headers for the hub's pages and APIs, and the WebSocket Origin check.
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * The console and agent pages' policy: scripts and styles only from the hub's own files (Vite builds
 * them as files: nothing inline), media from the camera, no plug-ins, no framing, no <base> tricks.
 * `connect-src 'self'` covers the same host's ws:/wss: in CSP Level 3 browsers (Chromium ≥ 82).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob: mediastream:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Sets the security headers on every response; authentication responses are never stored by a cache. */
export function applySecurityHeaders(req: FastifyRequest, reply: FastifyReply): void {
  reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
  reply.header('x-frame-options', 'DENY');
  reply.header('x-content-type-options', 'nosniff');
  reply.header('referrer-policy', 'no-referrer');
  reply.header('cross-origin-opener-policy', 'same-origin');
  if (req.protocol === 'https') reply.header('strict-transport-security', 'max-age=31536000');
  // A login answer or anything read with credentials (token, device cookie) stays out of every cache.
  if (req.url.startsWith('/api/login') || req.url.startsWith('/api/enroll') || req.headers.authorization !== undefined || reply.hasHeader('set-cookie')) {
    reply.header('cache-control', 'no-store');
    reply.header('pragma', 'no-cache');
  }
}

/**
 * May a WebSocket with this Origin header connect? No Origin: not a browser (a booth authenticates by
 * key), allowed. A browser's page must be the hub's own (same host as the Host header it dialled) or
 * listed in `allowed` (full origins, e.g. `https://console.example`).
 */
export function originAllowed(origin: string | undefined, host: string | undefined, allowed: readonly string[]): boolean {
  if (origin === undefined) return true;
  if (origin === 'null' || !host) return false;
  let u: URL;
  try {
    u = new URL(origin);
  } catch {
    return false;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return false;
  if (u.host.toLowerCase() === host.toLowerCase()) return true;
  return allowed.some((a) => a.replace(/\/+$/, '').toLowerCase() === u.origin.toLowerCase());
}

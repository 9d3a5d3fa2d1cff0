// HTTP credential of a booth that authenticates with its key pair (no shared secret): each request
// carries `Authorization: KioskKey <kioskId>:<window>:<signature>`, an Ed25519 signature of
// `kioskHttpMessage(kioskId, window)` where window = floor(epoch ms / KIOSK_HTTP_WINDOW_MS). The hub
// accepts the current window and its two neighbours (a booth clock may be off by ~5 min), and checks
// one signature per kiosk and window (a cache), so an outbox burst costs one verification.
// The WebSocket proof (common/protocol.ts kioskAuthMessage) is challenge-based and clock-free;
// HTTP requests have no round trip to spare, hence the time window.

/** Length of one signature window (ms). */
export const KIOSK_HTTP_WINDOW_MS = 5 * 60_000;

/** The window a clock reading falls in. */
export const kioskHttpWindow = (nowMs: number): number => Math.floor(nowMs / KIOSK_HTTP_WINDOW_MS);

/** What the booth signs for HTTP in one window. */
export const kioskHttpMessage = (kioskId: string, window: number): string => `visioguichet/kiosk-http/v1\n${kioskId}\n${window}`;

/** The Authorization header value. */
export const kioskKeyHeader = (kioskId: string, window: number, signature: string): string => `KioskKey ${kioskId}:${window}:${signature}`;

/** Splits a `KioskKey` header; null when it is not one. */
export function parseKioskKeyHeader(header: string | undefined): { kioskId: string; window: number; signature: string } | null {
  if (typeof header !== 'string' || header.length > 512) return null;
  const m = /^KioskKey\s+([A-Za-z0-9_.:-]{1,64}):(\d{1,12}):([A-Za-z0-9_-]{86})$/.exec(header.trim());
  if (!m) return null;
  return { kioskId: m[1] as string, window: Number(m[2]), signature: m[3] as string };
}

// Lockdown decisions of the Electron shell as plain functions (no electron import), so each rule is
// readable in one place and testable on its own.
import type { Input } from 'electron';
import { backoffDelay } from '../../common/backoff';

/** The custom scheme and host the kiosk page is served from (never file://). */
export const APP_SCHEME = 'app';
export const APP_HOST = 'kiosk';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_URL = `${APP_ORIGIN}/`;

/** True for a URL on our own origin (exact origin match, not a prefix: `app://kiosk.evil` is not ours). */
export function isAppUrl(url: string | undefined | null): boolean {
  if (!url) return false;
  try {
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST;
  } catch {
    return false;
  }
}

/** The only permission the page ever gets: camera and microphone, for our origin, in the main frame. */
export function allowPermission(permission: string, requestingUrl: string | undefined, isMainFrame: boolean, mediaTypes: readonly string[] = []): boolean {
  if (permission !== 'media' || !isMainFrame || !isAppUrl(requestingUrl)) return false;
  return mediaTypes.every((t) => t === 'video' || t === 'audio');
}

/**
 * Keys that would reload the page, open devtools, zoom, close the window or navigate history:
 * a citizen must not be able to leave or break the appliance from the keyboard.
 */
export function isBlockedShortcut(input: Pick<Input, 'type' | 'key' | 'control' | 'meta' | 'shift' | 'alt'>): boolean {
  if (input.type !== 'keyDown' && input.type !== 'rawKeyDown') return false;
  const key = input.key.toLowerCase();
  const mod = input.control || input.meta;
  if (['f5', 'f11', 'f12', 'browserback', 'browserforward', 'browserrefresh'].includes(key)) return true;
  if (mod && ['r', 'w', 'q', 'n', 't', 'p', 's', 'o', 'u', 'f', 'g', 'h', 'j', '+', '=', '-', '0'].includes(key)) return true;
  if (mod && input.shift && ['i', 'j', 'c', 'delete'].includes(key)) return true;
  if (input.alt && ['arrowleft', 'arrowright', 'f4', 'home'].includes(key)) return true;
  return false;
}

/** Renderer crash recovery delay: 0.5 s, 1 s, 2 s … capped; the count resets after a stable minute. */
export function crashReloadDelay(consecutiveCrashes: number, initialMs = 500, maxMs = 30_000): number {
  return backoffDelay(consecutiveCrashes - 1, { initialMs, maxMs, jitter: 'none' });
}

// Serving the built kiosk renderer, shared by both runtimes (Electron's app:// protocol and the
// browser runtime's loopback HTTP server) so the page gets the same files and the same CSP.
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';

/** dist/renderer at the repository root (vite builds kiosk/ and agent/ there, sharing assets/). */
export const defaultRendererDir = resolve(import.meta.dirname, '../../dist/renderer');

const mime: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.mp3': 'audio/mpeg',
  '.ogg': 'audio/ogg',
  '.wav': 'audio/wav',
  '.webm': 'video/webm',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * The kiosk page's Content-Security-Policy. No inline or remote script, no eval, no framing, no
 * plugins; media may come from the camera (mediastream:) and blobs. Inline *styles* are allowed
 * because screens set sizes/positions through style attributes; styles cannot run code.
 * `connectSrc` adds the browser runtime's loopback bridge socket.
 */
export function kioskCsp(connectSrc: string[] = []): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob: mediastream:",
    "font-src 'self'",
    `connect-src ${["'self'", ...connectSrc].join(' ')}`,
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    // The page is sandboxed without allow-popups, allow-downloads, allow-modals or
    // allow-top-navigation: window.open, target=_blank links, middle-clicked links and downloads
    // are refused by Chromium itself (Chromium --kiosk would open them as new tabs over the kiosk;
    // test/e2e/lockdown.e2e.test.ts). Same origin kept: the bridge checks the page's Origin.
    'sandbox allow-scripts allow-same-origin',
  ].join('; ');
}

/** Headers every renderer response carries (beside the CSP). */
export const securityHeaders: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(self), microphone=(self), geolocation=(), usb=(), payment=()',
  'Cache-Control': 'no-store',
};

/** One resolved file of the renderer. */
export type RendererFile = { status: 200; body: Buffer; contentType: string } | { status: 403 | 404; body?: undefined; contentType?: undefined };

/**
 * Maps a URL path to a file under `root` (dist/renderer): `/` is the kiosk page; its relative
 * `../assets/…` references resolve to `/assets/…`. The agent console is never served to a kiosk,
 * and nothing outside `root` is reachable (traversal, encoded slashes, NUL).
 */
export async function readRendererFile(root: string, urlPath: string): Promise<RendererFile> {
  let path: string;
  try {
    path = decodeURIComponent(urlPath.split('?')[0]!.split('#')[0]!);
  } catch {
    return { status: 404 };
  }
  if (path.includes('\0') || path.includes('\\')) return { status: 403 };
  if (path === '/' || path === '/index.html' || path === '/kiosk' || path === '/kiosk/') path = '/kiosk/index.html';
  const rel = normalize(path).replace(/^(\.\.[/\\])+/, '').replace(/^\/+/, '');
  if (rel === 'agent' || rel.startsWith(`agent${sep}`) || rel.startsWith('agent/')) return { status: 404 };
  const rootAbs = resolve(root);
  // Kiosk-relative references (./x from the page at /) fall back to kiosk/x.
  for (const candidate of [join(rootAbs, rel), join(rootAbs, 'kiosk', rel)]) {
    if (candidate !== rootAbs && !candidate.startsWith(rootAbs + sep)) return { status: 403 };
    try {
      const s = await stat(candidate);
      if (!s.isFile()) continue;
      return { status: 200, body: await readFile(candidate), contentType: mime[extname(candidate).toLowerCase()] ?? 'application/octet-stream' };
    } catch {
      // try the next candidate
    }
  }
  return { status: 404 };
}

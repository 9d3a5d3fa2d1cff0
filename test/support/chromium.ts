import { chromium, type Browser } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Flags every test browser needs here: fake camera/mic, no sandbox as root, no background traffic. */
export const chromiumArgs = [
  '--no-sandbox',
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  '--autoplay-policy=no-user-gesture-required',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-gpu',
  '--no-first-run',
  '--disable-quic',
  // Background tabs must keep decoding video: both pages of a test run side by side.
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
];

export const chromiumPath = process.env.VG_CHROMIUM ?? '/usr/bin/chromium';

/** Launches Debian's Chromium (never a downloaded browser) with a throwaway profile. */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath, headless: true, args: chromiumArgs });
}

/** A temporary directory removed by the returned cleanup. */
export function tempDir(prefix = 'vg-'): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

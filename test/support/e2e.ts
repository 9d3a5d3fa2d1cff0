// The lifecycle every browser E2E file shares: one Debian Chromium per file, and everything a test
// opens (stacks, browser contexts, extra services) closed after it, last opened first.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { personalDataIn } from './callback';
import { launchTestBrowser, startStack, type Stack, type StackOptions } from './stack';

export interface E2ESession {
  /** The file's browser (available inside tests and hooks). */
  readonly browser: Browser;
  /** Closes `cleanup` after the current test. */
  defer(cleanup: () => Promise<unknown>): void;
  /** A booth (hub + kiosk services + browser runtime), closed after the test. */
  stack(opts?: StackOptions): Promise<Stack>;
  /** A fresh browser context (own storage and permissions), closed after the test. */
  context(viewport?: { width: number; height: number }): Promise<BrowserContext>;
}

/** Registers the hooks; call once at the top of an E2E file. */
export function useE2ESession(): E2ESession {
  let browser: Browser | undefined;
  const cleanups: (() => Promise<unknown>)[] = [];
  beforeAll(async () => {
    browser = await launchTestBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
  });
  const session: E2ESession = {
    get browser() {
      if (!browser) throw new Error('the E2E browser is not launched yet (use it inside a test or hook)');
      return browser;
    },
    defer: (cleanup) => void cleanups.push(cleanup),
    async stack(opts = {}) {
      const s = await startStack(opts);
      cleanups.push(() => s.close());
      return s;
    },
    async context(viewport = { width: 1280, height: 900 }) {
      const ctx = await session.browser.newContext({ viewport });
      cleanups.push(() => ctx.close());
      return ctx;
    },
  };
  return session;
}

/** Records every MediaStream the page acquires in `window.__streams`, so a test can check they were all stopped. */
export async function recordStreams(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as { __streams: MediaStream[] };
    w.__streams = [];
    const gum = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
    navigator.mediaDevices.getUserMedia = async (c) => {
      const stream = await gum(c);
      w.__streams.push(stream);
      return stream;
    };
  });
}

/** Waits for the kiosk screen `screen-<name>`. */
export const screen = (page: Page, name: string): Promise<void> => page.getByTestId(`screen-${name}`).waitFor({ timeout: 20_000 });

/**
 * What a reset must leave (the page must have been opened with `recordStreams`): the start screen,
 * no live media track, no <video>, empty web storage (local, session, IndexedDB, Cache Storage,
 * cookies), and none of the visit's words in the page.
 */
export async function assertWiped(page: Page, visitWords: string[], home: 'attract' | 'closed' = 'attract'): Promise<void> {
  await screen(page, home);
  const left = await page.evaluate(() => ({
    state: document.body.dataset.state,
    liveTracks: (window as unknown as { __streams: MediaStream[] }).__streams.flatMap((s) => s.getTracks()).filter((t) => t.readyState === 'live').length,
    videos: document.querySelectorAll('video').length,
    local: localStorage.length,
    session: sessionStorage.length,
    text: document.body.innerText,
    html: document.documentElement.outerHTML,
  }));
  const stores = await page.evaluate(async () => ({
    indexedDb: (await indexedDB.databases()).map((d) => d.name),
    caches: 'caches' in window ? await caches.keys() : [],
    cookie: document.cookie,
  }));
  expect(stores).toEqual({ indexedDb: [], caches: [], cookie: '' });
  expect(left.state).toBe(home);
  expect(left.liveTracks).toBe(0);
  expect(left.videos).toBe(0);
  expect(left.local).toBe(0);
  expect(left.session).toBe(0);
  for (const w of visitWords) {
    expect(left.text).not.toContain(w);
    expect(left.html).not.toContain(w);
  }
}

/** Every regular file under `dir` (recursively). */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(p));
    else if (entry.isFile()) out.push(p);
  }
  return out;
}

/**
 * The booth side of the wipe: none of `words` in any file of the kiosk's data directory (outbox
 * database and its WAL, keys, configuration, and the hub's database the test stack keeps there too),
 * as UTF-8 or UTF-16, nor in any kiosk or hub log line.
 */
export function assertBoothHoldsNone(s: Stack, words: string[]): void {
  const files = filesUnder(s.dataDir);
  // The scan must see the booth's database, or an empty list would prove nothing.
  expect(files.some((f) => f.endsWith('outbox.sqlite'))).toBe(true);
  expect(personalDataIn(s.dataDir, words, files)).toEqual([]);
  const logs = s.logText();
  for (const w of words) expect(logs).not.toContain(w);
}

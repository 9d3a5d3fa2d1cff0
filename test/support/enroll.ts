// A fresh booth with no identity, served by the browser runtime, beside a real hub that serves the
// console; and the technician's walk through the console. Shared by the enrollment E2E and bench.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { KioskPublicConfig } from '../../common/config';
import { composeKiosk, hubHttpBase } from '../../main/compose';
import { startBrowserRuntime, type BrowserRuntime } from '../../main/runtime/browser-runtime';
import { startBooth, type Booth } from '../../main/services/booth';
import { createAgent } from '../../server/accounts';
import { createHub, type Hub } from '../../server/hub';
import { ingestPlugin } from '../../server/ingest/plugin';
import { alwaysOpen, repoRoot } from './stack';

export interface EnrollStack {
  hub: Hub;
  booth: Booth;
  runtime: BrowserRuntime;
  dataDir: string;
  consoleUrl: string;
  technician: { username: string; password: string };
  administrator: { username: string; password: string };
  close(): Promise<void>;
}

/** Hub (with ingest and the built console) + a booth that has never been enrolled. */
export async function startEnrollStack(): Promise<EnrollStack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'vg-enroll-'));
  const hub = await createHub({ dbPath: join(dataDir, 'hub.sqlite'), agentStaticDir: join(repoRoot, 'dist/renderer/agent'), plugins: [ingestPlugin()] });
  const technician = { username: 'tech', password: (await createAgent(hub.db, { username: 'tech', displayName: 'Luc Technicien', role: 'technician' })).password };
  const administrator = { username: 'admin', password: (await createAgent(hub.db, { username: 'admin', displayName: 'Ada Admin', role: 'administrator' })).password };
  const config = { hubUrl: hub.wsUrl, dataDir: join(dataDir, 'booth'), devMode: false, public: KioskPublicConfig.parse({ schedule: alwaysOpen }) };
  // Real timing: the hub's 5 s poll interval is part of what a technician waits for.
  const booth = await startBooth({ config, hubBase: hubHttpBase(hub.wsUrl), compose: (c) => composeKiosk({ config: c }) });
  const runtime = await startBrowserRuntime({ core: booth, dataDir: config.dataDir, rendererDir: join(repoRoot, 'dist/renderer'), open: false });
  return {
    hub, booth, runtime, dataDir, technician, administrator,
    consoleUrl: `${hub.url}/console/`,
    async close() {
      await runtime.close().catch(() => {});
      await booth.close().catch(() => {});
      await hub.close().catch(() => {});
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Signs in to the console (page already on it). */
export async function consoleSignIn(page: Page, creds: { username: string; password: string }): Promise<void> {
  await page.getByTestId('signin-username').fill(creds.username);
  await page.getByTestId('signin-password').fill(creds.password);
  await page.getByTestId('signin-submit').click();
  await page.getByTestId('signed-in-as').waitFor();
}

/** The technician's part: types the booth's code, checks it, names the booth and approves. Returns the fingerprint the console showed. */
export async function approveInConsole(page: Page, o: { code: string; name: string; office: string; kioskId?: string }): Promise<string> {
  await page.getByTestId('nav-enroll').click();
  await page.getByTestId('enroll-code').fill(o.code.toLowerCase());
  await page.getByTestId('enroll-lookup').click();
  const fingerprint = (await page.getByTestId('enroll-fingerprint').textContent()) ?? '';
  await page.getByTestId('enroll-name').fill(o.name);
  await page.getByTestId('enroll-office').fill(o.office);
  if (o.kioskId) await page.getByTestId('enroll-kiosk-id').fill(o.kioskId);
  await page.getByTestId('enroll-approve').click();
  await page.getByTestId('enroll-notice').waitFor();
  return fingerprint;
}

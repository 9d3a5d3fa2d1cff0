// A citizen's walk from the attract screen to the line, as E2E tests take it: every step a real tap
// on the kiosk page, each screen awaited before the next tap. Hooks run on the way for what a test
// checks or does on one screen (the deaf-or-hard-of-hearing choice, the page's direction…).
import type { Page } from 'playwright-core';
import type { UiLanguage } from '../../common/config';
import { screen } from './e2e';

export interface WalkOptions {
  /** Language button on the language screen (default fr). */
  lang?: UiLanguage;
  /** Service id (default emploi, one of the default config's services). */
  service?: string;
  /** On the language screen, before the language is chosen. */
  onLanguage?(page: Page): Promise<void>;
  /** On the service screen, before the service is chosen. */
  onService?(page: Page): Promise<void>;
  /** On the device check, before Continue is tapped (once it is enabled). */
  onDeviceCheck?(page: Page): Promise<void>;
}

/** Attract → language → service → visit type (walk-in) → consent; resolves on the consent screen. */
export async function walkToConsent(page: Page, o: WalkOptions = {}): Promise<void> {
  await page.getByTestId('attract-start').click();
  await screen(page, 'language');
  await o.onLanguage?.(page);
  await page.getByTestId(`lang-${o.lang ?? 'fr'}`).click();
  await screen(page, 'service');
  await o.onService?.(page);
  await page.getByTestId(`service-${o.service ?? 'emploi'}`).click();
  await screen(page, 'visitType');
  await page.getByTestId('visit-walkin').click();
  await screen(page, 'consent');
}

/** From the device check (camera and microphone being tried) to the line: Continue once it is enabled. */
export async function passDeviceCheck(page: Page, o: Pick<WalkOptions, 'onDeviceCheck'> = {}): Promise<void> {
  await screen(page, 'deviceCheck');
  await page.waitForSelector('[data-testid="devices-continue"]:not([disabled])');
  await o.onDeviceCheck?.(page);
  await page.getByTestId('devices-continue').click();
  await screen(page, 'waiting');
}

/** The whole walk to the line: consent to camera and microphone, the device check, the waiting screen. */
export async function walkToLine(page: Page, o: WalkOptions = {}): Promise<void> {
  await walkToConsent(page, o);
  await page.getByTestId('consent-accept').click();
  await passDeviceCheck(page, o);
}

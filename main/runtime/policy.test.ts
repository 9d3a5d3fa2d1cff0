import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { policyForConfig } from '../../scripts/write-policy';
import { boothPolicy, boothPolicyJson, DEFAULT_POLICY_HUB_URL, hubOrigin, kioskOrigin } from './policy';

const shipped = resolve(import.meta.dirname, '../../build/chromium/policies/managed/visioguichet.json');
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('boothPolicy', () => {
  it('locks the browser down and grants camera/mic to the kiosk origin only', () => {
    const p = boothPolicy({ kioskOrigin: 'http://127.0.0.1:47100', hubUrl: 'wss://hub.example.qc.ca/ws' });
    expect(p).toMatchObject({
      DeveloperToolsAvailability: 2,
      RemoteDebuggingAllowed: false,
      IncognitoModeAvailability: 1,
      PrintingEnabled: false,
      DownloadRestrictions: 3,
      ExtensionInstallBlocklist: ['*'],
      URLBlocklist: ['*'],
      URLAllowlist: ['http://127.0.0.1:47100', 'https://hub.example.qc.ca'],
      PasswordManagerEnabled: false,
      TranslateEnabled: false,
      VideoCaptureAllowed: false,
      AudioCaptureAllowed: false,
      VideoCaptureAllowedUrls: ['http://127.0.0.1:47100'],
      AudioCaptureAllowedUrls: ['http://127.0.0.1:47100'],
      BrowserSignin: 0,
      SyncDisabled: true,
      AutofillAddressEnabled: false,
      AutofillCreditCardEnabled: false,
      DefaultPopupsSetting: 2,
      EditBookmarksEnabled: false,
    });
  });

  it('maps the hub URL to its web origin and refuses other schemes', () => {
    expect(hubOrigin('ws://10.0.0.5:8080/ws')).toBe('http://10.0.0.5:8080');
    expect(hubOrigin('https://hub.example/')).toBe('https://hub.example');
    expect(() => hubOrigin('ftp://hub.example')).toThrow(/http\(s\)/);
  });

  it('the shipped policy file is the generator output for the default origin', () => {
    expect(readFileSync(shipped, 'utf8')).toBe(boothPolicyJson({ kioskOrigin: kioskOrigin(), hubUrl: DEFAULT_POLICY_HUB_URL }));
  });

  it('write-policy regenerates it from a site kiosk.json (hub URL and runtime port)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vg-policy-'));
    dirs.push(dir);
    const cfg = join(dir, 'kiosk.json');
    writeFileSync(cfg, JSON.stringify({ hubUrl: 'https://hub.site.example', kioskId: 'k1', kioskSecret: 'x'.repeat(32), runtimePort: 47123 }));
    const p = JSON.parse(policyForConfig(cfg)) as Record<string, unknown>;
    expect(p.URLAllowlist).toEqual(['http://127.0.0.1:47123', 'https://hub.site.example']);
    expect(p.VideoCaptureAllowedUrls).toEqual(['http://127.0.0.1:47123']);
    writeFileSync(cfg, '{"hubUrl": 3}');
    expect(() => policyForConfig(cfg)).toThrow(/hubUrl/);
  });
});

// The booth's Chromium enterprise policy (installed as /etc/chromium/policies/managed/visioguichet.json).
// Pure: kiosk origin + hub URL → the JSON object. Mandatory ("managed") policies cannot be changed
// from inside the browser, so they hold even if a page or a keyboard shortcut gets through.
// Names and values: Chromium's policy list (chromeenterprise.google/policies). DefaultMediaStreamSetting
// is deprecated; VideoCaptureAllowed/AudioCaptureAllowed=false + *AllowedUrls is its replacement:
// no permission prompt anywhere, capture granted without a prompt to the listed origins only.

/** Loopback port of the browser runtime in production (fixed so the policy can name the origin). */
export const DEFAULT_RUNTIME_PORT = 47100;

/** The kiosk page's origin for a loopback port. */
export const kioskOrigin = (port: number = DEFAULT_RUNTIME_PORT): string => `http://127.0.0.1:${port}`;

/** The hub default written into the shipped file (a site with another hub regenerates it: scripts/write-policy.ts). */
export const DEFAULT_POLICY_HUB_URL = 'https://hub.visioguichet.invalid';

/** The hub's web origin from its configured URL (ws→http, wss→https; path dropped). */
export function hubOrigin(hubUrl: string): string {
  const u = new URL(hubUrl);
  const scheme = { 'http:': 'http:', 'https:': 'https:', 'ws:': 'http:', 'wss:': 'https:' }[u.protocol];
  if (!scheme) throw new TypeError(`hub URL must be http(s):// or ws(s)://, got ${u.protocol}`);
  return `${scheme}//${u.host}`;
}

export interface BoothPolicyInput {
  /** e.g. `http://127.0.0.1:47100` */
  kioskOrigin: string;
  /** The hub's URL as configured (`wss://hub.example/ws` or `https://hub.example`). */
  hubUrl: string;
}

/** Chromium's managed policy for a booth. Key order is stable (the shipped file is compared byte for byte). */
export function boothPolicy(input: BoothPolicyInput): Record<string, unknown> {
  const kiosk = new URL(input.kioskOrigin).origin;
  const hub = hubOrigin(input.hubUrl);
  return {
    // Nothing to inspect, no view-source, no debugging port (a process that restarted Chromium with
    // --remote-debugging-port would drive the page), no second profile, nothing kept.
    DeveloperToolsAvailability: 2,
    RemoteDebuggingAllowed: false,
    IncognitoModeAvailability: 1,
    BrowserGuestModeEnabled: false,
    BrowserAddPersonEnabled: false,
    BrowserSignin: 0,
    SyncDisabled: true,
    PasswordManagerEnabled: false,
    AutofillAddressEnabled: false,
    AutofillCreditCardEnabled: false,
    SavingBrowserHistoryDisabled: true,
    // No dialogs that leave the kiosk: no print preview, no downloads, no extensions.
    PrintingEnabled: false,
    DownloadRestrictions: 3,
    ExtensionInstallBlocklist: ['*'],
    TranslateEnabled: false,
    EditBookmarksEnabled: false,
    BookmarkBarEnabled: false,
    DefaultPopupsSetting: 2,
    DefaultNotificationsSetting: 2,
    DefaultGeolocationSetting: 2,
    FullscreenAllowed: true,
    MetricsReportingEnabled: false,
    SpellcheckEnabled: false,
    SearchSuggestEnabled: false,
    AlternateErrorPagesEnabled: false,
    DefaultBrowserSettingEnabled: false,
    PromotionalTabsEnabled: false,
    BackgroundModeEnabled: false,
    // Only the kiosk page and the hub; chrome://, file://, view-source: and the web are blocked.
    URLBlocklist: ['*'],
    URLAllowlist: [kiosk, hub],
    // Camera and microphone without a prompt for the kiosk page only; denied everywhere else.
    VideoCaptureAllowed: false,
    AudioCaptureAllowed: false,
    VideoCaptureAllowedUrls: [kiosk],
    AudioCaptureAllowedUrls: [kiosk],
    ScreenCaptureAllowed: false,
    // The page autoplays the agent's audio and the ring without a tap.
    AutoplayAllowed: true,
  };
}

/** The policy file's text (2-space JSON + newline), as shipped and as written by scripts/write-policy.ts. */
export const boothPolicyJson = (input: BoothPolicyInput): string => `${JSON.stringify(boothPolicy(input), null, 2)}\n`;

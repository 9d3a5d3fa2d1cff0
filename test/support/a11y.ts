// The accessibility matrix's measuring tools: axe-core (WCAG 2.1 A/AA, and the 7:1 contrast rule
// in high contrast) and the kiosk's own geometry rules, run in the real kiosk page at a given
// viewport and display mode. Each check returns findings (never throws on a violation), so one run
// lists everything that is wrong instead of stopping at the first.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { repoRoot } from './stack';

/** The display modes a citizen can turn on (renderer/kiosk/modes.ts). */
export interface Modes {
  largeText: boolean;
  highContrast: boolean;
  controlsLow: boolean;
}
export const NORMAL: Modes = { largeText: false, highContrast: false, controlsLow: false };

/** One cell of the matrix: a mode and a viewport. */
export interface Cell {
  mode: 'normal' | 'large' | 'contrast' | 'low';
  modes: Modes;
  width: number;
  height: number;
}

export const LANDSCAPE = { width: 1920, height: 1080 };
export const PORTRAIT = { width: 1080, height: 1920 };
export const SXGA = { width: 1280, height: 1024 };

/** Every mode at 1920x1080 and 1080x1920, and "controls low" (meant for portrait) in portrait; `sxga` adds 1280x1024. */
export function cells(opts: { sxga?: boolean } = {}): Cell[] {
  const out: Cell[] = [];
  const sizes = opts.sxga ? [LANDSCAPE, PORTRAIT, SXGA] : [LANDSCAPE, PORTRAIT];
  for (const size of sizes) {
    out.push({ mode: 'normal', modes: NORMAL, ...size });
    out.push({ mode: 'large', modes: { ...NORMAL, largeText: true }, ...size });
    out.push({ mode: 'contrast', modes: { ...NORMAL, highContrast: true }, ...size });
  }
  out.push({ mode: 'low', modes: { ...NORMAL, controlsLow: true }, ...PORTRAIT });
  return out;
}

export interface Finding {
  screen: string;
  lang: string;
  mode: Cell['mode'];
  viewport: string;
  /** axe rule id, or one of the geometry rules: target-size, offscreen, text-size, text-offscreen, obscured, reach, mode-toggle. */
  rule: string;
  detail: string;
}

export const formatFinding = (f: Finding): string => `${f.screen} [${f.lang}, ${f.mode}, ${f.viewport}] ${f.rule}: ${f.detail}`;

const axeSource = readFileSync(join(repoRoot, 'node_modules/axe-core/axe.min.js'), 'utf8');

/** Puts axe-core into the page once (evaluated, not a script tag: the kiosk's CSP allows no inline script). */
export async function injectAxe(page: Page): Promise<void> {
  const has = await page.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe === 'object');
  if (!has) await page.evaluate(`${axeSource}\n;void 0`);
}

const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** axe violations (rule id + the first nodes) for WCAG 2.1 A/AA; `enhanced` adds the 7:1 contrast rule. */
export async function axeViolations(page: Page, enhanced: boolean): Promise<{ rule: string; detail: string }[]> {
  await injectAxe(page);
  return page.evaluate(
    async ({ tags, enhanced }) => {
      type AxeResult = { violations: { id: string; help: string; nodes: { target: string[]; failureSummary?: string }[] }[] };
      const axe = (window as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<AxeResult> } }).axe;
      const r = await axe.run(document, {
        runOnly: { type: 'tag', values: tags },
        // Of the AAA rules only the 7:1 contrast one is asked for (high contrast mode).
        ...(enhanced ? { rules: { 'color-contrast-enhanced': { enabled: true } } } : {}),
        resultTypes: ['violations'],
      });
      return r.violations.map((v) => ({
        rule: v.id,
        detail: `${v.help}: ${v.nodes
          .slice(0, 4)
          .map((n) => `${n.target.join(' ')} (${(n.failureSummary ?? '').replace(/\s+/g, ' ').slice(0, 160)})`)
          .join('; ')}${v.nodes.length > 4 ? ` and ${v.nodes.length - 4} more` : ''}`,
      }));
    },
    { tags: WCAG_TAGS, enhanced },
  );
}

/**
 * The kiosk's own rules, measured in the page: every control at least 72x72 CSS px, fully inside
 * the viewport (or in a scrolling part of the screen that is, below its fold) and not covered by
 * something else; every visible text at least 24 px and inside the viewport (same exception); with "controls low", every control reachable in the lower half (72 px of it below the
 * middle). While an overlay (idle or hangup prompt) is up, only the overlay is measured.
 */
export async function geometry(page: Page, controlsLow: boolean): Promise<{ rule: string; detail: string }[]> {
  return page.evaluate((low) => {
    const MIN_TARGET = 72;
    const MIN_FONT = 24;
    const EPS = 0.5;
    const vw = window.innerWidth;
    const vh = window.innerHeight;
    const out: { rule: string; detail: string }[] = [];
    const overlayUp = !!document.body.dataset.overlay;
    const scope: ParentNode = overlayUp ? (document.getElementById('overlay') ?? document) : document;
    const name = (el: Element): string => {
      const id = el.getAttribute('data-testid');
      if (id) return `[data-testid=${id}]`;
      const text = (el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 30);
      return `${el.tagName.toLowerCase()}${el.className && typeof el.className === 'string' ? `.${el.className.split(/\s+/).join('.')}` : ''}${text ? ` "${text}"` : ''}`;
    };
    const shown = (el: Element): boolean => {
      if (!el.checkVisibility({ visibilityProperty: true, opacityProperty: true })) return false;
      const r = el.getBoundingClientRect();
      return r.width > 1 && r.height > 1;
    };
    // Below (or above) the fold of a scrolling part of the screen that is itself on screen: reachable
    // by scrolling it (the frame's body scrolls when a screen is too tall); never sideways. Returns
    // null when the element is not cut off by a scroller, else whether that scroller is on screen.
    const scrolledAway = (el: Element, r: DOMRect): boolean | null => {
      if (r.left < -EPS || r.right > vw + EPS) return null;
      for (let a = el.parentElement; a; a = a.parentElement) {
        const oy = getComputedStyle(a).overflowY;
        if ((oy === 'auto' || oy === 'scroll') && a.scrollHeight > a.clientHeight + 1) {
          const ar = a.getBoundingClientRect();
          if (r.top >= ar.top - EPS && r.bottom <= ar.bottom + EPS) return null;
          return ar.top >= -EPS && ar.bottom <= vh + EPS;
        }
      }
      return null;
    };
    const box = (r: DOMRect) => `${Math.round(r.width)}x${Math.round(r.height)} at ${Math.round(r.left)},${Math.round(r.top)}`;
    const CONTROLS = 'button, a[href], input:not([type=hidden]), textarea, select, [role=button], [role=switch], [role=checkbox], [role=radio], [role=tab], [role=link], [role=slider], [tabindex]:not([tabindex="-1"])';
    for (const el of scope.querySelectorAll(CONTROLS)) {
      if (!shown(el) || el.closest('[inert]')) continue;
      const r = el.getBoundingClientRect();
      if (r.width < MIN_TARGET - EPS || r.height < MIN_TARGET - EPS) out.push({ rule: 'target-size', detail: `${name(el)} is ${box(r)}` });
      const away = scrolledAway(el, r);
      if (away === true) continue;
      if (away === false || r.left < -EPS || r.top < -EPS || r.right > vw + EPS || r.bottom > vh + EPS) {
        out.push({ rule: 'offscreen', detail: `${name(el)} is ${box(r)}, outside ${vw}x${vh}${away === false ? ' (its scrolling part is off screen)' : ''}` });
        continue;
      }
      // What a finger on the control's centre would touch.
      const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
      if (hit && hit !== el && !el.contains(hit) && !hit.contains(el)) out.push({ rule: 'obscured', detail: `${name(el)} is under ${name(hit)}` });
      if (low) {
        const reachable = r.bottom - Math.max(r.top, vh / 2);
        if (reachable < Math.min(MIN_TARGET, r.height) - EPS) out.push({ rule: 'reach', detail: `${name(el)} is ${box(r)}, above the lower half of ${vh}` });
      }
    }
    // Visible text: each element that directly holds non-blank text.
    const walker = document.createTreeWalker(scope instanceof Document ? scope.body : (scope as Element), NodeFilter.SHOW_TEXT);
    const seen = new Set<Element>();
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!el || seen.has(el) || !(n.textContent ?? '').trim()) continue;
      seen.add(el);
      if (el.closest('svg, script, style, template, [aria-hidden="true"]') || !shown(el)) continue;
      // Visually hidden text for screen readers (a 1 px clip) is not seen.
      const range = document.createRange();
      range.selectNodeContents(n);
      const tr = range.getBoundingClientRect();
      if (tr.width <= 1 || tr.height <= 1) continue;
      const size = parseFloat(getComputedStyle(el).fontSize);
      if (size < MIN_FONT - EPS) out.push({ rule: 'text-size', detail: `${name(el)} is ${size}px` });
      if ((tr.left < -EPS || tr.top < -EPS || tr.right > vw + EPS || tr.bottom > vh + EPS) && scrolledAway(el, tr) !== true) out.push({ rule: 'text-offscreen', detail: `${name(el)} is ${box(tr)}, outside ${vw}x${vh}` });
    }
    return out;
  }, controlsLow);
}

/** Two frames after every finite animation (the screen's arming, transitions) has finished. */
export async function settle(page: Page): Promise<void> {
  await page.evaluate(async () => {
    // Running finite animations only (a paused one would never finish), and never more than 2 s.
    const finite = document.getAnimations().filter((a) => a.playState === 'running' && Number.isFinite(Number(a.effect?.getComputedTiming().endTime)));
    await Promise.race([Promise.all(finite.map((a) => a.finished.catch(() => undefined))), new Promise((r) => setTimeout(r, 2_000))]);
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  });
}

const MODE_BUTTONS: Record<keyof Modes, string> = { largeText: 'mode-large', highContrast: 'mode-contrast', controlsLow: 'mode-low' };

/**
 * Puts the page in `modes` through the pictogram button every screen carries (`mode-toggle`, which
 * opens the panel with the three switches), clicking them in the page (their own handlers; whether
 * a finger can reach them is the geometry rules' business). Returns false when the screen has no
 * such button.
 */
export async function setModes(page: Page, modes: Modes): Promise<boolean> {
  return page.evaluate(
    async ({ modes, ids }) => {
      const root = document.body.dataset.overlay ? (document.getElementById('overlay') ?? document) : document;
      const q = (id: string) => root.querySelector<HTMLElement>(`[data-testid="${id}"]`) ?? document.querySelector<HTMLElement>(`[data-testid="${id}"]`);
      const classes = { largeText: 'mode-large', highContrast: 'mode-contrast', controlsLow: 'mode-low' } as const;
      const keys = Object.keys(classes) as (keyof typeof classes)[];
      const changes = keys.filter((k) => document.body.classList.contains(classes[k]) !== modes[k]);
      if (changes.length === 0) return true;
      const toggle = q('mode-toggle');
      if (!toggle || !toggle.checkVisibility()) return false;
      const frame = () => new Promise((r) => requestAnimationFrame(r));
      // What a finger does first: the kiosk counts it as activity (the idle delay starts again).
      toggle.dispatchEvent(new PointerEvent('pointerdown', { bubbles: true, composed: true }));
      if (toggle.getAttribute('aria-expanded') !== 'true') toggle.click();
      await frame();
      for (const k of changes) {
        q(ids[k])?.click();
        await frame();
      }
      if (q('mode-toggle')?.getAttribute('aria-expanded') === 'true') q('mode-toggle')!.click();
      await frame();
      return keys.every((k) => document.body.classList.contains(classes[k]) === modes[k]);
    },
    { modes, ids: MODE_BUTTONS },
  );
}

export interface CheckOptions {
  screen: string;
  lang: string;
  /** Which cells; default `cells()`. */
  cells?: Cell[];
  /** Puts the screen (or overlay) up for a cell, after the mode is set; default: it is up already. */
  enter?: () => Promise<void>;
  /** Takes an overlay down again after a cell. */
  leave?: () => Promise<void>;
  /** Whether what `enter` put up is still up after the measure (an overlay that closes by itself); if not, the cell is measured again once. */
  stillUp?: () => Promise<boolean>;
  /** Where failing cells' screenshots go. */
  shots?: string;
}

const AXE_TIMEOUT_MS = 180_000;

/** Runs axe and the geometry rules in every cell; screenshots the cells that fail. Leaves the page in normal mode at its first viewport. */
export async function checkScreen(page: Page, o: CheckOptions): Promise<Finding[]> {
  const findings: Finding[] = [];
  const list = o.cells ?? cells();
  let toggleMissing = false;
  let shot = false;
  for (const cell of list) {
    const viewport = `${cell.width}x${cell.height}`;
    const base = { screen: o.screen, lang: o.lang, mode: cell.mode, viewport };
    await page.setViewportSize({ width: cell.width, height: cell.height });
    if (!(await setModes(page, cell.modes))) {
      if (!toggleMissing) findings.push({ ...base, rule: 'mode-toggle', detail: 'no mode toggle ([data-testid=mode-toggle]) on this screen; modes applied to <body> directly' });
      toggleMissing = true;
      await page.evaluate((m) => {
        document.body.classList.toggle('mode-large', m.largeText);
        document.body.classList.toggle('mode-contrast', m.highContrast);
        document.body.classList.toggle('mode-low', m.controlsLow);
      }, cell.modes);
    }
    let found: { rule: string; detail: string }[] = [];
    const t0 = performance.now();
    for (let attempt = 0; attempt < 2; attempt++) {
      if (o.enter) await o.enter();
      await settle(page);
      // A bounded wait: a page that stopped answering is a finding with its reason, not a hung suite.
      const axe = await Promise.race([
        axeViolations(page, cell.modes.highContrast),
        new Promise<{ rule: string; detail: string }[]>((r) => setTimeout(() => r([{ rule: 'harness', detail: `axe gave no answer within ${AXE_TIMEOUT_MS / 1000} s` }]), AXE_TIMEOUT_MS).unref()),
      ]);
      found = [...axe, ...(await geometry(page, cell.modes.controlsLow))];
      if (!o.stillUp || (await o.stillUp())) break;
      if (attempt === 1) found.push({ rule: 'harness', detail: 'the overlay closed by itself twice while it was measured' });
    }
    if (process.env.VG_A11Y_TIMING) console.log(`${o.screen} ${cell.mode} ${viewport}: axe+geometry ${Math.round(performance.now() - t0)} ms`);
    for (const f of found) findings.push({ ...base, ...f });
    // One screenshot per screen (the first failing cell); VG_A11Y_SHOTS=all for every failing cell.
    if (found.length && o.shots && (!shot || process.env.VG_A11Y_SHOTS === 'all')) {
      shot = true;
      mkdirSync(o.shots, { recursive: true });
      await page.screenshot({ path: join(o.shots, `${o.screen}-${o.lang}-${cell.mode}-${viewport}.png`) }).catch(() => {});
    }
    if (o.leave) await o.leave();
  }
  await page.setViewportSize({ width: list[0]!.width, height: list[0]!.height });
  if (!(await setModes(page, NORMAL))) {
    await page.evaluate(() => document.body.classList.remove('mode-large', 'mode-contrast', 'mode-low'));
  }
  return findings;
}

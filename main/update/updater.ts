// The booth's updater service: asks the hub (or a static file server) for a signed release, checks
// the signature before anything else, downloads and hash-checks the bundle, unpacks it beside the
// running release, switches `current` only between visits and asks for a restart; after the restart
// the new version is on probation until it is healthy, and rolled back by itself if not.
import { rm } from 'node:fs/promises';
import type { HubLinkStatus, VisitPhase } from '../../common/bridge/core';
import type { ReleaseManifest, UpdateErrorCode, UpdateRuntime, UpdateState, UpdateStatus } from '../../common/update';
import { UpdateOffer, compareSemVer, isSafeVersionName, parseSemVer } from '../../common/update';
import type { Timers } from '../../common/time';
import type { Logger } from '../services/log';
import { silentLogger } from '../services/log';
import { downloadBundle } from './download';
import { UpdateError, isDiskFull } from './errors';
import type { SwitchGate } from './gate';
import type { UpdateLayout, UpdateStateFile } from './layout';
import { downloadsDir, hasRelease, pruneReleases, readState, releasesDir, switchCurrent, writeState } from './layout';
import { unpackRelease } from './tar';
import { verifyManifest } from './verify';

/** Where offers come from: the hub's kiosk endpoint, or a static manifest URL. */
export type UpdateSource =
  | { kind: 'hub'; /** Hub HTTP base (`https://hub/`). */ base: string; /** The Authorization value (`Kiosk id:secret`, or a function for a key-pair booth's signed window). */ authorization: string | (() => string) }
  | { kind: 'static'; /** URL of manifest.json (its signature at `<url>.sig`). */ manifestUrl: string };

export const UPDATE_PATH = 'api/kiosk/update';
/** A hub that does not answer the offer request within this is retried at the next poll. */
const OFFER_TIMEOUT_MS = 30_000;

export interface UpdaterOptions {
  layout: UpdateLayout;
  /** The running version (the launcher exports it; = the `current` release's name). */
  currentVersion: string;
  /** This booth's runtime; a manifest for another is refused. */
  runtime: UpdateRuntime;
  /** Trusted Ed25519 public keys (base64 raw or PEM). */
  keys: readonly string[];
  source: UpdateSource;
  gate: SwitchGate;
  /** Asks the process to exit so the supervisor (systemd) restarts it on the new `current`. */
  restart: (reason: string) => void;
  /** Told after every status change (compose sends a health frame at once). */
  onStatus?: (s: UpdateStatus) => void;
  /** Poll period (default 15 min), ± jitter (default 20 %) so a fleet does not ask all at once. */
  pollMs?: number;
  jitter?: number;
  /** How long a new version has to become healthy (default 10 min). */
  probationMs?: number;
  /** How often a staged update re-checks the gate (default 5 s). */
  gateCheckMs?: number;
  fetch?: typeof fetch;
  now?: () => number;
  timers: Timers;
  random?: () => number;
  log?: Logger;
  /** Free-space probe for the download (tests). */
  freeBytes?: (dir: string) => Promise<number>;
}

export interface Updater {
  /** Reads state.json: enters probation when this start is a pending switch, reports the last outcome; schedules polling. */
  start(): Promise<void>;
  /** The status reported in kiosk.health. */
  status(): UpdateStatus;
  /** Polls the source once now (also done on reconnect). Never throws. */
  checkNow(): Promise<void>;
  /** Applies one offer (signature → download → unpack → wait for the gate → switch). Never throws; the outcome is in status(). */
  apply(offer: UpdateOffer): Promise<void>;
  /** Hub link status (health and poll-on-reconnect). */
  hubStatus(s: HubLinkStatus): void;
  /** A phase the renderer reported (health: the renderer runs). */
  rendererPhase(p: VisitPhase): void;
  /** Stops timers. */
  stop(): void;
}

/**
 * Healthy, for probation: the hub link is online AND the renderer has reported an idle phase
 * (attract or closed) since this process started — i.e. main runs, reaches the hub, and the
 * citizen screen loaded and started its session machine.
 */
export function createUpdater(o: UpdaterOptions): Updater {
  const log = o.log ?? silentLogger;
  const now = o.now ?? Date.now;
  const random = o.random ?? Math.random;
  const doFetch = o.fetch ?? fetch;
  const pollMs = o.pollMs ?? 15 * 60_000;
  const jitter = o.jitter ?? 0.2;
  const probationMs = o.probationMs ?? 10 * 60_000;
  const gateCheckMs = o.gateCheckMs ?? 5000;
  const L = o.layout;

  let status: UpdateStatus = { current: o.currentVersion, target: null, state: 'idle', error: null, at: now() };
  let file: UpdateStateFile = { schema: 1, pending: null, last: null, rejected: [] };
  let hub: HubLinkStatus = 'connecting';
  let rendererUp = false;
  let busy = false;
  let stopped = false;
  let pollTimer: unknown = null;
  let deadlineTimer: unknown = null;
  let gateTimer: unknown = null;
  let offGate: (() => void) | null = null;
  let gateAction: (() => void) | null = null;
  let restartWanted: string | null = null;

  const setStatus = (state: UpdateState, target: string | null, error: UpdateError | null = null, current = status.current) => {
    status = { current, target, state, error: error ? { code: error.code, message: error.message.slice(0, 500) } : null, at: now() };
    try {
      o.onStatus?.(status);
    } catch (err) {
      log.warn({ err: String(err) }, 'update status listener failed');
    }
  };

  const schedulePoll = () => {
    if (stopped) return;
    if (pollTimer !== null) o.timers.clearTimeout(pollTimer);
    const ms = Math.max(1000, Math.round(pollMs * (1 + jitter * (2 * random() - 1))));
    pollTimer = o.timers.setTimeout(() => {
      pollTimer = null;
      void checkNow().finally(schedulePoll);
    }, ms);
  };

  // ---- probation -------------------------------------------------------------------------------
  const inProbation = () => status.state === 'probation';
  const healthy = () => hub === 'online' && rendererUp;

  let committing = false;
  const maybeCommit = async () => {
    if (committing || !inProbation() || !healthy() || !file.pending) return;
    committing = true;
    const { from, to } = file.pending;
    if (deadlineTimer !== null) o.timers.clearTimeout(deadlineTimer);
    deadlineTimer = null;
    // On disk before it is reported: the launcher must never roll back what the hub was told is committed.
    file = { ...file, pending: null, last: { current: to, target: null, state: 'committed', error: null, at: now() } };
    await writeState(L, file).catch((err: unknown) => log.error({ err: String(err) }, 'cannot write update state'));
    setStatus('committed', null);
    log.info({ from, to }, 'update committed: the new version is healthy');
    // Keep the running release and the one before it; older ones only take disk.
    const removed = await pruneReleases(L, [to, from]).catch(() => []);
    if (removed.length) log.info({ removed }, 'old releases removed');
  };

  const rollback = async (code: Extract<UpdateErrorCode, 'health_timeout' | 'crashed_on_start'>, why: string) => {
    const p = file.pending;
    if (!p) return;
    if (deadlineTimer !== null) o.timers.clearTimeout(deadlineTimer);
    deadlineTimer = null;
    const err = new UpdateError(code, why);
    log.error({ from: p.to, to: p.from, code, why }, 'update rolled back');
    try {
      await switchCurrent(L, p.from);
    } catch (e) {
      // Nothing to go back to: stay on this version rather than leave the booth without one.
      log.error({ err: String(e) }, 'rollback impossible; staying on the new version');
      file = { ...file, pending: null };
      setStatus('failed', p.to, new UpdateError(code, `${why}; rollback impossible: ${String(e)}`));
      file.last = status;
      await writeState(L, file).catch(() => {});
      return;
    }
    file = {
      ...file,
      pending: null,
      last: { current: p.from, target: p.to, state: 'rolled_back', error: { code, message: why.slice(0, 500) }, at: now() },
      rejected: [...file.rejected.filter((v) => v !== p.to), p.to].slice(-100),
    };
    await writeState(L, file).catch((e: unknown) => log.error({ err: String(e) }, 'cannot write update state'));
    setStatus('rolled_back', p.to, err, p.from);
    requestRestart(`rollback to ${p.from}`);
  };

  // ---- act only between visits -----------------------------------------------------------------
  /** Runs `action` as soon as the gate says a restart interrupts nobody (now if it already does). */
  const betweenVisits = (what: string, action: () => void) => {
    clearGateWait();
    gateAction = action;
    if (o.gate.isIdle()) return tryGate();
    log.info({ why: o.gate.reason() }, `${what} waits for the end of the visit`);
    offGate = o.gate.onChange(tryGate);
    // The settle period ends with no event: re-check on a timer too.
    gateTimer = o.timers.setInterval(tryGate, gateCheckMs);
  };
  const tryGate = () => {
    if (gateAction === null || stopped || !o.gate.isIdle()) return;
    const action = gateAction;
    clearGateWait();
    action();
  };
  const clearGateWait = () => {
    offGate?.();
    offGate = null;
    if (gateTimer !== null) o.timers.clearInterval(gateTimer);
    gateTimer = null;
    gateAction = null;
  };
  const requestRestart = (reason: string) => {
    restartWanted = reason;
    betweenVisits('restart', () => {
      log.info({ reason }, 'restarting between visits');
      o.restart(reason);
    });
  };

  // ---- apply -----------------------------------------------------------------------------------
  const stage = async (offer: UpdateOffer): Promise<ReleaseManifest | null> => {
    const v = verifyManifest(offer.manifest, offer.signature, o.keys);
    if (!v.ok) {
      log.error({ code: v.error.code, why: v.error.message }, 'update refused: nothing downloaded or unpacked');
      setStatus('failed', null, v.error);
      return null;
    }
    const m = v.manifest;
    if (m.version === o.currentVersion) return null;
    if (file.rejected.includes(m.version)) {
      if (status.target !== m.version) log.warn({ version: m.version }, 'update offer ignored: this version already rolled back here');
      return null;
    }
    const refuse = (msg: string) => {
      const e = new UpdateError('manifest_invalid', msg);
      log.error({ version: m.version, why: msg }, 'update refused');
      setStatus('failed', m.version, e);
      return null;
    };
    if (!isSafeVersionName(m.version)) return refuse(`version ${m.version} is not a safe directory name`);
    if (m.runtime !== o.runtime) return refuse(`release is for ${m.runtime}, this booth runs ${o.runtime}`);
    if (m.minVersion && parseSemVer(o.currentVersion) && compareSemVer(o.currentVersion, m.minVersion) < 0) return refuse(`release needs at least ${m.minVersion}, this booth runs ${o.currentVersion}`);
    log.info({ version: m.version, keyIndex: v.keyIndex, size: m.bundle.size }, 'update accepted (signature valid)');
    if (await hasRelease(L, m.version)) {
      // Still on disk (the previous release, kept for rollbacks; or the one the .deb installed): no download.
      setStatus('staged', m.version);
      log.info({ version: m.version }, 'update staged from the release already on disk; switching at the next moment between visits');
      return m;
    }
    setStatus('downloading', m.version);
    const sameOrigin = o.source.kind === 'hub' && new URL(offer.bundleUrl).origin === new URL(o.source.base).origin;
    const dl = await downloadBundle({
      url: offer.bundleUrl,
      ...(sameOrigin && o.source.kind === 'hub' ? { headers: { authorization: authorizationOf(o.source) } } : {}),
      dir: downloadsDir(L),
      name: `visioguichet-${m.version}.tar.gz`,
      size: m.bundle.size,
      sha256: m.bundle.sha256,
      fetch: doFetch,
      ...(o.freeBytes ? { freeBytes: o.freeBytes } : {}),
    });
    setStatus('verifying', m.version);
    await unpackRelease({ bundle: dl.path, releasesDir: releasesDir(L), version: m.version });
    await rm(dl.path, { force: true });
    setStatus('staged', m.version);
    log.info({ version: m.version }, 'update staged; switching at the next moment between visits');
    return m;
  };

  const switchTo = async (m: ReleaseManifest) => {
    const from = o.currentVersion;
    file = { ...file, pending: { from, to: m.version, deadline: now() + probationMs, starts: 0 } };
    setStatus('switching', m.version);
    file.last = status;
    // Pending first, link second: a crash in between leaves a pending the launcher sees is stale.
    try {
      await writeState(L, file);
      await switchCurrent(L, m.version);
    } catch (err) {
      file = { ...file, pending: null };
      await writeState(L, file).catch(() => {});
      // No code of its own in the contract: the release could not be put in place.
      throw new UpdateError(isDiskFull(err) ? 'disk_full' : 'unpack_failed', `cannot switch current to ${m.version}: ${String(err)}`, { cause: err });
    }
    log.info({ from, to: m.version }, 'current switched; restarting into the new version');
    requestRestart(`update to ${m.version}`);
  };

  const fail = (err: unknown) => {
    const e = err instanceof UpdateError ? err : new UpdateError('unpack_failed', String(err), { cause: err });
    log.error({ code: e.code, why: e.message, target: status.target }, 'update failed');
    setStatus('failed', status.target, e);
  };

  /** Busy from the offer until the switch (or a failure): no other offer is looked at meanwhile. */
  const occupied = () => busy || stopped || inProbation() || restartWanted !== null;

  const apply = async (offer: UpdateOffer) => {
    if (occupied()) return;
    busy = true;
    let m: ReleaseManifest | null = null;
    try {
      m = await stage(offer);
    } catch (err) {
      fail(err);
    }
    if (!m) {
      busy = false;
      return;
    }
    const staged = m;
    // Switch only when a restart interrupts nobody; returns now, the switch happens later.
    betweenVisits('switch', () => {
      void stillWanted(staged)
        .then((wanted) => (wanted ? switchTo(staged) : undefined))
        .catch(fail)
        .finally(() => {
          busy = false;
        });
    });
  };

  /**
   * A staged release may have waited hours for the visits to end: ask the hub once more, and drop the
   * switch if it no longer wants this version here (rollout rolled back). Unreachable hub: switch.
   */
  const stillWanted = async (m: ReleaseManifest): Promise<boolean> => {
    if (o.source.kind !== 'hub') return true;
    let offer: UpdateOffer | null;
    try {
      offer = await fetchOffer();
    } catch {
      return true;
    }
    let version: unknown;
    try {
      version = offer ? (JSON.parse(offer.manifest) as { version?: unknown }).version : null;
    } catch {
      version = undefined;
    }
    if (version === m.version) return true;
    log.info({ version: m.version, hubWants: version ?? 'nothing' }, 'staged update dropped: the hub no longer offers it');
    setStatus('idle', null);
    return false;
  };

  const fetchOffer = async (): Promise<UpdateOffer | null> => {
    if (o.source.kind === 'hub') {
      const url = new URL(UPDATE_PATH, o.source.base).toString();
      const res = await doFetch(url, { headers: { authorization: authorizationOf(o.source), accept: 'application/json' }, signal: AbortSignal.timeout(OFFER_TIMEOUT_MS) });
      if (res.status === 204) return null;
      if (res.status !== 200) throw new UpdateError('download_failed', `GET ${url} answered HTTP ${res.status}`);
      const r = UpdateOffer.safeParse(await res.json());
      if (!r.success) throw new UpdateError('manifest_invalid', `hub update offer is malformed: ${r.error.issues[0]?.message ?? ''}`);
      return r.data;
    }
    const url = o.source.manifestUrl;
    const [mr, sr] = await Promise.all([doFetch(url, { signal: AbortSignal.timeout(OFFER_TIMEOUT_MS) }), doFetch(`${url}.sig`, { signal: AbortSignal.timeout(OFFER_TIMEOUT_MS) })]);
    if (mr.status !== 200) throw new UpdateError('download_failed', `GET ${url} answered HTTP ${mr.status}`);
    const manifest = await mr.text();
    const signature = sr.status === 200 ? (await sr.text()).trim() : '';
    let bundleRel = '';
    try {
      bundleRel = String((JSON.parse(manifest) as { bundle?: { url?: unknown } }).bundle?.url ?? '');
    } catch {
      // verifyManifest reports it (after the signature check)
    }
    // A static server only ever moves booths forward; the hub decides rollbacks.
    try {
      const v = (JSON.parse(manifest) as { version?: unknown }).version;
      if (typeof v === 'string' && parseSemVer(v) && parseSemVer(o.currentVersion) && compareSemVer(v, o.currentVersion) <= 0) return null;
    } catch {
      // idem
    }
    return { manifest, signature, bundleUrl: new URL(bundleRel || 'invalid', url).toString() };
  };

  const checkNow = async () => {
    if (occupied()) return;
    let offer: UpdateOffer | null;
    try {
      offer = await fetchOffer();
    } catch (err) {
      if (err instanceof UpdateError && err.code === 'manifest_invalid') {
        log.error({ why: err.message }, 'update offer refused');
        setStatus('failed', null, err);
        return;
      }
      // A hub that cannot be reached is not an update failure: keep the status, log, retry at the next poll.
      log.warn({ err: String(err) }, 'update check failed');
      return;
    }
    if (offer) await apply(offer);
  };

  return {
    async start() {
      file = await readState(L, (why) => log.error({ why }, 'update state.json is corrupt; starting from an empty state'));
      const p = file.pending;
      if (p && p.to === o.currentVersion) {
        setStatus('probation', p.to);
        log.info({ from: p.from, to: p.to, deadlineInMs: p.deadline - now() }, 'new version on probation');
        deadlineTimer = o.timers.setTimeout(() => {
          deadlineTimer = null;
          if (inProbation()) void rollback('health_timeout', `not healthy within the probation period (hub link ${hub}, renderer ${rendererUp ? 'up' : 'never reported'})`);
        }, Math.max(0, p.deadline - now()));
        await maybeCommit();
      } else {
        if (p) {
          log.warn({ pending: p, current: o.currentVersion }, 'stale pending update cleared (current is not its target)');
          file = { ...file, pending: null };
          await writeState(L, file).catch(() => {});
        }
        // Report what happened before this start (a launcher rollback, a commit) until something new happens.
        if (file.last && (file.last.state === 'rolled_back' || file.last.state === 'committed' || file.last.state === 'failed')) {
          status = { ...file.last, current: o.currentVersion };
          o.onStatus?.(status);
        }
      }
      schedulePoll();
    },
    status: () => status,
    checkNow,
    apply,
    hubStatus(s) {
      const was = hub;
      hub = s;
      if (s === 'online') {
        void maybeCommit();
        if (was !== 'online' && !stopped) void checkNow();
      }
    },
    rendererPhase(p) {
      if (p === 'attract' || p === 'closed') {
        rendererUp = true;
        void maybeCommit();
      }
    },
    stop() {
      stopped = true;
      if (pollTimer !== null) o.timers.clearTimeout(pollTimer);
      if (deadlineTimer !== null) o.timers.clearTimeout(deadlineTimer);
      clearGateWait();
    },
  };
}

/** The hub source's Authorization value now. */
function authorizationOf(source: { authorization: string | (() => string) }): string {
  return typeof source.authorization === 'function' ? source.authorization() : source.authorization;
}

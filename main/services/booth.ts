// The booth as the runtimes see it: one KioskCore whose inside changes with the booth's identity.
// Without an identity (fresh install, or revoked) it shows an enrollment code and serves only what
// that screen needs; once a technician approves, it composes the full kiosk (outbox, hub link,
// peripherals) under the new id; when the hub revokes it (error `revoked`, close 4403) it closes
// the full kiosk — the outbox file keeps what was not delivered — and shows a code again.
import type { BridgeHandlers, CallName } from '../../common/bridge/contract';
import type { HubLinkStatus } from '../../common/bridge/core';
import type { EnrollState } from '../../common/enroll';
import { unavailableHandlers } from './bridge-handlers';
import type { KioskConfig } from './config';
import type { BridgeEventListener, KioskCore } from './core';
import { readIdentity, startEnrollment, writeIdentity, type BoothIdentity, type Enrollment, type EnrollmentOptions } from './enrollment';
import { loadOrCreateKioskKey } from './kiosk-key';
import type { Logger } from './log';
import { silentLogger } from './log';
import { createEventFanout } from './event-fanout';
import type { HubLink } from './hub-link';

/** The configuration before enrollment: as KioskConfig, but the kiosk id may be missing. */
export type BoothConfig = Omit<KioskConfig, 'kioskId'> & { kioskId?: string };

export interface BoothOptions {
  /** Validated configuration; `kioskId` absent = enroll (unless identity.json has one). */
  config: BoothConfig;
  /** Builds the full kiosk for an identity (composeKiosk in the entries). */
  compose: (config: KioskConfig) => Promise<KioskCore>;
  /** The hub's HTTP base (from config.hubUrl). */
  hubBase: string;
  log?: Logger;
  /** Enrollment transport and time (tests). */
  enrollment?: Partial<Pick<EnrollmentOptions, 'fetch' | 'timers' | 'now' | 'random'>>;
  now?: () => number;
}

/** A KioskCore that enrolls first; `enrolled` resolves each time the booth has an identity (tests, bench). */
export interface Booth extends KioskCore {
  /** The enrollment state the screen shows. */
  readonly enrollState: EnrollState;
}

/** The config view of a booth without identity: its file's public config, nothing from the hub yet. */
function staticConfig(c: BoothConfig) {
  return {
    current: () => c.public,
    version: () => '',
    pending: () => undefined,
    offer: () => {
      throw new Error('the booth is not enrolled');
    },
    phase: () => undefined,
  };
}

const OFFLINE_LINK: Pick<HubLink, 'status' | 'iceServers'> = { status: 'offline', iceServers: [] };

/** Starts the booth: the full kiosk when it has an identity, the enrollment code otherwise. */
export async function startBooth(opts: BoothOptions): Promise<Booth> {
  const log = opts.log ?? silentLogger;
  const now = opts.now ?? Date.now;
  const { config } = opts;
  const { listeners, emit } = createEventFanout(log);
  let inner: KioskCore | undefined;
  let offInner: (() => void)[] = [];
  let enrollment: Enrollment | undefined;
  let state: EnrollState = { state: 'starting', hubUrl: opts.hubBase, retrying: false };
  let closed = false;
  const enrollingConfig = staticConfig(config);
  const setState = (next: EnrollState) => {
    state = next;
    emit('enroll.state', next);
  };

  // What the enrollment screen may call while the booth has no identity.
  const enrollHandlers: BridgeHandlers = {
    ...unavailableHandlers(),
    'config.get': () => config.public,
    'hub.status': () => 'offline' as HubLinkStatus,
    'hub.iceServers': () => [],
    'session.phase': () => undefined,
    'log.report': (line) => void (line.level === 'error' ? log.error({ source: line.source }, line.msg) : log.warn({ source: line.source }, line.msg)),
  };
  const handlers = new Proxy({} as BridgeHandlers, {
    get(_t, name: string) {
      if (name === 'enroll.status') return () => state;
      const h = (inner?.handlers ?? enrollHandlers)[name as CallName];
      return h;
    },
  });

  const enterFull = async (kioskId: string) => {
    const core = await opts.compose({ ...config, kioskId } as KioskConfig);
    if (closed) {
      await core.close();
      return;
    }
    inner = core;
    offInner = [
      core.subscribe((event, payload) => {
        for (const l of listeners) l(event, payload);
      }),
      core.hubLink.onMessage((frame) => {
        if (frame.type === 'error' && frame.code === 'revoked') void revoked(kioskId);
      }),
    ];
    setState({ state: 'enrolled', kioskId });
    log.info({ kioskId }, 'booth enrolled: visit screens running');
  };

  const enterEnrollment = (revokedBefore: boolean) => {
    const key = loadOrCreateKioskKey(config.dataDir, log.child({ module: 'kiosk-key' }));
    setState({ state: 'starting', hubUrl: opts.hubBase, retrying: false });
    const e = (enrollment = startEnrollment({
      hubBase: opts.hubBase,
      publicKeyPem: key.publicKeyPem,
      revoked: revokedBefore,
      onState: setState,
      log: log.child({ module: 'enrollment' }),
      now,
      ...opts.enrollment,
    }));
    e.result.then(
      async (id) => {
        if (closed) return;
        enrollment = undefined;
        const identity: BoothIdentity = { state: 'enrolled', kioskId: id.kioskId, name: id.name, office: id.office, hubUrl: opts.hubBase, enrolledAt: now() };
        writeIdentity(config.dataDir, identity);
        await enterFull(id.kioskId);
      },
      (err: unknown) => {
        if (!closed) log.error({ err: String(err) }, 'enrollment failed');
      },
    ).catch((err: unknown) => log.error({ err: String(err) }, 'booth failed to start after enrollment'));
  };

  let revoking = false;
  const revoked = async (kioskId: string) => {
    if (revoking || closed) return;
    revoking = true;
    log.warn({ kioskId }, 'booth revoked by the hub: back to enrollment; undelivered records stay in the outbox');
    writeIdentity(config.dataDir, { state: 'revoked', kioskId, revokedAt: now() });
    const old = inner;
    inner = undefined;
    for (const off of offInner) off();
    offInner = [];
    emit('session.reset', 'revoked');
    await old?.close().catch((err: unknown) => log.warn({ err: String(err) }, 'closing the revoked kiosk failed'));
    revoking = false;
    if (!closed) enterEnrollment(true);
  };

  // Start: the development secret skips enrollment; a revoked identity beats the config's id.
  let saved: BoothIdentity | undefined;
  try {
    saved = readIdentity(config.dataDir);
  } catch (err) {
    log.error({ err: String(err) }, 'booth identity file unreadable; enrolling again');
  }
  const id = config.kioskSecret !== undefined ? config.kioskId : saved?.state === 'revoked' ? undefined : saved?.kioskId ?? config.kioskId;
  if (id) await enterFull(id);
  else enterEnrollment(saved?.state === 'revoked');

  const hubLink = {
    get status() {
      return inner?.hubLink.status ?? OFFLINE_LINK.status;
    },
    get iceServers() {
      return inner?.hubLink.iceServers ?? OFFLINE_LINK.iceServers;
    },
    send: (frame: Parameters<HubLink['send']>[0]) => {
      if (!inner) throw new Error('the booth is not enrolled');
      inner.hubLink.send(frame);
    },
    onStatus: (l: (s: HubLinkStatus) => void) => inner?.hubLink.onStatus(l) ?? (() => false),
    onMessage: (l: Parameters<HubLink['onMessage']>[0]) => inner?.hubLink.onMessage(l) ?? (() => false),
    close: async () => inner?.hubLink.close(),
  } as HubLink;

  return {
    handlers,
    hubLink,
    get phase() {
      return inner?.phase ?? 'attract';
    },
    get enrollState() {
      return state;
    },
    // The live config (hub-pushed fields) belongs to the full kiosk; before enrollment the file's.
    get config() {
      return inner ? (inner as unknown as { config: unknown }).config : enrollingConfig;
    },
    get calls() {
      return inner?.calls ?? { current: null };
    },
    subscribe(listener: BridgeEventListener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    emit,
    resetVisit: (reason: string) => inner?.resetVisit(reason),
    health: () => {
      if (!inner) throw new Error('the booth is not enrolled');
      return inner.health();
    },
    sendHealthNow: () => inner?.sendHealthNow() ?? false,
    async close() {
      if (closed) return;
      closed = true;
      enrollment?.stop();
      for (const off of offInner) off();
      listeners.clear();
      await inner?.close();
    },
  } as unknown as Booth;
}

// Agent console page: wires the DOM to AgentSession. All protocol decisions live in session.ts;
// this file only renders `view`, forwards clicks, and owns what is purely visual (countdown, frame
// counters exposed as data-* attributes for automation and support).
import '../shared/strict-csp';
import { callAudioConstraints, callVideoConstraints } from '../../common/media-defaults';
import './styles.css';
import type { Language } from '../../common/config';
import { type MessageKey, t } from '../../common/i18n';
import type { CallContext } from '../../common/protocol';
import { createCallPeer } from '../shared/peer';
import { acquireMedia, type FrameCounter, frameCounter, stopStream } from '../shared/media';
import { createRinger } from '../shared/ring';
import { AgentSession, type AgentSessionDeps, type AgentView } from './session';
import { mountAgentChat } from './chat-panel';
import { mountCallQuality } from './quality';

const LANG_KEY = 'visioguichet.agent.lang';

function $<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`agent console: #${id} missing from index.html`);
  return el as T;
}

const el = {
  greeting: $('greeting'),
  state: $('agent-state'),
  logout: $<HTMLButtonElement>('logout'),
  notice: $('notice'),
  loginView: $('login-view'),
  loginForm: $<HTMLFormElement>('login-form'),
  username: $<HTMLInputElement>('login-username'),
  password: $<HTMLInputElement>('login-password'),
  loginError: $('login-error'),
  loginSubmit: $<HTMLButtonElement>('login-submit'),
  consoleView: $('console-view'),
  available: $<HTMLButtonElement>('status-available'),
  away: $<HTMLButtonElement>('status-away'),
  ring: $('ring-panel'),
  ringService: $('ring-service'),
  ringLanguage: $('ring-language'),
  ringCode: $('ring-code'),
  ringKiosk: $('ring-kiosk'),
  ringTextFirst: $('ring-text-first'),
  ringInterpreter: $('ring-interpreter'),
  ringAttempt: $('ring-attempt'),
  ringAudioOnly: $('ring-audio-only'),
  callFlags: $('call-flags'),
  ringCountdown: $('ring-countdown'),
  ringProgress: $<HTMLProgressElement>('ring-progress'),
  accept: $<HTMLButtonElement>('ring-accept'),
  decline: $<HTMLButtonElement>('ring-decline'),
  callView: $('call-view'),
  remote: $<HTMLVideoElement>('remote-video'),
  self: $<HTMLVideoElement>('self-video'),
  peerState: $('peer-state'),
  callContext: $('call-context'),
  mute: $<HTMLButtonElement>('mute'),
  endCall: $<HTMLButtonElement>('end-call'),
  callbacks: $('callbacks'),
};

let lang: Language = sessionStorage.getItem(LANG_KEY) === 'en' ? 'en' : 'fr';
const tr = (key: MessageKey, params?: Record<string, string | number>): string => t(lang, key, params);

const ringer = createRinger();
const session = new AgentSession({
  hubUrl: location.origin,
  fetch: (url, init) => fetch(url, init),
  // The browser socket fits WebSocketLike; only its event types are richer than the session needs.
  WebSocket: WebSocket as unknown as AgentSessionDeps['WebSocket'],
  createPeer: createCallPeer,
  acquireMedia: () => acquireMedia({ video: { ...callVideoConstraints }, audio: { ...callAudioConstraints } }),
  stopStream,
  ringer,
  storage: sessionStorage,
});

// ---- rendering ----------------------------------------------------------------------------

/** The last view rendered (the callbacks panel names services from its catalogue too). */
let lastView: AgentView | undefined;

/** A service's name from the hub's catalogue, in the console's language; the id until the catalogue arrives. */
function serviceLabel(id: string): string {
  return lastView?.services.find((s) => s.id === id)?.label[lang] ?? id;
}

function applyStaticText(): void {
  document.documentElement.lang = lang;
  for (const node of document.querySelectorAll<HTMLElement>('[data-i18n]')) node.textContent = tr(node.dataset.i18n as MessageKey);
  for (const node of document.querySelectorAll<HTMLElement>('[data-i18n-label]')) node.setAttribute('aria-label', tr(node.dataset.i18nLabel as MessageKey));
  for (const b of document.querySelectorAll<HTMLButtonElement>('[data-lang]')) b.setAttribute('aria-pressed', String(b.dataset.lang === lang));
}

let remoteCounter: FrameCounter | undefined;
let selfCounter: FrameCounter | undefined;
let uiTimer: ReturnType<typeof setInterval> | undefined;

function attach(video: HTMLVideoElement, stream: MediaStream | undefined): void {
  if (video.srcObject === (stream ?? null)) return;
  video.srcObject = stream ?? null;
  if (stream) void video.play().catch(() => {});
}

function renderTicks(view: AgentView): void {
  // Countdown and frame counters move without session events, so a light timer refreshes them.
  const ring = view.ring;
  if (ring) {
    const remainingMs = Math.max(0, ring.deadline - Date.now());
    el.ringCountdown.textContent = tr('agent.ring.countdown', { seconds: Math.ceil(remainingMs / 1000) });
    el.ringCountdown.dataset.remainingMs = String(remainingMs);
    el.ringProgress.value = ringTotal > 0 ? remainingMs / ringTotal : 0;
  }
  el.remote.dataset.frames = String(remoteCounter?.frames() ?? 0);
  el.self.dataset.frames = String(selfCounter?.frames() ?? 0);
}

/** "Interprète requis : arabe" and "Appel audio seulement", as the ring and the call show them; empty when neither. */
function flagsOf(c: CallContext): { interpreter: string; audioOnly: string } {
  return {
    interpreter: c.interpreter ? tr('agent.ring.interpreter', { language: tr(`language.${c.interpreter}`) }) : '',
    audioOnly: c.audioOnly ? tr('agent.ring.audioOnly') : '',
  };
}

let ringTotal = 0;
let lastRingId: string | undefined;

function render(view: AgentView): void {
  lastView = view;
  const signedIn = view.phase !== 'login';
  document.body.dataset.agentState = view.phase;
  document.body.dataset.connection = view.reconnecting ? 'reconnecting' : 'online';
  el.state.textContent = view.reconnecting ? tr('agent.state.reconnecting') : tr(`agent.state.${view.phase}`);
  document.title = view.ring && !view.ring.accepting ? `${tr('agent.ring.heading')} — ${tr('agent.title')}` : tr('agent.title');

  el.loginView.hidden = signedIn;
  el.consoleView.hidden = !signedIn;
  el.logout.hidden = !signedIn;
  el.greeting.textContent = view.displayName ? tr('agent.greeting', { name: view.displayName }) : '';
  el.loginSubmit.disabled = view.loginBusy;
  el.loginSubmit.textContent = tr(view.loginBusy ? 'agent.login.busy' : 'agent.login.submit');
  el.loginError.hidden = !view.loginError;
  el.loginError.textContent = view.loginError ? tr(view.loginError) : '';

  el.notice.hidden = !view.notice;
  el.notice.textContent = view.notice ? tr(view.notice.key, view.notice.params) : '';

  const busy = view.phase === 'connecting' || !!view.ring || !!view.call;
  el.available.disabled = busy;
  el.away.disabled = busy;
  el.available.setAttribute('aria-pressed', String(view.status === 'available'));
  el.away.setAttribute('aria-pressed', String(view.status === 'away'));

  const ring = view.ring;
  el.ring.hidden = !ring;
  if (ring) {
    if (ring.callId !== lastRingId) {
      lastRingId = ring.callId;
      ringTotal = Math.max(1, ring.deadline - Date.now());
    }
    el.ring.dataset.callId = ring.callId;
    el.ringService.textContent = serviceLabel(ring.context.service);
    el.ringService.dataset.value = ring.context.service;
    el.ringLanguage.textContent = tr(`lang.${ring.context.language}`);
    el.ringLanguage.dataset.value = ring.context.language;
    el.ringCode.textContent = ring.context.appointmentCode ?? tr('agent.ring.noCode');
    el.ringCode.dataset.value = ring.context.appointmentCode ?? '';
    el.ringKiosk.textContent = tr('agent.ring.kioskAt', { kiosk: ring.context.kioskName, office: ring.context.office });
    el.ringTextFirst.hidden = ring.context.textFirst !== true;
    const flags = flagsOf(ring.context);
    el.ringInterpreter.hidden = !flags.interpreter;
    el.ringInterpreter.textContent = flags.interpreter;
    el.ringInterpreter.dataset.value = ring.context.interpreter ?? '';
    el.ringAudioOnly.hidden = !flags.audioOnly;
    // A citizen whose earlier call was lost, back at the head of the line.
    el.ringAttempt.hidden = !ring.context.attempt;
    el.ringAttempt.textContent = ring.context.attempt ? tr('agent.ring.attempt', { attempt: String(ring.context.attempt) }) : '';
    el.ringAttempt.dataset.value = String(ring.context.attempt ?? 1);
    el.accept.disabled = ring.accepting;
    el.decline.disabled = ring.accepting;
  } else {
    lastRingId = undefined;
    delete el.ring.dataset.callId;
  }

  const call = view.call;
  el.callView.hidden = !call;
  if (call) {
    el.callView.dataset.callId = call.callId;
    const c = call.context;
    el.callContext.textContent = [serviceLabel(c.service), tr(`lang.${c.language}`), c.appointmentCode ?? tr('agent.ring.noCode'), tr('agent.ring.kioskAt', { kiosk: c.kioskName, office: c.office })].join(' · ');
    const flags = flagsOf(c);
    el.callFlags.textContent = [flags.interpreter, flags.audioOnly].filter(Boolean).join(' · ');
    el.callFlags.hidden = !el.callFlags.textContent;
    el.peerState.textContent = tr(`agent.peer.${call.peerState}`);
    el.peerState.dataset.state = call.peerState;
    el.mute.textContent = tr(call.muted ? 'agent.call.unmute' : 'agent.call.mute');
    el.mute.setAttribute('aria-pressed', String(call.muted));
    if (call.remoteStream && el.remote.srcObject !== call.remoteStream) {
      remoteCounter?.stop();
      remoteCounter = frameCounter(el.remote);
    }
    if (call.localStream && el.self.srcObject !== call.localStream) {
      selfCounter?.stop();
      selfCounter = frameCounter(el.self);
    }
    attach(el.remote, call.remoteStream);
    attach(el.self, call.localStream);
    el.remote.dataset.audioTracks = String(call.remoteStream?.getAudioTracks().length ?? 0);
  } else {
    delete el.callView.dataset.callId;
    remoteCounter?.stop();
    selfCounter?.stop();
    remoteCounter = selfCounter = undefined;
    attach(el.remote, undefined);
    attach(el.self, undefined);
    el.remote.dataset.audioTracks = '0';
  }

  const ticking = !!ring || !!call;
  if (ticking && !uiTimer) uiTimer = setInterval(() => renderTicks(session.view), 250);
  if (!ticking && uiTimer) {
    clearInterval(uiTimer);
    uiTimer = undefined;
  }
  renderTicks(view);
  void syncCallbacks(view);
}

// ---- callbacks panel (optional module owned by another part of the console) ------------------

type CallbacksModule = { mountCallbacks(el: HTMLElement, opts: { token: string; hubUrl: string; serviceName: (id: string) => string }): unknown };
const callbackModules = import.meta.glob<CallbacksModule>('./callbacks.ts');
let callbacksToken: string | undefined;
let unmountCallbacks: (() => void) | undefined;

async function syncCallbacks(view: AgentView): Promise<void> {
  const token = view.phase === 'login' ? undefined : session.token;
  if (token === callbacksToken) return;
  callbacksToken = token;
  unmountCallbacks?.();
  unmountCallbacks = undefined;
  el.callbacks.replaceChildren();
  const load = callbackModules['./callbacks.ts'];
  if (!token || !load) return;
  try {
    const mod = await load();
    if (callbacksToken !== token) return;
    const cleanup = mod.mountCallbacks(el.callbacks, { token, hubUrl: location.origin, serviceName: serviceLabel });
    if (typeof cleanup === 'function') unmountCallbacks = cleanup as () => void;
  } catch (err) {
    console.warn('[agent] callbacks panel failed to load', err);
  }
}

// ---- events -------------------------------------------------------------------------------

el.loginForm.addEventListener('submit', (ev) => {
  ev.preventDefault();
  ringer.unlock();
  const username = el.username.value.trim();
  const password = el.password.value;
  if (!username || !password) {
    el.loginError.hidden = false;
    el.loginError.textContent = tr('agent.login.error.credentials');
    return;
  }
  void session.login(username, password).then(() => {
    // The password never stays in the DOM once used.
    el.password.value = '';
  });
});
el.available.addEventListener('click', () => {
  ringer.unlock();
  session.setStatus('available');
});
el.away.addEventListener('click', () => session.setStatus('away'));
el.accept.addEventListener('click', () => session.accept());
el.decline.addEventListener('click', () => session.decline());
el.mute.addEventListener('click', () => session.setMuted(!session.view.call?.muted));
el.endCall.addEventListener('click', () => session.endCall());
el.logout.addEventListener('click', () => session.logout());
for (const b of document.querySelectorAll<HTMLButtonElement>('[data-lang]')) {
  b.addEventListener('click', () => {
    lang = b.dataset.lang === 'en' ? 'en' : 'fr';
    sessionStorage.setItem(LANG_KEY, lang);
    applyStaticText();
    render(session.view);
  });
}
// After a reload the session resumes without a click, and browsers keep audio suspended until
// one: unlock the ringer on the first interaction anywhere.
document.addEventListener('pointerdown', () => ringer.unlock(), { once: true });
document.addEventListener('keydown', () => ringer.unlock(), { once: true });
// Closing the tab mid-call must end the call for the citizen too, not leave them on a frozen frame.
window.addEventListener('pagehide', () => session.endCall());

applyStaticText();
session.subscribe(render);
// The "Texte" panel beside the video (text in the call); it follows the session's call by itself.
mountAgentChat($('chat'), { session, tr });
mountCallQuality($('call-quality'), { callId: () => session.view.call?.callId ?? null, stats: () => session.callStats(), tr });
session.start();

// Per-step timestamps of a call, for the call benchmark. Two sources, both read from the pages:
// - the product's own `performance.mark('vg:call:…')` marks (renderer/shared/call-marks.ts): the
//   app-level steps (click, frame received, machine state, stream ready, peer created, video attached);
// - an init script that observes the browser objects without changing them: WebSocket frames (the
//   hub link of the agent, the bridge of the kiosk), RTCPeerConnection (offer, answer, ICE, DTLS,
//   track) and getUserMedia. Times are epoch ms (`timeOrigin + now`), comparable across the pages of
//   one machine.

/** One observed step: a stable name and when it happened (epoch ms). */
export interface Stamp {
  name: string;
  at: number;
}

/**
 * Installed with `page.addInitScript` before the page's own scripts. Records the first occurrence of
 * each step per call into `window.__vgSteps` (the bench clears it before each call).
 */
export const timelineInitScript = `(() => {
  const now = () => performance.timeOrigin + performance.now();
  window.__vgSteps = [];
  const stamp = (name, at) => { if (!window.__vgSteps.some((s) => s.name === name)) window.__vgSteps.push({ name, at: at ?? now() }); };
  window.__vgStamp = stamp;
  // Frame types on the wire: the hub link (agent) and the bridge (kiosk) both carry JSON.
  const kinds = (data) => {
    if (typeof data !== 'string') return [];
    const out = [];
    for (const k of ['call.accept"', 'call.accepted', 'call.connected']) if (data.includes('"' + k)) out.push(k.replace('"', ''));
    if (data.includes('"signal"') || data.includes('signal')) {
      if (data.includes('"offer"')) out.push('offer');
      if (data.includes('"answer"')) out.push('answer');
      if (data.includes('candidate')) out.push('candidate');
    }
    return out;
  };
  const OWS = window.WebSocket;
  window.WebSocket = class extends OWS {
    constructor(...a) {
      super(...a);
      this.addEventListener('message', (ev) => { for (const k of kinds(ev.data)) stamp('ws.recv ' + k); });
    }
    send(data) { for (const k of kinds(data)) stamp('ws.send ' + k); return super.send(data); }
  };
  const OPC = window.RTCPeerConnection;
  window.__pcs = [];
  window.RTCPeerConnection = class extends OPC {
    constructor(...a) {
      super(...a);
      window.__pcs = window.__pcs.filter((p) => p.signalingState !== 'closed');
      window.__pcs.push(this);
      stamp('pc.created');
      this.addEventListener('icegatheringstatechange', () => stamp('pc.gathering ' + this.iceGatheringState));
      this.addEventListener('icecandidate', (e) => { if (e.candidate) stamp('pc.candidate first'); });
      this.addEventListener('iceconnectionstatechange', () => stamp('pc.ice ' + this.iceConnectionState));
      this.addEventListener('connectionstatechange', () => stamp('pc.dtls ' + this.connectionState));
      this.addEventListener('track', (e) => stamp('pc.track ' + e.track.kind));
    }
    async createOffer(...a) { const r = await super.createOffer(...a); stamp('pc.offer created'); return r; }
    async createAnswer(...a) { const r = await super.createAnswer(...a); stamp('pc.answer created'); return r; }
    async setLocalDescription(...a) { const r = await super.setLocalDescription(...a); stamp('pc.local set'); return r; }
    async setRemoteDescription(...a) { stamp('pc.remote set called'); const r = await super.setRemoteDescription(...a); stamp('pc.remote set'); return r; }
  };
  // Media elements: when a stream is attached, when it has metadata and when it plays.
  const desc = Object.getOwnPropertyDescriptor(HTMLMediaElement.prototype, 'srcObject');
  Object.defineProperty(HTMLMediaElement.prototype, 'srcObject', {
    configurable: true,
    get() { return desc.get.call(this); },
    set(v) { if (v) stamp('video.attached ' + (this.dataset.testid || '?')); desc.set.call(this, v); },
  });
  for (const ev of ['loadedmetadata', 'playing']) document.addEventListener(ev, (e) => stamp('video.' + ev + ' ' + (e.target.dataset?.testid || '?')), true);
  const md = navigator.mediaDevices;
  if (md) {
    const gum = md.getUserMedia.bind(md);
    md.getUserMedia = async (c) => { stamp('gum.called'); const s = await gum(c); stamp('gum.resolved'); return s; };
  }
})();`;

/** Steps of one call, agent and kiosk merged, relative to the agent's click (ms). */
export async function readSteps(page: { evaluate<T>(fn: () => T): Promise<T> }): Promise<Stamp[]> {
  return page.evaluate(() => {
    const w = window as unknown as { __vgSteps?: { name: string; at: number }[] };
    const own = (w.__vgSteps ?? []).map((s) => ({ name: s.name, at: s.at }));
    const marks = performance
      .getEntriesByType('mark')
      .filter((m) => m.name.startsWith('vg:call:'))
      .map((m) => ({ name: m.name.slice('vg:'.length), at: performance.timeOrigin + m.startTime }));
    return [...own, ...marks];
  });
}

/** Clears the previous call's steps (the product clears its own marks when a call starts). */
export async function clearSteps(page: { evaluate<T>(fn: () => T): Promise<T> }): Promise<void> {
  await page.evaluate(() => {
    (window as unknown as { __vgSteps: unknown[] }).__vgSteps = [];
    performance.clearMarks();
  });
}

import { z } from 'zod';
import { KioskPublicConfig } from '../config';
import { CallRequest, CallCancel, ChatAck, ChatSend, Signal, CallEnd, HubToKiosk, IceServer, KioskHealthSnapshot, Ping } from '../protocol';
import { call } from './define';
import { AudioEchoReport } from './hardware';

/** What the renderer may send to the hub through main (main adds authentication; no kiosk.auth here). */
export const RendererToHub = z.discriminatedUnion('type', [CallRequest, CallCancel, Signal, CallEnd, Ping, ChatSend, ChatAck]);
export type RendererToHub = z.infer<typeof RendererToHub>;

export const HubLinkStatus = z.enum(['connecting', 'online', 'offline']);
export type HubLinkStatus = z.infer<typeof HubLinkStatus>;

/** Coarse phase of the visit, reported by the renderer so main can drive power-save, status light, screen. */
export const VisitPhase = z.enum(['attract', 'visit', 'call', 'closed', 'out_of_service']);
export type VisitPhase = z.infer<typeof VisitPhase>;

/** A warning or error the renderer forwards to main's journal (its own message text, never a field's value). */
export const RendererLogLine = z.object({
  level: z.enum(['warn', 'error']),
  msg: z.string().max(2000),
  /** Where it came from (`console`, `window.onerror`, `unhandledrejection`, a module name). */
  source: z.string().max(64),
});
export type RendererLogLine = z.infer<typeof RendererLogLine>;

export const coreCalls = {
  /** A renderer warning or error for the journal (main masks digit runs, clips, and rate-limits). */
  'log.report': call(z.tuple([RendererLogLine]), z.void()),
  /** The kiosk's public configuration (no secrets). */
  'config.get': call(z.tuple([]), KioskPublicConfig),
  /** Forward one frame to the hub; fails with `hub_offline` when the link is down. */
  'hub.send': call(z.tuple([RendererToHub]), z.void()),
  /** Current hub link status (the renderer also gets `hub.status` events). */
  'hub.status': call(z.tuple([]), HubLinkStatus),
  /** ICE servers from the hub's last `welcome` (empty until the first one). */
  'hub.iceServers': call(z.tuple([]), z.array(IceServer)),
  /** Tell main which phase the visit is in (power-save blocker, status light, screen schedule). */
  'session.phase': call(z.tuple([VisitPhase]), z.void()),
  /** The kiosk's health snapshot as main reports it to the hub (technician panel). */
  'health.get': call(z.tuple([]), KioskHealthSnapshot),
  /** The technician panel reports an echo-path test; main keeps the last one in the health report (`audio`, problem `audio:echo_failed`). */
  'health.audioEcho': call(z.tuple([AudioEchoReport]), z.void()),
  /** Technician PIN check (main holds the PIN); false when wrong; fails `technician_locked` after repeated failures, `technician_disabled` when no PIN is configured. */
  'technician.unlock': call(z.tuple([z.string().max(32)]), z.boolean()),
};

export const coreEvents = {
  /** A frame from the hub, already validated. */
  'hub.message': z.tuple([HubToKiosk]),
  'hub.status': z.tuple([HubLinkStatus]),
  /** Main asks the renderer to reset the visit (e.g. after a renderer crash/reload, or technician). */
  'session.reset': z.tuple([z.string()]),
  /** Main applied a new hub configuration (its version) between visits: the renderer reloads at attract to take it. */
  'config.changed': z.tuple([z.string()]),
};

// Pure report parsers and command encoders driven by device profiles. Every decoder validates
// length and report id first; a malformed report throws MalformedReportError (the driver drops
// it and reports it in health), never an index error. Twin-side encoders build the reports a real
// device would send, so simulated devices exercise exactly the same parsing path.
import { MalformedReportError } from './errors';
import type { HandsetLeds, Rgb, ScannedCode } from './interfaces';
import type { CallButtonProfile, DeviceProfile, Field, HandsetProfile, PresenceProfile, ScannerProfile, StatusLightProfile } from './profiles/schema';

type Bytes = ArrayLike<number>;

export function fieldActive(f: Field, buf: Bytes): boolean {
  const v = (buf[f.byte] ?? 0) & f.mask;
  return f.equals === undefined ? v !== 0 : v === f.equals;
}

/** Writes a field into a report being built (twin side): active sets `equals` (or the mask bits). */
export function setField(buf: number[], f: Field, active: boolean): void {
  const cur = buf[f.byte] ?? 0;
  if (active) buf[f.byte] = (cur & ~f.mask) | (f.equals ?? f.mask);
  else if (f.equals === undefined) buf[f.byte] = cur & ~f.mask;
  else if ((cur & f.mask) === f.equals) buf[f.byte] = cur & ~f.mask; // clear only when it currently reads active
}

const toArray = (buf: Bytes) => Array.from(buf as ArrayLike<number>);

/** Length/report-id gate shared by every input layout: null = another report (ignore), throws when short. */
function gate(profile: DeviceProfile & { input: { reportId: number | null; minLength: number } }, buf: Bytes, needed: number): boolean {
  if (buf.length === 0) throw new MalformedReportError(profile.id, 'empty report');
  if (profile.input.reportId !== null && buf[0] !== profile.input.reportId) return false;
  const min = Math.max(profile.input.minLength, needed);
  if (buf.length < min) throw new MalformedReportError(profile.id, `report is ${buf.length} bytes, layout needs ${min}`, toArray(buf));
  return true;
}

const maxByte = (...fields: Array<Field | undefined>) => Math.max(0, ...fields.filter((f): f is Field => !!f).map((f) => f.byte + 1));

export interface HandsetReport {
  offHook: boolean;
  mutePressed: boolean;
}

export function parseHandsetReport(p: HandsetProfile, buf: Bytes): HandsetReport | null {
  if (!gate(p, buf, maxByte(p.input.hook, p.input.mute))) return null;
  return { offHook: fieldActive(p.input.hook, buf), mutePressed: p.input.mute ? fieldActive(p.input.mute, buf) : false };
}

export function parseCallButtonReport(p: CallButtonProfile, buf: Bytes): { pressed: boolean } | null {
  if (!gate(p, buf, maxByte(p.input.pressed))) return null;
  return { pressed: fieldActive(p.input.pressed, buf) };
}

export function parsePresenceReport(p: PresenceProfile, buf: Bytes): { present: boolean } | null {
  if (!gate(p, buf, maxByte(p.input.present))) return null;
  return { present: fieldActive(p.input.present, buf) };
}

export interface ScannerPart {
  data: number[];
  symbology: string;
  continued: boolean;
}

export function parseScannerReport(p: ScannerProfile, buf: Bytes): ScannerPart | null {
  const L = p.input;
  if (!gate(p, buf, Math.max(L.lengthByte + 1, L.dataOffset + 1, maxByte(L.continued), (L.symbologyOffset ?? 0) + 3))) return null;
  const n = buf[L.lengthByte] ?? 0;
  if (n > L.dataMax) throw new MalformedReportError(p.id, `data length ${n} exceeds the ${L.dataMax} bytes a report holds`, toArray(buf));
  if (L.dataOffset + n > buf.length) throw new MalformedReportError(p.id, `data length ${n} runs past the ${buf.length}-byte report`, toArray(buf));
  const data = toArray(buf).slice(L.dataOffset, L.dataOffset + n);
  let symbology = '';
  if (L.symbologyOffset !== undefined) {
    const s = toArray(buf).slice(L.symbologyOffset, L.symbologyOffset + 3).filter((c) => c !== 0);
    symbology = String.fromCharCode(...s);
  }
  return { data, symbology, continued: L.continued ? fieldActive(L.continued, buf) : false };
}

// ---- Stateful edge decoders (one per open device) -------------------------------------------

export type HandsetEvent = { type: 'lifted' } | { type: 'hungUp' } | { type: 'mutePressed' };

/** Hook and mute edges. The first report establishes the hook state (on-hook assumed before it). */
export function createHandsetDecoder(p: HandsetProfile): (buf: Bytes) => HandsetEvent[] {
  let offHook = false;
  let mute = false;
  return (buf) => {
    const r = parseHandsetReport(p, buf);
    if (!r) return [];
    const out: HandsetEvent[] = [];
    if (r.offHook !== offHook) out.push({ type: r.offHook ? 'lifted' : 'hungUp' });
    if (r.mutePressed && !mute) out.push({ type: 'mutePressed' });
    offHook = r.offHook;
    mute = r.mutePressed;
    return out;
  };
}

export function createCallButtonDecoder(p: CallButtonProfile): (buf: Bytes) => Array<'pressed' | 'released'> {
  let down = false;
  return (buf) => {
    const r = parseCallButtonReport(p, buf);
    if (!r || r.pressed === down) return [];
    down = r.pressed;
    return [down ? 'pressed' : 'released'];
  };
}

export function createPresenceDecoder(p: PresenceProfile): (buf: Bytes) => boolean[] {
  let present = false;
  return (buf) => {
    const r = parsePresenceReport(p, buf);
    if (!r || r.present === present) return [];
    present = r.present;
    return [present];
  };
}

/** Longest code accepted after reassembly: a convocation QR code is far below this. */
export const MAX_CODE_BYTES = 4096;

/** Reassembles multi-report codes; a stuck "continued" flag cannot grow memory without bound. */
export function createScannerDecoder(p: ScannerProfile): (buf: Bytes) => ScannedCode[] {
  let parts: number[] = [];
  let symbology = '';
  const utf8 = new TextDecoder('utf-8', { fatal: false });
  return (buf) => {
    const part = parseScannerReport(p, buf);
    if (!part) return [];
    if (parts.length === 0) symbology = part.symbology;
    parts.push(...part.data);
    if (parts.length > MAX_CODE_BYTES) {
      parts = [];
      throw new MalformedReportError(p.id, `code longer than ${MAX_CODE_BYTES} bytes (continued flag stuck?)`);
    }
    if (part.continued) return [];
    const code = utf8.decode(Uint8Array.from(parts)).replace(/[\r\n]+$/, '');
    parts = [];
    return code === '' ? [] : [{ code, symbology }];
  };
}

// ---- Host → device encoders -------------------------------------------------------------------

/** LED output report, or null when the model has no host-driven LEDs. */
export function encodeLeds(p: HandsetProfile, leds: HandsetLeds): number[] | null {
  if (!p.leds) return null;
  const out = [...p.leds.template];
  while (out.length < p.leds.length) out.push(0);
  for (const key of ['offHook', 'ring', 'mute'] as const) {
    const bit = p.leds[key];
    if (!bit) continue;
    const cur = out[bit.byte] ?? 0;
    out[bit.byte] = leds[key] ? cur | (1 << bit.bit) : cur & ~(1 << bit.bit);
  }
  return out;
}

const clamp8 = (n: number) => Math.max(0, Math.min(255, Math.round(Number.isFinite(n) ? n : 0)));

export function encodeColor(p: StatusLightProfile, color: Rgb, blink = false): number[] {
  const c = p.command;
  const useBlink = blink && c.blink !== undefined;
  const out = [...(useBlink && c.blink?.template ? c.blink.template : c.template)];
  out[c.red] = clamp8(color.r);
  out[c.green] = clamp8(color.g);
  out[c.blue] = clamp8(color.b);
  if (useBlink && c.blink) out[c.blink.byte] = (out[c.blink.byte] ?? 0) | c.blink.set;
  return out;
}

export function encodeOff(p: StatusLightProfile): number[] {
  return [...p.command.off];
}

// ---- Device-side encoders/decoders (simulated twins) ------------------------------------------

const baseReport = (p: { input: { reportId: number | null; minLength: number; idle?: number[] | undefined } }) => {
  const out = p.input.idle ? [...p.input.idle] : new Array<number>(p.input.minLength).fill(0);
  while (out.length < p.input.minLength) out.push(0);
  if (p.input.reportId !== null) out[0] = p.input.reportId;
  return out;
};

export function encodeHandsetInput(p: HandsetProfile, state: HandsetReport): number[] {
  const out = baseReport(p);
  setField(out, p.input.hook, state.offHook);
  if (p.input.mute) setField(out, p.input.mute, state.mutePressed);
  return out;
}

export function encodeCallButtonInput(p: CallButtonProfile, pressed: boolean): number[] {
  const out = baseReport(p);
  setField(out, p.input.pressed, pressed);
  return out;
}

export function encodePresenceInput(p: PresenceProfile, present: boolean): number[] {
  const out = baseReport(p);
  setField(out, p.input.present, present);
  return out;
}

/** The HID POS reports a scanner sends for one code (split into dataMax-sized parts). */
export function encodeScanReports(p: ScannerProfile, code: string, symbology = ']Q1'): number[][] {
  const L = p.input;
  const bytes = Array.from(new TextEncoder().encode(code));
  const reports: number[][] = [];
  for (let i = 0; i < bytes.length || i === 0; i += L.dataMax) {
    const chunk = bytes.slice(i, i + L.dataMax);
    const out = baseReport(p);
    while (out.length < Math.max(L.dataOffset + L.dataMax, L.lengthByte + 1)) out.push(0);
    out[L.lengthByte] = chunk.length;
    if (L.symbologyOffset !== undefined) [...symbology.padEnd(3, '\0').slice(0, 3)].forEach((ch, k) => (out[L.symbologyOffset! + k] = ch.charCodeAt(0)));
    chunk.forEach((b, k) => (out[L.dataOffset + k] = b));
    if (L.continued) setField(out, L.continued, i + L.dataMax < bytes.length);
    reports.push(out);
    if (bytes.length === 0) break;
  }
  return reports;
}

/** Reads back an LED report (what a handset twin shows). */
export function decodeLeds(p: HandsetProfile, report: Bytes): HandsetLeds {
  const bit = (b?: { byte: number; bit: number }) => (b ? (((report[b.byte] ?? 0) >> b.bit) & 1) === 1 : false);
  return { offHook: bit(p.leds?.offHook), ring: bit(p.leds?.ring), mute: bit(p.leds?.mute) };
}

/** Reads back a light command (what a status light twin shows); null = off. */
export function decodeColor(p: StatusLightProfile, report: Bytes): (Rgb & { blink: boolean }) | null {
  const c = p.command;
  if (report.length === c.off.length && c.off.every((b, i) => report[i] === b)) return null;
  const blink = c.blink ? ((report[c.blink.byte] ?? 0) & c.blink.set) === c.blink.set && c.blink.set !== 0 : false;
  const color = { r: report[c.red] ?? 0, g: report[c.green] ?? 0, b: report[c.blue] ?? 0, blink };
  return color.r + color.g + color.b === 0 ? null : color;
}

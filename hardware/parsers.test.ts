import { describe, expect, it } from 'vitest';
import { MalformedReportError } from './errors';
import {
  createCallButtonDecoder, createHandsetDecoder, createPresenceDecoder, createScannerDecoder, decodeColor, decodeLeds,
  encodeCallButtonInput, encodeColor, encodeHandsetInput, encodeLeds, encodeOff, encodePresenceInput, encodeScanReports, parseScannerReport,
} from './parsers';
import { builtinProfiles, loadProfiles, matchProfile, parseProfile, profileById } from './profiles';
import type { CallButtonProfile, HandsetProfile, PresenceProfile, ScannerProfile, StatusLightProfile } from './profiles/schema';

const get = <T>(id: string) => profileById(builtinProfiles, id) as T;
const hp = get<HandsetProfile>('hp-internet-handset');
const tel = get<HandsetProfile>('hid-telephony-headset');
const brb = get<CallButtonProfile>('dream-cheeky-big-red-button');
const blync = get<StatusLightProfile>('embrava-blynclight');
const lux = get<StatusLightProfile>('luxafor-flag');
const amd = get<PresenceProfile>('amd-sfh-human-presence');
const honey = get<ScannerProfile>('honeywell-hid-pos-scanner');

describe('profiles', () => {
  it('all built-ins validate and hex strings become numbers', () => {
    expect(builtinProfiles.length).toBe(7);
    expect(hp.match[0]).toEqual({ vendorId: 0x03f0, productId: 0x1c07 });
    expect(honey.initFeatureReports).toEqual([[0xfe, 0x01]]);
  });
  it('rejects an invalid profile with the file and field named', () => {
    expect(() => parseProfile({ ...blync, command: { ...blync.command, template: ['0xzz'] } }, 'x.json')).toThrow(/x\.json.*command\.template/);
  });
  it('prefers the specific profile over the generic telephony one', () => {
    expect(matchProfile(builtinProfiles, { vendorId: 0x03f0, productId: 0x1c07, interface: 3, usagePage: 0x0b, usage: 0x05 })?.id).toBe('hp-internet-handset');
    expect(matchProfile(builtinProfiles, { vendorId: 0x0b0e, productId: 0x0412, interface: 3, usagePage: 0x0b, usage: 0x05 })?.id).toBe('hid-telephony-headset');
    expect(matchProfile(builtinProfiles, { vendorId: 0x1022, productId: 0x0001, interface: 0, usagePage: 0x20, usage: 0x73 })).toBeNull();
  });
  it('extra profiles come first and unknown ids are named errors', () => {
    const extra = loadProfiles([{ source: 'site.json', json: { ...JSON.parse(JSON.stringify(lux)), id: 'site-light', match: [{ vendorId: '0x1234', productId: 1 }] } }]);
    expect(extra[0]?.id).toBe('site-light');
    expect(() => profileById(extra, 'nope')).toThrow(/no device profile/);
  });
});

describe('HP Internet Handset (recorded reports)', () => {
  // Replays the public recording in github.com/arkygeek/voipHandset keyMappingRaw.py.
  it('replays a lift, mute press/release, key presses and hang-up', () => {
    const decode = createHandsetDecoder(hp);
    const recording = [
      [0x00, 0x40], // handset is placed into cradle
      [0x00, 0x41], // handset is removed from cradle
      [0x00, 0x47], // mute pressed
      [0x00, 0x45], // mute released
      [0x00, 0x07], [0x00, 0x05], // key "1" pressed/released while off-hook (bit 0 stays set)
      [0x00, 0x40], // back in cradle
    ];
    const events = recording.map((r) => decode(Uint8Array.from(r)));
    expect(events).toEqual([[], [{ type: 'lifted' }], [{ type: 'mutePressed' }], [], [], [], [{ type: 'hungUp' }]]);
  });
  it('twin encoding parses back to the same state', () => {
    expect(encodeHandsetInput(hp, { offHook: true, mutePressed: false })).toEqual([0x00, 0x41]);
    expect(encodeHandsetInput(hp, { offHook: true, mutePressed: true })).toEqual([0x00, 0x47]);
    expect(encodeHandsetInput(hp, { offHook: false, mutePressed: false })).toEqual([0x00, 0x40]);
  });
  it('a short report is a MalformedReportError', () => {
    const decode = createHandsetDecoder(hp);
    expect(() => decode(Uint8Array.from([0x00]))).toThrow(MalformedReportError);
    expect(() => decode(new Uint8Array(0))).toThrow(MalformedReportError);
  });
  it('has no LEDs', () => expect(encodeLeds(hp, { offHook: true, ring: true, mute: true })).toBeNull());
});

describe('HID telephony reference headset', () => {
  it('decodes hook and mute bits of report 1 and ignores other report ids', () => {
    const decode = createHandsetDecoder(tel);
    expect(decode(Uint8Array.from([0x01, 0x01]))).toEqual([{ type: 'lifted' }]);
    expect(decode(Uint8Array.from([0x01, 0x03]))).toEqual([{ type: 'mutePressed' }]);
    expect(decode(Uint8Array.from([0x03, 0x00]))).toEqual([]); // another collection's report
    expect(decode(Uint8Array.from([0x01, 0x00]))).toEqual([{ type: 'hungUp' }]);
  });
  it('encodes LED report 2 byte-exact', () => {
    expect(encodeLeds(tel, { mute: true, offHook: false, ring: false })).toEqual([0x02, 0x01]);
    expect(encodeLeds(tel, { mute: false, offHook: true, ring: true })).toEqual([0x02, 0x06]);
    expect(decodeLeds(tel, [0x02, 0x06])).toEqual({ mute: false, offHook: true, ring: true });
  });
});

describe('Dream Cheeky Big Red Button', () => {
  it('reports edges from polled state codes 0x15/0x17/0x16', () => {
    const decode = createCallButtonDecoder(brb);
    const states = [0x15, 0x17, 0x16, 0x16, 0x16, 0x17, 0x15];
    expect(states.map((s) => decode(Uint8Array.from([s, 0, 0, 0, 0, 0, 0, 0])))).toEqual([[], [], ['pressed'], [], [], ['released'], []]);
  });
  it('poll command is report id 0 + 00×7 + 02', () => expect(brb.poll?.command).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 2]));
  it('twin encodes the pressed code', () => expect(encodeCallButtonInput(brb, true)).toEqual([0x16, 0, 0, 0, 0, 0, 0, 0]));
});

describe('status lights', () => {
  it('Blynclight: red, blue, green order and 0xFF22 footer', () => {
    expect(encodeColor(blync, { r: 0xff, g: 0x00, b: 0x00 })).toEqual([0x00, 0xff, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0x22]);
    expect(encodeColor(blync, { r: 0x00, g: 0xff, b: 0x00 })).toEqual([0x00, 0x00, 0x00, 0xff, 0x00, 0x00, 0x00, 0xff, 0x22]);
    expect(encodeColor(blync, { r: 0xff, g: 0x80, b: 0x00 }, true)).toEqual([0x00, 0xff, 0x00, 0x80, 0x0c, 0x00, 0x00, 0xff, 0x22]);
    expect(encodeOff(blync)).toEqual([0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0xff, 0x22]);
    expect(decodeColor(blync, encodeColor(blync, { r: 1, g: 2, b: 3 }, true))).toEqual({ r: 1, g: 2, b: 3, blink: true });
    expect(decodeColor(blync, encodeOff(blync))).toBeNull();
  });
  it('Luxafor: static colour command 0x01 to all LEDs, strobe 0x03', () => {
    expect(encodeColor(lux, { r: 0, g: 255, b: 0 })).toEqual([0x00, 0x01, 0xff, 0x00, 0xff, 0x00, 0x00, 0x00, 0x00]);
    expect(encodeColor(lux, { r: 255, g: 160, b: 0 }, true)).toEqual([0x00, 0x03, 0xff, 0xff, 0xa0, 0x00, 0x14, 0x00, 0x00]);
    expect(decodeColor(lux, [0x00, 0x03, 0xff, 0xff, 0xa0, 0x00, 0x14, 0x00, 0x00])).toEqual({ r: 255, g: 160, b: 0, blink: true });
  });
  it('clamps out-of-range colour values', () => expect(encodeColor(lux, { r: 300, g: -4, b: Number.NaN }).slice(3, 6)).toEqual([255, 0, 0]));
});

describe('AMD SFH human presence', () => {
  it('reads hpd_input_report.human_presence (byte 3 of report 5) and reports changes only', () => {
    const decode = createPresenceDecoder(amd);
    expect(decode(Uint8Array.from([5, 2, 0, 1]))).toEqual([true]);
    expect(decode(Uint8Array.from([5, 2, 0, 1]))).toEqual([]);
    expect(decode(Uint8Array.from([5, 2, 0, 0]))).toEqual([false]);
    expect(decode(Uint8Array.from([4, 2, 0, 1]))).toEqual([]); // another sensor's report id
    expect(() => decode(Uint8Array.from([5, 2, 0]))).toThrow(MalformedReportError);
    expect(encodePresenceInput(amd, true)).toEqual([5, 2, 0, 0xff]);
  });
});

describe('Honeywell HID POS scanner', () => {
  const report = (code: string, continued = false) => {
    const r = new Array<number>(64).fill(0);
    r[0] = 0x02;
    r[1] = code.length;
    r[2] = 0x5d; r[3] = 0x51; r[4] = 0x31; // "]Q1" QR code
    [...code].forEach((c, i) => (r[5 + i] = c.charCodeAt(0)));
    r[63] = continued ? 1 : 0;
    return Uint8Array.from(r);
  };
  it('decodes a Scanned Data Report byte-exact', () => {
    expect(parseScannerReport(honey, report('RDV-2026-00042'))).toEqual({ data: [...'RDV-2026-00042'].map((c) => c.charCodeAt(0)), symbology: ']Q1', continued: false });
    expect(createScannerDecoder(honey)(report('RDV-2026-00042'))).toEqual([{ code: 'RDV-2026-00042', symbology: ']Q1' }]);
  });
  it('reassembles continued reports', () => {
    const decode = createScannerDecoder(honey);
    expect(decode(report('https://quebec.ca/rdv?c=', true))).toEqual([]);
    expect(decode(report('ABC123'))).toEqual([{ code: 'https://quebec.ca/rdv?c=ABC123', symbology: ']Q1' }]);
  });
  it('twin reports round-trip, including a code longer than one report', () => {
    const long = 'X'.repeat(130);
    const reports = encodeScanReports(honey, long);
    expect(reports.map((r) => [r.length, r[1], r[63]])).toEqual([[64, 56, 1], [64, 56, 1], [64, 18, 0]]);
    const decode = createScannerDecoder(honey);
    expect(reports.flatMap((r) => decode(Uint8Array.from(r)))).toEqual([{ code: long, symbology: ']Q1' }]);
  });
  it('rejects a length above 56 and a short report', () => {
    const bad = report('A');
    bad[1] = 57;
    expect(() => parseScannerReport(honey, bad)).toThrow(/exceeds/);
    expect(() => parseScannerReport(honey, report('A').slice(0, 20))).toThrow(MalformedReportError);
  });
  it('a stuck continued flag cannot grow memory without bound', () => {
    const decode = createScannerDecoder(honey);
    const part = report('Y'.repeat(56), true);
    expect(() => { for (let i = 0; i < 100; i++) decode(part); }).toThrow(/longer than/);
  });
});

describe('random reports (fuzz)', () => {
  it('every decoder either decodes or throws MalformedReportError, never anything else', () => {
    let seed = 1234567;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
    const decoders = builtinProfiles.map((p) => {
      switch (p.kind) {
        case 'handset': return createHandsetDecoder(p);
        case 'callButton': return createCallButtonDecoder(p);
        case 'presence': return createPresenceDecoder(p);
        case 'scanner': return createScannerDecoder(p);
        case 'statusLight': return () => [decodeColor(p, [])];
      }
    });
    let malformed = 0;
    for (let i = 0; i < 20_000; i++) {
      const len = rnd(70);
      // Bias byte 0 towards the profiles' report ids so the layouts are actually exercised.
      const buf = Uint8Array.from({ length: len }, (_, k) => (k === 0 && rnd(2) === 0 ? [1, 2, 5][rnd(3)]! : rnd(256)));
      for (const decode of decoders) {
        try {
          decode(buf);
        } catch (err) {
          expect(err).toBeInstanceOf(MalformedReportError);
          malformed++;
        }
      }
    }
    expect(malformed).toBeGreaterThan(0);
  });
});

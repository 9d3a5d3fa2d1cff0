// Device profiles are data: a technician adds a model by writing JSON, not code. Offsets are in
// the buffer exactly as hidraw/node-hid deliver it: when a device uses numbered reports, byte 0 is
// the report id; otherwise byte 0 is the first data byte.
import { z } from 'zod';
import type { DeviceKind } from '../../common/bridge/hardware';

// Numbers may be written as JSON numbers or as "0x…" strings (USB ids are always quoted in hex).
const num = (max: number) =>
  z.union([z.number(), z.string().regex(/^0x[0-9a-f]+$/i, 'expected a number or a "0x…" hex string').transform((s) => Number.parseInt(s, 16))]).pipe(z.number().int().min(0).max(max));
const u8 = num(0xff);
const u16 = num(0xffff);
const bytes = z.array(u8);

/** Which enumerated HID interfaces a profile applies to. Omitted fields match anything. */
export const Match = z.object({
  vendorId: u16.optional(),
  productId: u16.optional(),
  usagePage: u16.optional(),
  usage: u16.optional(),
  /** USB interface number (composite devices expose several HID interfaces). */
  interface: z.number().int().min(0).optional(),
});
export type Match = z.infer<typeof Match>;

/**
 * One boolean in a report: active when `(buf[byte] & mask) === equals`, or `!== 0` when `equals`
 * is omitted. Covers single bits (mask 0x01) as well as vendor codes (mask 0xFF, equals 0x16).
 */
export const Field = z.object({ byte: z.number().int().min(0), mask: u8.default(0xff), equals: u8.optional() });
export type Field = z.infer<typeof Field>;

/** A bit in an output report (LED). */
export const OutBit = z.object({ byte: z.number().int().min(0), bit: z.number().int().min(0).max(7) });

const InputBase = {
  /** Report id to accept (byte 0); other ids are ignored, not errors. null: unnumbered reports. */
  reportId: u8.nullable(),
  /** Reports shorter than this are malformed. */
  minLength: z.number().int().min(1),
  /** Idle report the twin starts from when it builds reports (defaults to zeros of minLength). */
  idle: bytes.optional(),
};

const Common = {
  id: z.string().regex(/^[a-z0-9-]{2,60}$/),
  name: z.string().min(1),
  /** Where the report format comes from (document, spec section, recording). Required: no folklore. */
  source: z.array(z.string().min(1)).min(1),
  match: z.array(Match).min(1),
  /** Device quirks the driver must honour, in words (the code comments refer to these). */
  quirks: z.array(z.string()).default([]),
  /** Open without exclusive access (e.g. a headset whose audio side the OS also uses). */
  nonExclusive: z.boolean().default(false),
  /** Feature reports sent right after open, byte 0 = report id (e.g. switch a scanner to HID POS mode). */
  initFeatureReports: z.array(bytes).default([]),
};

export const HandsetProfile = z.object({
  ...Common,
  kind: z.literal('handset'),
  input: z.object({
    ...InputBase,
    /** Hook switch: active = off-hook. */
    hook: Field,
    /** Mute button: a press (inactive → active edge) toggles mute, as Phone Mute is an OOC/toggle usage. */
    mute: Field.optional(),
  }),
  /** LED output report; absent when the model has no host-driven LEDs. */
  leds: z.object({ length: z.number().int().min(1), template: bytes, offHook: OutBit.optional(), ring: OutBit.optional(), mute: OutBit.optional() }).optional(),
});

export const CallButtonProfile = z.object({
  ...Common,
  kind: z.literal('callButton'),
  input: z.object({ ...InputBase, pressed: Field }),
  /** Polled devices: write `command` every `intervalMs` and the device answers with an input report. */
  poll: z.object({ intervalMs: z.number().int().min(20).max(5000), command: bytes }).optional(),
});

export const StatusLightProfile = z.object({
  ...Common,
  kind: z.literal('statusLight'),
  command: z.object({
    /** Full output report including the leading report id byte (0 for unnumbered). */
    template: bytes,
    red: z.number().int().min(0),
    green: z.number().int().min(0),
    blue: z.number().int().min(0),
    /** Bits OR-ed into `byte` to blink; absent when the model cannot blink by itself. */
    blink: z.object({ byte: z.number().int().min(0), set: u8, template: bytes.optional() }).optional(),
    /** Report that turns the light off. */
    off: bytes,
  }),
  /** Some lights fall back to off unless re-sent (keep-alive); 0 = not needed. */
  keepAliveMs: z.number().int().min(0).default(0),
});

export const PresenceProfile = z.object({
  ...Common,
  kind: z.literal('presence'),
  input: z.object({ ...InputBase, present: Field }),
});

export const ScannerProfile = z.object({
  ...Common,
  kind: z.literal('scanner'),
  input: z.object({
    ...InputBase,
    /** Byte holding the number of data bytes in this report. */
    lengthByte: z.number().int().min(0),
    /** First of 3 bytes of AIM symbology identifier (0 bytes = absent). */
    symbologyOffset: z.number().int().min(0).optional(),
    /** First data byte and the most data bytes a report can hold. */
    dataOffset: z.number().int().min(0),
    dataMax: z.number().int().min(1),
    /** Active when more reports follow for the same code (HID POS "Decoded Data Continued"). */
    continued: Field.optional(),
  }),
});

export const DeviceProfile = z.discriminatedUnion('kind', [HandsetProfile, CallButtonProfile, StatusLightProfile, PresenceProfile, ScannerProfile]);
export type DeviceProfile = z.infer<typeof DeviceProfile>;
export type HandsetProfile = z.infer<typeof HandsetProfile>;
export type CallButtonProfile = z.infer<typeof CallButtonProfile>;
export type StatusLightProfile = z.infer<typeof StatusLightProfile>;
export type PresenceProfile = z.infer<typeof PresenceProfile>;
export type ScannerProfile = z.infer<typeof ScannerProfile>;
export type ProfileOf<K extends DeviceKind> = Extract<DeviceProfile, { kind: K }>;

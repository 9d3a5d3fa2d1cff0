import { describe, expect, it } from 'vitest';
import { buildConstraints, defaultMediaPolicy, labelMatcher, MediaPolicy, reassess, selectDevice, selectMedia, type MediaDeviceLike } from './media-select';

const devices: MediaDeviceLike[] = [
  { deviceId: 'default', kind: 'audioinput', label: 'Default - Built-in Audio Analog Stereo' },
  { deviceId: 'mic-int', kind: 'audioinput', label: 'Built-in Audio Analog Stereo' },
  { deviceId: 'mic-hs', kind: 'audioinput', label: 'HP Internet Handset Mono' },
  { deviceId: 'cam-ir', kind: 'videoinput', label: 'Integrated IR Camera (04f2:b6d9)' },
  { deviceId: 'cam-int', kind: 'videoinput', label: 'Integrated Camera (04f2:b6d8)' },
  { deviceId: 'cam-logi', kind: 'videoinput', label: 'Logitech BRIO (046d:085e)' },
  { deviceId: 'default', kind: 'audiooutput', label: 'Default' },
  { deviceId: 'spk-hdmi', kind: 'audiooutput', label: 'HDMI / DisplayPort 1 Output' },
];

describe('selectDevice', () => {
  it('takes the first pattern that matches, in configured order', () => {
    const s = selectDevice(devices, 'videoinput', { labels: ['BRIO|C920', 'Integrated Camera'], exclude: [], fallback: 'default' });
    expect(s.device?.deviceId).toBe('cam-logi');
    expect(s.reason).toEqual({ by: 'label', pattern: 0 });
  });
  it('falls back in the stated order: next pattern, then default, then first usable', () => {
    const noBrio = devices.filter((d) => d.deviceId !== 'cam-logi');
    expect(selectDevice(noBrio, 'videoinput', { labels: ['BRIO', 'Integrated Camera'], exclude: [], fallback: 'default' }).reason).toEqual({ by: 'label', pattern: 1 });
    expect(selectDevice(devices, 'audioinput', { labels: ['Jabra'], exclude: [], fallback: 'default' })).toMatchObject({ device: { deviceId: 'default' }, reason: { by: 'default' } });
    // Excluded IR camera is never chosen even when first.
    expect(selectDevice(noBrio, 'videoinput', { labels: [], exclude: ['\\bIR\\b'], fallback: 'first' }).device?.deviceId).toBe('cam-int');
    expect(selectDevice(devices, 'videoinput', { labels: ['nothing'], exclude: [], fallback: 'none' })).toMatchObject({ device: null, reason: { by: 'none' } });
  });
  it('prefers the real entry over the "Default - …" alias with the same label', () => {
    expect(selectDevice(devices, 'audioinput', { labels: ['Built-in Audio'], exclude: [], fallback: 'default' }).device?.deviceId).toBe('mic-int');
  });
  it('reports hidden labels (no permission yet)', () => {
    const hidden = devices.map((d) => ({ ...d, label: '' }));
    const s = selectDevice(hidden, 'videoinput', { labels: ['BRIO'], exclude: [], fallback: 'first' });
    expect(s.labelsHidden).toBe(true);
  });
  it('an invalid regular expression is matched as plain text', () => {
    expect(labelMatcher('HP Internet (Handset')('HP Internet (Handset Mono')).toBe(true);
  });
});

describe('selectMedia / buildConstraints', () => {
  it('builds exact-id constraints with configured quality', () => {
    const policy = MediaPolicy.parse({ camera: { labels: ['BRIO'] }, microphone: { labels: ['Handset'] }, video: { width: 1920, height: 1080, frameRate: 25 } });
    const sel = selectMedia(devices, policy);
    expect(sel.fallback).toBe(false);
    expect(buildConstraints(policy, sel)).toEqual({
      video: { deviceId: { exact: 'cam-logi' }, width: { ideal: 1920 }, height: { ideal: 1080 }, frameRate: { ideal: 25 } },
      audio: { deviceId: { exact: 'mic-hs' }, echoCancellation: true, noiseSuppression: true, autoGainControl: true },
    });
  });
  it('no camera at all gives video: false (the visit degrades to "video unavailable")', () => {
    const sel = selectMedia(devices.filter((d) => d.kind !== 'videoinput'), defaultMediaPolicy);
    expect(buildConstraints(defaultMediaPolicy, sel).video).toBe(false);
  });
  it('flags a fallback when a configured pattern did not match', () => {
    expect(selectMedia(devices, MediaPolicy.parse({ camera: { labels: ['Poly Studio'] } })).fallback).toBe(true);
  });
});

describe('reassess on devicechange', () => {
  const pref = { labels: ['BRIO', 'Integrated Camera'], exclude: [], fallback: 'default' as const };
  const brio = devices.find((d) => d.deviceId === 'cam-logi')!;
  const integrated = devices.find((d) => d.deviceId === 'cam-int')!;
  it('lost when the device in use disappears', () => expect(reassess(brio, devices.filter((d) => d !== brio), 'videoinput', pref)).toBe('lost'));
  it('better when a preferred device comes back', () => expect(reassess(integrated, devices, 'videoinput', pref)).toBe('better'));
  it('returned when nothing was in use and a device appears', () => expect(reassess(null, devices, 'videoinput', pref)).toBe('returned'));
  it('same otherwise', () => expect(reassess(brio, devices, 'videoinput', pref)).toBe('same'));
});

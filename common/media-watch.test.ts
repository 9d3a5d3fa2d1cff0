import { describe, expect, it } from 'vitest';
import { MediaPolicy, type MediaDeviceLike, type PlainConstraints } from './media-select';
import { MediaWatch, type MediaDevicesLike, type MediaStatus, type StreamLike, type TrackLike } from './media-watch';

class FakeTrack implements TrackLike {
  stopped = false;
  private ended: Array<() => void> = [];
  constructor(readonly kind: string, readonly label: string, readonly deviceId: string) {}
  stop() {
    this.stopped = true;
  }
  addEventListener(_t: 'ended', fn: () => void) {
    this.ended.push(fn);
  }
  end() {
    this.ended.forEach((f) => f());
  }
}

/** A fake navigator.mediaDevices: plug/unplug devices, deny permission, observe streams. */
class FakeMedia implements MediaDevicesLike {
  devices: MediaDeviceLike[] = [];
  denied = false;
  granted = false;
  readonly tracks: FakeTrack[] = [];
  private listeners: Array<() => void> = [];
  async enumerateDevices() {
    return this.devices.map((d) => (this.granted ? d : { ...d, label: '' }));
  }
  async getUserMedia(c: PlainConstraints): Promise<StreamLike> {
    if (this.denied) throw Object.assign(new Error('Permission denied'), { name: 'NotAllowedError' });
    this.granted = true;
    const pick = (kind: 'videoinput' | 'audioinput', spec: PlainConstraints['video'] | PlainConstraints['audio']) => {
      if (!spec) return null;
      const id = spec.deviceId?.exact;
      const d = this.devices.find((x) => x.kind === kind && (!id || x.deviceId === id));
      if (!d) throw Object.assign(new Error('Requested device not found'), { name: 'NotFoundError' });
      const t = new FakeTrack(kind === 'videoinput' ? 'video' : 'audio', d.label, d.deviceId);
      this.tracks.push(t);
      return t;
    };
    const tracks = [pick('videoinput', c.video), pick('audioinput', c.audio)].filter((t): t is FakeTrack => t !== null);
    return { getTracks: () => tracks };
  }
  addEventListener(_t: 'devicechange', fn: () => void) {
    this.listeners.push(fn);
  }
  removeEventListener(_t: 'devicechange', fn: () => void) {
    this.listeners = this.listeners.filter((f) => f !== fn);
  }
  plug(d: MediaDeviceLike) {
    this.devices.push(d);
    this.listeners.forEach((f) => f());
  }
  unplug(deviceId: string) {
    this.devices = this.devices.filter((d) => d.deviceId !== deviceId);
    this.tracks.filter((t) => t.deviceId === deviceId && !t.stopped).forEach((t) => t.end());
    this.listeners.forEach((f) => f());
  }
}

const settle = () => new Promise((r) => setTimeout(r, 5));
const brio: MediaDeviceLike = { deviceId: 'brio', kind: 'videoinput', label: 'Logitech BRIO' };
const integrated: MediaDeviceLike = { deviceId: 'int', kind: 'videoinput', label: 'Integrated Camera' };
const mic: MediaDeviceLike = { deviceId: 'mic', kind: 'audioinput', label: 'Handset Mic' };
const policy = MediaPolicy.parse({ camera: { labels: ['BRIO'], fallback: 'first' }, microphone: { labels: ['Handset'] } });

function setup(devices: MediaDeviceLike[]) {
  const media = new FakeMedia();
  media.devices = [...devices];
  const statuses: MediaStatus['status'][] = [];
  const watch = new MediaWatch({ media, policy, onStatus: (s) => statuses.push(s.status) });
  return { media, watch, statuses };
}

describe('MediaWatch', () => {
  it('acquires the preferred camera by label, even before labels are visible', async () => {
    const { watch } = setup([integrated, brio, mic]);
    await watch.acquire();
    expect(watch.status).toMatchObject({ status: 'live', camera: 'Logitech BRIO', microphone: 'Handset Mic', fallback: false });
  });

  it('camera unplugged mid-visit: falls back to another camera without restart, back to preferred at next acquire', async () => {
    const { media, watch } = setup([integrated, brio, mic]);
    await watch.acquire();
    media.unplug('brio');
    await settle();
    expect(watch.status).toMatchObject({ status: 'live', camera: 'Integrated Camera', fallback: true });
    media.plug(brio);
    await settle();
    expect(watch.status).toMatchObject({ camera: 'Integrated Camera' }); // no switch mid-visit
    await watch.acquire();
    expect(watch.status).toMatchObject({ camera: 'Logitech BRIO' });
  });

  it('the only camera disappears → unavailable; it returns → live again', async () => {
    const { media, watch, statuses } = setup([brio, mic]);
    await watch.acquire();
    media.unplug('brio');
    await settle();
    expect(watch.status).toMatchObject({ status: 'unavailable', reason: 'no_camera' });
    media.plug(brio);
    await settle();
    expect(watch.status).toMatchObject({ status: 'live', camera: 'Logitech BRIO' });
    expect(statuses).toContain('unavailable');
  });

  it('permission denied is unavailable and not retried on device changes', async () => {
    const { media, watch } = setup([brio, mic]);
    media.denied = true;
    expect(await watch.acquire()).toBeNull();
    expect(watch.status).toMatchObject({ status: 'unavailable', reason: 'permission_denied' });
    media.plug(integrated);
    await settle();
    expect(watch.status).toMatchObject({ status: 'unavailable', reason: 'permission_denied' });
  });

  it('release stops every track and ignores later device changes', async () => {
    const { media, watch } = setup([brio, mic]);
    await watch.acquire();
    watch.release();
    expect(media.tracks.every((t) => t.stopped)).toBe(true);
    media.plug(integrated);
    await settle();
    expect(watch.status).toEqual({ status: 'idle' });
    watch.dispose();
  });
});

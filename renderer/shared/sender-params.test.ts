// Sender tuning with fake senders (what is set, what a refusal does); the real Chromium check is in
// test/e2e/turn.e2e.test.ts (the parameters read back from a live call's senders).
import { describe, expect, it } from 'vitest';
import { tuneSenders, type SenderLike } from './sender-params';

function fake(kind: string | null, encodings: RTCRtpEncodingParameters[] | undefined, refuse?: Error) {
  let params = { encodings, transactionId: 't', codecs: [], headerExtensions: [], rtcp: {} } as unknown as RTCRtpSendParameters;
  const sender: SenderLike & { params(): RTCRtpSendParameters } = {
    track: kind ? { kind } : null,
    getParameters: () => structuredClone(params),
    setParameters: async (p) => {
      if (refuse) throw refuse;
      params = p;
    },
    params: () => params,
  };
  return sender;
}

describe('tuneSenders', () => {
  it('keeps the frame rate on video and gives audio high priority', async () => {
    const video = fake('video', [{ active: true }]);
    const audio = fake('audio', [{ active: true }]);
    expect(await tuneSenders([video, audio])).toEqual([{ kind: 'video', ok: true }, { kind: 'audio', ok: true }]);
    expect((video.params() as { degradationPreference?: string }).degradationPreference).toBe('maintain-framerate');
    expect(audio.params().encodings[0]).toMatchObject({ priority: 'high', networkPriority: 'high' });
  });

  it('reports a refusal or a sender not negotiated yet, and skips senders without a track', async () => {
    const refused = fake('video', [{ active: true }], Object.assign(new Error('unsupported'), { name: 'InvalidModificationError' }));
    const early = fake('audio', []);
    const r = await tuneSenders([refused, early, fake(null, [{ active: true }])]);
    expect(r).toEqual([
      { kind: 'video', ok: false, error: 'InvalidModificationError: unsupported' },
      { kind: 'audio', ok: false, error: 'no encodings yet' },
    ]);
  });
});

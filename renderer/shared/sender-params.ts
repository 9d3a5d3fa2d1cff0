// What a call sends when the network gets worse: the picture loses resolution before it loses
// frames (a face at 15 frames/s in 360p reads lips better than 720p at 4 frames/s), and the voice
// goes first on the wire (audio sender priority high: Chromium gives it a larger share of the
// bandwidth estimate and marks its packets with a higher DSCP class where the network honours it).
// Applied once the call connects, on both sides (the kiosk's camera matters most: it is the citizen).

/** The RTCRtpSender members used here (a structural type, so tests can pass fakes). */
export interface SenderLike {
  readonly track: { kind: string } | null;
  getParameters(): RTCRtpSendParameters;
  setParameters(params: RTCRtpSendParameters): Promise<void>;
}

/** What happened to each sender (for the log and the tests). */
export interface SenderTuning {
  kind: string;
  ok: boolean;
  error?: string;
}

/**
 * Sets `degradationPreference: 'maintain-framerate'` on video senders and `priority` /
 * `networkPriority: 'high'` on every audio encoding. A browser that refuses one field keeps the
 * call as it is: the failure is reported, never thrown.
 */
export async function tuneSenders(senders: readonly SenderLike[]): Promise<SenderTuning[]> {
  const out: SenderTuning[] = [];
  for (const sender of senders) {
    const kind = sender.track?.kind;
    if (kind !== 'audio' && kind !== 'video') continue;
    try {
      const params = sender.getParameters();
      // Before negotiation there are no encodings to set; the call connects only after it.
      if (!params.encodings || params.encodings.length === 0) {
        out.push({ kind, ok: false, error: 'no encodings yet' });
        continue;
      }
      if (kind === 'video') {
        (params as RTCRtpSendParameters & { degradationPreference?: string }).degradationPreference = 'maintain-framerate';
      } else {
        for (const e of params.encodings as (RTCRtpEncodingParameters & { priority?: string; networkPriority?: string })[]) {
          e.priority = 'high';
          e.networkPriority = 'high';
        }
      }
      await sender.setParameters(params);
      out.push({ kind, ok: true });
    } catch (err) {
      out.push({ kind, ok: false, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
    }
  }
  return out;
}

// Camera check, waiting in line, the call itself and its failure.
import { useEffect, useLayoutEffect, useRef } from 'preact/hooks';
import { interpreterFor } from '../../../common/i18n';
import { Button, Pictogram, ScreenFrame } from '../ui';
import type { ScreenProps } from '../ui/context';
import { CallbackOffer } from './offer';
import { CancelButton, HomeButton, TollFree } from './parts';
import { ChatPanel } from '../chat/ChatPanel';

interface VideoProps {
  testid: string;
  label: string;
  stream: MediaStream | null;
  muted: boolean;
  volume?: number;
  /** Told when the element is mounted and removed (audio routing of the agent's voice). */
  onElement?: (el: HTMLVideoElement | null) => void;
}

/**
 * A <video> bound to a stream. Preact keeps the element while the screen re-renders (its place in
 * the tree is stable), so playback survives a sub-state change; unmounting releases the stream.
 */
export function Video(p: VideoProps) {
  const ref = useRef<HTMLVideoElement>(null);
  useLayoutEffect(() => {
    const v = ref.current;
    if (!v) return;
    v.muted = p.muted;
    if (v.srcObject !== p.stream) {
      v.srcObject = p.stream;
      if (p.stream) void v.play?.()?.catch(() => {});
    }
  }, [p.stream, p.muted]);
  useLayoutEffect(() => {
    if (ref.current && p.volume !== undefined) ref.current.volume = p.volume;
  }, [p.volume]);
  useLayoutEffect(() => {
    const v = ref.current;
    p.onElement?.(v);
    return () => {
      p.onElement?.(null);
      if (v) v.srcObject = null;
    };
  }, []);
  return <video ref={ref} data-testid={p.testid} class={p.testid} autoplay playsInline muted={p.muted} aria-label={p.label} />;
}

/** The microphone meter: a bar that follows the level of the local stream. */
function MicMeter(props: ScreenProps & { stream: MediaStream | null }) {
  const { t, media, stream } = props;
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!stream || !el) return;
    const bar = el.firstElementChild as HTMLElement | null;
    return media.meter(stream, (level) => {
      // Speech RMS rarely passes 0.3: scale so a normal voice fills most of the bar.
      const pct = Math.round(Math.min(1, level * 3) * 100);
      if (bar) bar.style.transform = `scaleX(${pct / 100})`;
      el.setAttribute('aria-valuenow', String(pct));
      el.setAttribute('data-level', String(pct));
    });
    // The stream object changes when the microphone is switched (handset): the meter follows it.
  }, [stream]);
  return (
    <div ref={ref} class="meter" role="meter" aria-label={t('kiosk.devices.micLevel')} aria-valuemin={0} aria-valuemax={100} aria-valuenow={0} data-testid="mic-meter">
      <div class="meter-bar" />
    </div>
  );
}

export function DeviceCheck(props: ScreenProps) {
  const { t, view, media, send } = props;
  const ready = view.sub === 'ready';
  const audioOnly = view.context.audioOnly;
  const stream = ready ? media.local() : null;
  return (
    <ScreenFrame
      name="deviceCheck"
      title={t('kiosk.devices.title')}
      icon="camera"
      actions={
        <>
          <CancelButton {...props} />
          <Button testid="devices-continue" label={t('action.continue')} icon="check" variant="primary" disabled={!ready} onClick={() => send({ type: 'devices.continue' })} />
        </>
      }
    >
      <div class="device-check">
        {audioOnly ? (
          <p class="text audio-only" data-testid="audio-only">
            <Pictogram name="mic" />
            {t('kiosk.call.audioOnly')}
          </p>
        ) : ready ? (
          <Video testid="self-video" label={t('kiosk.devices.selfView')} stream={stream} muted />
        ) : (
          <div class="self-placeholder" role="status">
            {t('kiosk.devices.acquiring')}
          </div>
        )}
        <div class="mic">
          <p class="text">
            <Pictogram name="mic" />
            {t('kiosk.devices.mic')}
          </p>
          <MicMeter {...props} stream={stream} />
        </div>
      </div>
    </ScreenFrame>
  );
}

/**
 * No video for this visit, in plain words: the toll-free number, a callback request, retry. When the
 * camera comes back the machine returns to the device check by itself.
 */
export function VideoUnavailable(props: ScreenProps) {
  const { t, send, view } = props;
  return (
    <ScreenFrame
      name="videoUnavailable"
      title={t('kiosk.video.title')}
      icon="camera-off"
      actions={
        <>
          <HomeButton {...props} />
          <Button testid="btn-retry" label={t('action.retry')} icon="retry" variant="primary" onClick={() => send({ type: 'call.retry' })} />
        </>
      }
    >
      <p class="text" data-testid="video-recover-hint">
        {t(props.media.cameraMissing?.() ? 'kiosk.video.missing' : 'kiosk.video.lost')}
      </p>
      <p class="text">{t('kiosk.video.body')}</p>
      {view.offerAudioCall ? <Button testid="video-audio-call" label={t('kiosk.video.audioCall')} icon="mic" variant="primary" onClick={() => send({ type: 'call.audioOnly' })} /> : null}
      <TollFree {...props} />
      <CallbackOffer {...props} />
    </ScreenFrame>
  );
}

export function Waiting(props: ScreenProps) {
  const { t, view, lang } = props;
  const { position, estimateSeconds } = view.context;
  // No agent serving this line right now: say so instead of a number (the citizen keeps the place).
  const estimate = view.noAgent ? t('kiosk.waiting.noAgent') : estimateSeconds === null ? null : t('kiosk.waiting.estimate', { minutes: estimateSeconds < 60 ? 0 : Math.round(estimateSeconds / 60) });
  const interpreter = interpreterFor(lang);
  return (
    <ScreenFrame name="waiting" title={t('kiosk.waiting.title')} icon="clock" actions={<CancelButton {...props} />}>
      <div class="spinner" aria-hidden="true" />
      <div class="queue" role="status" aria-live="polite">
        {position === null ? (
          <p class="text" data-testid="queue-position">
            {t('kiosk.waiting.searching')}
          </p>
        ) : (
          <p class="big" data-testid="queue-position" data-position={position}>
            {position === 1 ? t('kiosk.waiting.next') : t('kiosk.waiting.position', { position })}
          </p>
        )}
        {estimate ? (
          <p class="text" data-testid="queue-estimate" data-no-agent={view.noAgent ? 'true' : undefined}>
            {estimate}
          </p>
        ) : null}
      </div>
      {interpreter ? (
        <p class="text" data-testid="waiting-interpreter">
          {t('kiosk.waiting.interpreter')}
        </p>
      ) : null}
    </ScreenFrame>
  );
}

type CallSub = 'connecting' | 'connected' | 'reconnecting' | 'closing';

export function InCall(props: ScreenProps) {
  const { t, view, media, send, visit } = props;
  const sub = (view.sub ?? 'connecting') as CallSub;
  const muted = view.context.muted;
  const audioOnly = view.context.audioOnly;
  const volume = visit.volume.value;
  return (
    <ScreenFrame
      name="inCall"
      actions={
        <div class="call-controls">
          <Button
            testid="call-mute"
            label={muted ? t('kiosk.call.unmute') : t('kiosk.call.mute')}
            icon={muted ? 'mic-off' : 'mic'}
            pressed={muted}
            onClick={() => send({ type: 'call.mute', muted: !muted })}
          />
          <label class="volume">
            <Pictogram name="volume" />
            <span class="btn-label">{t('kiosk.call.volume')}</span>
            <input
              type="range"
              min={0}
              max={100}
              step={5}
              value={Math.round(volume * 100)}
              data-testid="call-volume"
              aria-label={t('kiosk.call.volume')}
              onInput={(ev) => (visit.volume.value = Number((ev.target as HTMLInputElement).value) / 100)}
            />
          </label>
          <Button testid="call-end" label={t('kiosk.call.end')} icon="hangup" variant="danger" onClick={() => send({ type: 'call.hangup' })} />
        </div>
      }
    >
      <div class="stage">
        <Video testid="remote-video" label={t('kiosk.call.remote')} stream={media.remote()} muted={false} volume={volume} {...(media.remoteElement ? { onElement: media.remoteElement } : {})} />
        {audioOnly ? (
          <p class="text audio-only" data-testid="audio-only">
            {t('kiosk.call.audioOnly')}
          </p>
        ) : (
          <Video testid="self-video" label={t('kiosk.call.self')} stream={media.local()} muted />
        )}
        <p class={`call-state call-state-${sub}`} role="status" aria-live="polite" data-testid="call-state" data-call-state={sub}>
          {view.context.agentName && sub === 'connected' ? t('kiosk.call.with', { agent: view.context.agentName }) : t(`kiosk.call.state.${sub}`)}
        </p>
        <ChatPanel />
      </div>
    </ScreenFrame>
  );
}

export function CallFailed(props: ScreenProps) {
  const { t, view, send } = props;
  const reason = view.context.failure ?? 'error';
  return (
    <ScreenFrame
      name="callFailed"
      title={t(`kiosk.failed.${reason}`)}
      icon="alert"
      actions={
        <>
          <HomeButton {...props} />
          <Button testid="btn-retry" label={t('action.retry')} icon="retry" variant="primary" onClick={() => send({ type: 'call.retry' })} />
        </>
      }
    >
      <p class="text" data-testid="failed-reason" data-reason={reason}>
        {t('kiosk.failed.body')}
      </p>
      <TollFree {...props} />
      <CallbackOffer {...props} />
    </ScreenFrame>
  );
}

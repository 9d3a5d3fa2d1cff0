// The two Preact roots of the kiosk page: the current screen (#app) and the overlay above it
// (#overlay: idle and hang-up prompts). Both read the same signal of screen props, which the app
// sets from every snapshot of the session machine: a screen is a function of that snapshot plus
// its own small state (what is being typed), and Preact redraws only what changed.
import type { Signal } from '@preact/signals';
import { Component, type ComponentChildren } from 'preact';
import { useLayoutEffect, useRef } from 'preact/hooks';
import { HangupPrompt, IdlePrompt, screens } from './screens';
import { KioskContext, SlotsContext, type ScreenProps, type TopBarSlots } from './ui/context';
import { TopBar } from './ui/screen-frame';

interface BoundaryProps {
  screen: string;
  onError(err: unknown, screen: string): void;
  children: ComponentChildren;
}

/** A screen that throws renders nothing and reports once; the app resets the visit. */
class ScreenBoundary extends Component<BoundaryProps, { failed: boolean }> {
  override state = { failed: false };
  override componentDidCatch(err: unknown) {
    this.setState({ failed: true });
    this.props.onError(err, this.props.screen);
  }
  override render() {
    return this.state.failed ? null : this.props.children;
  }
}

export function KioskRoot({ props, slots, onError }: { props: Signal<ScreenProps>; slots: TopBarSlots; onError(err: unknown, screen: string): void }) {
  const p = props.value;
  const Screen = screens[p.view.screen];
  return (
    <SlotsContext.Provider value={slots}>
      <KioskContext.Provider value={p}>
        <div class="vg-kiosk">
          {/* The top bar outlives the screens: a tap that changes screens builds, styles and lays out
              only the new screen, not Écouter and Affichage again (./vg bench tap). */}
          <TopBar />
          {/* Keyed by screen: a new screen is a new tree (fresh state, `arming`), a new sub-state is not. */}
          <ScreenBoundary key={p.view.screen} screen={p.view.screen} onError={onError}>
            <Screen {...p} />
          </ScreenBoundary>
        </div>
      </KioskContext.Provider>
    </SlotsContext.Provider>
  );
}

/**
 * A prompt over a pinch-zoomed page (a visual zoom main resets only between visits) is drawn over
 * the visual viewport at scale 1, so the idle prompt and its buttons are whole on the screen
 * whatever part of the page the citizen zoomed into. `.overlay` is fixed to the layout viewport:
 * moved to the visual viewport's offset and scaled down by its scale, it covers exactly the screen.
 */
function useOverlayOverVisualViewport(host: { current: HTMLElement | null }, kind: string | null) {
  useLayoutEffect(() => {
    const overlay = host.current?.querySelector<HTMLElement>('.overlay');
    const vv = host.current?.ownerDocument.defaultView?.visualViewport;
    if (!kind || !overlay || !vv) return;
    const fit = () => {
      overlay.style.transformOrigin = '0 0';
      overlay.style.transform = vv.scale === 1 ? '' : `translate(${vv.offsetLeft}px, ${vv.offsetTop}px) scale(${1 / vv.scale})`;
    };
    fit();
    vv.addEventListener('resize', fit);
    vv.addEventListener('scroll', fit);
    return () => {
      vv.removeEventListener('resize', fit);
      vv.removeEventListener('scroll', fit);
    };
  }, [kind, host]);
}

export function OverlayRoot({ props, slots }: { props: Signal<ScreenProps>; slots: TopBarSlots }) {
  const p = props.value;
  const kind = p.view.idlePrompt ? 'idle' : p.view.hangupPrompt ? 'hangup' : null;
  const host = useRef<HTMLDivElement>(null);
  useOverlayOverVisualViewport(host, kind);
  return (
    <SlotsContext.Provider value={slots}>
      <KioskContext.Provider value={p}>
        {/* A plain box: the prompt inside is fixed to the viewport, this only finds it. */}
        <div ref={host}>{kind === 'idle' ? <IdlePrompt key="idle" {...p} /> : kind === 'hangup' ? <HangupPrompt key="hangup" {...p} /> : null}</div>
      </KioskContext.Provider>
    </SlotsContext.Provider>
  );
}

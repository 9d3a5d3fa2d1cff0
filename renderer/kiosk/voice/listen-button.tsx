// "Écouter": the large button in every screen's top bar (ScreenFrame's `listen` slot) that speaks
// the current screen's prompt in the visit's language. A tap while it speaks starts it over (the
// player stops on the pointerdown, the click plays again). Hidden while the agent's audio is up.
import type { ComponentType } from 'preact';
import { Button } from '../ui/button';
import { useKiosk } from '../ui/context';
import type { VoicePlayer } from './player';
import { promptIdFor } from './prompts';

/** The slot component bound to the kiosk's player (main.ts: `slots: { listen: listenButton(player) }`). */
export function listenButton(player: VoicePlayer): ComponentType {
  return function ListenButton() {
    const { view, lang, t } = useKiosk();
    const id = promptIdFor(view);
    if (!id || player.blocked.value) return null;
    const now = player.current.value;
    const speaking = now?.kind === 'prompt' && now.id === id;
    return (
      <Button
        testid="listen"
        icon="volume"
        class={`listen-button${speaking ? ' is-speaking' : ''}`}
        label={t('voice.listen')}
        onClick={() => void player.play(id, lang)}
      />
    );
  };
}

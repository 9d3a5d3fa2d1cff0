// After the call: survey, thank-you; and the idle prompt that can cover any visit screen.
import type { MessageKey } from '../../../common/i18n';
import { actions, button, icon, screen } from '../components';
import { h } from '../dom';
import { homeButton } from './choose';
import type { ScreenProps } from './types';

// AZERTY-free alphabetical layout: easier to scan for people who rarely type.
const ROWS = ['ABCDEFGHIJ', 'KLMNOPQRST', 'UVWXYZÉÈÀÇ', ".,'!?-"];
const MAX_COMMENT = 500;

export function survey(props: ScreenProps) {
  const { t, ui, send, refresh } = props;
  const type = (s: string) => {
    if (ui.comment.length < MAX_COMMENT) ui.comment += s;
    refresh();
  };
  const faces = [1, 2, 3, 4, 5].map((r) =>
    button({
      testid: `survey-rating-${r}`,
      label: t(`kiosk.survey.rating.${r}` as MessageKey),
      icon: `face-${r}`,
      variant: ui.rating === r ? 'primary' : 'secondary',
      attrs: { 'aria-pressed': ui.rating === r ? 'true' : 'false' },
      onClick: () => {
        ui.rating = r;
        refresh();
      },
    }),
  );
  return screen(
    'survey',
    t('kiosk.survey.title'),
    h('div', { class: 'faces', role: 'group', 'aria-label': t('kiosk.survey.title') }, ...faces),
    h(
      'label',
      { class: 'comment' },
      h('span', { class: 'text' }, t('kiosk.survey.comment')),
      h('textarea', {
        'data-testid': 'survey-comment',
        rows: 2,
        maxlength: MAX_COMMENT,
        // The textarea keeps its own value between key presses; a rebuild sets it from the draft.
        ref: (el) => void ((el as HTMLTextAreaElement).value = ui.comment),
        on: { input: (ev) => void (ui.comment = (ev.target as HTMLTextAreaElement).value) },
      }),
    ),
    h(
      'div',
      { class: 'keyboard', role: 'group', 'aria-label': t('kiosk.survey.comment') },
      ...ROWS.map((row) =>
        h('div', { class: 'kbd-row' }, ...row.split('').map((c) => h('button', { type: 'button', class: 'key', 'data-testid': `kbd-${c}`, on: { click: () => type(c.toLowerCase()) } }, c))),
      ),
      h(
        'div',
        { class: 'kbd-row' },
        h('button', { type: 'button', class: 'key key-wide', 'data-testid': 'kbd-space', on: { click: () => type(' ') } }, t('kiosk.keyboard.space')),
        h(
          'button',
          {
            type: 'button',
            class: 'key key-wide',
            'data-testid': 'kbd-erase',
            on: {
              click: () => {
                ui.comment = ui.comment.slice(0, -1);
                refresh();
              },
            },
          },
          t('kiosk.keyboard.erase'),
        ),
      ),
    ),
    actions(
      button({ testid: 'survey-skip', label: t('kiosk.survey.skip'), icon: 'skip', variant: 'quiet', onClick: () => send({ type: 'survey.skip' }) }),
      button({
        testid: 'survey-submit',
        label: t('kiosk.survey.submit'),
        icon: 'send',
        variant: 'primary',
        attrs: { disabled: ui.rating === null },
        onClick: () => {
          if (ui.rating !== null) send({ type: 'survey.submit', rating: ui.rating, comment: ui.comment.trim() });
        },
      }),
    ),
  );
}

export function thanks(props: ScreenProps) {
  const { t, config } = props;
  return screen(
    'thanks',
    t('kiosk.thanks.title'),
    icon('check', 'icon icon-hero'),
    h('p', { class: 'text', 'data-testid': 'complaint' }, t('kiosk.thanks.complaint', { url: config.complaintUrl, phone: config.tollFree })),
    actions(homeButton(props)),
  );
}

/** "Êtes-vous encore là ?" over the current screen, with a live countdown. */
export function idlePrompt(props: ScreenProps, nowMs: () => number) {
  const { t, ui, config, send } = props;
  const total = config.timers.idleCountdownMs;
  const remaining = () => Math.max(0, Math.ceil((total - (nowMs() - (ui.idleShownAt ?? nowMs()))) / 1000));
  return h(
    'div',
    { class: 'overlay', 'data-testid': 'screen-idle', role: 'alertdialog', 'aria-modal': 'true', 'aria-labelledby': 'title-idle' },
    h(
      'div',
      { class: 'dialog' },
      icon('clock', 'icon icon-hero'),
      h('h1', { id: 'title-idle', class: 'title' }, t('kiosk.idle.title')),
      h(
        'p',
        {
          class: 'big',
          'data-testid': 'idle-countdown',
          'aria-live': 'polite',
          ref: (el) => {
            const draw = () => void (el.textContent = t('kiosk.idle.countdown', { seconds: remaining() }));
            draw();
            const timer = setInterval(draw, 250);
            return () => clearInterval(timer);
          },
        },
        t('kiosk.idle.countdown', { seconds: remaining() }),
      ),
      actions(
        button({ testid: 'idle-leave', label: t('kiosk.idle.leave'), icon: 'home', variant: 'secondary', onClick: () => send({ type: 'visit.cancel' }) }),
        button({ testid: 'idle-stay', label: t('kiosk.idle.stay'), icon: 'check', variant: 'primary', onClick: () => send({ type: 'idle.stillHere' }) }),
      ),
    ),
  );
}

// The written conversation beside the video on the in-call screen: the agent's messages large, the
// citizen's typed with the kiosk's one on-screen keyboard. Always there during a call; open with the
// keyboard showing when the citizen said "Je suis sourd ou malentendant" at the start (textFirst).
// Text is rendered as text nodes only (never as HTML); the draft lives in this component's state
// and the lines in the chat store, both gone when the call ends.
import { createContext } from 'preact';
import { useContext, useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { CHAT_MAX_CHARS, type ChatErrorCode } from '../../../common/chat';
import { Button } from '../ui/button';
import { Keyboard } from '../ui/keyboard';
import { useKiosk } from '../ui/context';
import { TextField } from '../ui/text-field';
import type { KioskChat } from './store';
import './chat.css';

/** The kiosk chat store (created once by the app); without a provider the panel renders nothing. */
export const ChatContext = createContext<KioskChat | null>(null);

/** Keyboard keys are capitals; a message reads better in sentence case (capital after . ? ! or a new line). */
export function typeInto(draft: string, ch: string): string {
  if (ch.length !== 1 || !/\p{L}/u.test(ch)) return draft + ch;
  const sentenceStart = draft.trim() === '' || /[.?!\n]\s*$/.test(draft);
  return draft + (sentenceStart ? ch.toLocaleUpperCase() : ch.toLocaleLowerCase());
}

export function ChatPanel() {
  const { view, t, lang } = useKiosk();
  const chat = useContext(ChatContext);
  const c = view.context;
  const callId = c.callActive ? c.callId : null;
  const textFirst = c.textFirst;
  const [open, setOpen] = useState(textFirst);
  const [draft, setDraft] = useState('');
  const [error, setError] = useState<ChatErrorCode | null>(null);
  const logRef = useRef<HTMLOListElement>(null);

  // The conversation follows the visit's call; leaving the screen forgets it.
  useEffect(() => {
    chat?.setCall(callId);
  }, [chat, callId]);
  useEffect(() => () => chat?.setCall(null), [chat]);

  const lines = chat?.lines.value ?? [];
  // Newest line in view (the log scrolls inside the panel, never the screen).
  useLayoutEffect(() => {
    const el = logRef.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [lines.length]);

  if (!chat) return null;

  const submit = () => {
    const r = chat.post(draft);
    if (r.ok) {
      setDraft('');
      setError(null);
    } else {
      setError(r.code); // the draft stays: nothing typed is lost
    }
  };
  const type = (ch: string) => {
    setError(null);
    setDraft((d) => typeInto(d, ch));
  };
  const erase = () => setDraft((d) => [...d].slice(0, -1).join(''));

  // Two children of the call's stage: the conversation and, when open, the keyboard beside it
  // (chat.css lays them out: landscape, the keyboard gets its own column; portrait, its own row).
  return (
    <>
      <section class={`vg-chat${textFirst ? ' vg-chat-first' : ''}${open ? ' vg-chat-open' : ''}`} data-testid="chat-panel" data-text-first={textFirst ? 'true' : 'false'} aria-labelledby="chat-title">
        <div class="chat-head">
          <h2 id="chat-title" class="chat-title">
            {t('kiosk.chat.title')}
          </h2>
          {open && !textFirst ? <Button testid="chat-hide" label={t('kiosk.chat.hide')} variant="quiet" onClick={() => setOpen(false)} /> : null}
        </div>
        <ol class="chat-lines" role="log" aria-live="polite" aria-relevant="additions" data-testid="chat-log" ref={logRef}>
          {lines.map((l) => (
            <li key={l.key} class={`chat-line chat-${l.from}`} data-testid={`chat-line-${l.from}`} data-seq={l.seq} data-status={l.status}>
              <span class="chat-who">{l.from === 'peer' ? t('kiosk.chat.agent') : t('kiosk.chat.me')}</span>
              <p class="chat-text" dir="auto">
                {l.text}
              </p>
              {l.from === 'me' ? (
                <span class="chat-status" data-testid="chat-status">
                  {t(`kiosk.chat.status.${l.status}`)}
                </span>
              ) : null}
            </li>
          ))}
        </ol>
        {lines.length === 0 ? (
          <p class="chat-empty" data-testid="chat-empty">
            {t('kiosk.chat.empty')}
          </p>
        ) : null}
        {open ? null : <Button testid="chat-open" label={t('kiosk.chat.open')} icon="chat" onClick={() => setOpen(true)} />}
      </section>
      {open ? (
        <div class="vg-chat-compose" data-testid="chat-compose">
          <div class="chat-draft-row">
            <TextField
              testid="chat-draft"
              id="chat-draft"
              label={t('kiosk.chat.draft')}
              value={draft}
              active
              multiline
              onKey={type}
              onErase={erase}
              {...(error ? { error: t(`kiosk.chat.error.${error}`, { max: CHAT_MAX_CHARS }) } : {})}
            />
            <Button testid="chat-send" label={t('kiosk.chat.send')} icon="send" variant="primary" disabled={draft.trim() === ''} onClick={submit} />
          </div>
          <Keyboard
            variant="text"
            lang={lang}
            digits
            punctuation=".?'"
            onKey={type}
            onErase={erase}
            testidPrefix="chat-key"
            label={t('kiosk.chat.keyboard')}
            spaceLabel={t('kiosk.keyboard.space')}
            eraseLabel={t('kiosk.keyboard.erase')}
          />
        </div>
      ) : null}
    </>
  );
}

/**
 * "Je suis sourd ou malentendant / I am deaf or hard of hearing" on the language screen (both
 * languages, since the citizen has not picked one yet): a toggle that sets the visit's textFirst.
 */
export function TextFirstToggle() {
  const { view, tIn, send } = useKiosk();
  const on = view.context.textFirst;
  return (
    <div class="vg-text-first">
      <Button
        testid="access-text-first"
        class="btn-text-first"
        label={tIn('fr', 'kiosk.access.textFirst')}
        lang="fr"
        icon="ear"
        pressed={on}
        extra={
          <span class="btn-alt" lang="en">
            {tIn('en', 'kiosk.access.textFirst')}
          </span>
        }
        onClick={() => send({ type: 'access.textFirst', on: !on })}
      />
      {on ? (
        <p class="text-first-on" role="status" data-testid="access-text-first-on">
          <span lang="fr">{tIn('fr', 'kiosk.access.textFirstOn')}</span> <span lang="en">{tIn('en', 'kiosk.access.textFirstOn')}</span>
        </p>
      ) : null}
    </div>
  );
}

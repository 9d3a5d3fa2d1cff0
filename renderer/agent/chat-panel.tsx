// The agent console's "Texte" panel beside the video: the conversation, an input where Enter sends
// (Shift+Enter: new line), each own message's status, and a banner when the citizen chose text
// first. Text is rendered as text nodes only. Mounted by main.ts into #chat.
import { render } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { CHAT_MAX_CHARS, type ChatErrorCode } from '../../common/chat';
import type { MessageKey } from '../../common/i18n';
import { createAgentChat, type AgentChat, type AgentChatSession } from './chat';
import './chat.css';

type Tr = (key: MessageKey, params?: Record<string, string | number>) => string;

export function AgentChatPanel({ chat, tr }: { chat: AgentChat; tr: Tr }) {
  const [draft, setDraft] = useState('');
  const [error, setError] = useState<ChatErrorCode | null>(null);
  const logRef = useRef<HTMLOListElement>(null);
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const callId = chat.callId.value;
  const lines = chat.lines.value;
  const textFirst = chat.textFirst.value;

  // A new call starts with an empty input, focused when the citizen asked for text first.
  useEffect(() => {
    setDraft('');
    setError(null);
    if (callId && textFirst) inputRef.current?.focus();
  }, [callId, textFirst]);
  useLayoutEffect(() => {
    const el = logRef.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [lines.length]);

  if (!callId) return null;

  const submit = () => {
    const r = chat.post(draft);
    if (r.ok) {
      setDraft('');
      setError(null);
    } else {
      setError(r.code); // the text stays in the input
    }
  };

  return (
    <div class={`agent-chat${textFirst ? ' agent-chat-first' : ''}`} data-testid="agent-chat" data-call-id={callId} data-text-first={textFirst ? 'true' : 'false'}>
      <h2 id="chat-title" class="agent-chat-title">{tr('agent.chat.title')}</h2>
      {textFirst ? (
        <p class="agent-chat-banner" data-testid="chat-text-first" role="status">
          {tr('agent.chat.textFirst')}
        </p>
      ) : null}
      <ol class="agent-chat-lines" role="log" aria-live="polite" aria-relevant="additions" data-testid="chat-log" ref={logRef}>
        {lines.map((l) => (
          <li key={l.key} class={`agent-chat-line from-${l.from}`} data-testid={`chat-line-${l.from === 'me' ? 'agent' : 'citizen'}`} data-seq={l.seq} data-status={l.status}>
            <span class="who">{l.from === 'me' ? tr('agent.chat.you') : tr('agent.chat.citizen')}</span>
            <p class="text" dir="auto">
              {l.text}
            </p>
            {l.from === 'me' ? (
              <span class="status" data-testid="chat-status">
                {tr(`agent.chat.status.${l.status}`)}
              </span>
            ) : null}
          </li>
        ))}
      </ol>
      {lines.length === 0 ? <p class="agent-chat-empty">{tr('agent.chat.empty')}</p> : null}
      <form
        class="agent-chat-compose"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <label class="sr-only" for="chat-input">
          {tr('agent.chat.input')}
        </label>
        <textarea
          id="chat-input"
          ref={inputRef}
          data-testid="chat-input"
          rows={2}
          maxLength={CHAT_MAX_CHARS * 2}
          placeholder={tr('agent.chat.input')}
          autocomplete="off"
          value={draft}
          aria-invalid={error ? 'true' : undefined}
          aria-describedby={error ? 'chat-error' : undefined}
          onInput={(e) => {
            setDraft((e.target as HTMLTextAreaElement).value);
            setError(null);
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
              e.preventDefault();
              submit();
            }
          }}
        />
        <button type="submit" class="primary" data-testid="chat-send">
          {tr('agent.chat.send')}
        </button>
      </form>
      {error ? (
        <p id="chat-error" class="error" role="alert" data-testid="chat-error" data-code={error}>
          {tr(`agent.chat.error.${error}`, { max: CHAT_MAX_CHARS })}
        </p>
      ) : null}
    </div>
  );
}

/**
 * Mounts the panel into `el` and follows `session`; re-renders when the console's language changes
 * (main.ts sets <html lang>). Returns the unmount function.
 */
export function mountAgentChat(el: HTMLElement, opts: { session: AgentChatSession; tr: Tr }): () => void {
  const chat = createAgentChat(opts.session);
  const draw = () => render(<AgentChatPanel chat={chat} tr={opts.tr} />, el);
  draw();
  const langWatch = new MutationObserver(draw);
  langWatch.observe(document.documentElement, { attributes: true, attributeFilter: ['lang'] });
  return () => {
    langWatch.disconnect();
    render(null, el);
    chat.dispose();
  };
}

// Agent console panel: callback requests left at kiosks (service, language, time window), with
// claim / done so each is handled by exactly one agent. The hub reveals name and phone only to
// the agent who claimed the request, and erases them when it is marked done.
import { translator, type MessageKey } from '../../common/i18n/index';
import { CALLBACKS_PATH, CallbackList, CallbackView, type CallbackView as View } from '../../common/outbox';

type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

export interface CallbacksOptions {
  /** Agent bearer token from /api/login. */
  token: string;
  /** Hub base URL ('' = same origin). */
  hubUrl: string;
  /** Translator for the agent's language (default French). */
  t?: Translate;
  /** Poll period (ms); default 15 000. */
  pollMs?: number;
  /** Injected fetch (tests). */
  fetch?: typeof fetch;
  /** A service's name for a service id (the hub's catalogue); default: the id. */
  serviceName?: (id: string) => string;
  /** Locale for dates (default fr-CA). */
  locale?: string;
  /** Called when the hub says the token is no longer valid. */
  onUnauthorized?: () => void;
}

/** Calling the handle itself is the same as destroy() (so it can serve as a plain cleanup function). */
export interface CallbacksHandle {
  (): void;
  /** Reloads the list now. */
  refresh(): Promise<void>;
  /** Stops polling and removes the panel. */
  destroy(): void;
}

/** Mounts the callbacks panel into `el` and starts polling. */
export function mountCallbacks(el: HTMLElement, opts: CallbacksOptions): CallbacksHandle {
  const t = opts.t ?? translator('fr');
  const doFetch = opts.fetch ?? ((...a: Parameters<typeof fetch>) => fetch(...a));
  const serviceName = opts.serviceName ?? ((id: string) => id);
  const doc = el.ownerDocument;
  const base = opts.hubUrl.replace(/\/$/, '');
  let items: View[] = [];
  let destroyed = false;

  const panel = doc.createElement('section');
  panel.className = 'callbacks';
  panel.dataset.panel = 'callbacks';
  const title = doc.createElement('h2');
  title.textContent = t('callbacks.title');
  const refreshBtn = doc.createElement('button');
  refreshBtn.type = 'button';
  refreshBtn.textContent = t('callbacks.refresh');
  refreshBtn.dataset.action = 'refresh';
  const status = doc.createElement('p');
  status.className = 'callbacks-status';
  status.setAttribute('role', 'status');
  const list = doc.createElement('ul');
  list.className = 'callbacks-list';
  panel.append(title, refreshBtn, status, list);
  el.append(panel);

  const headers = { authorization: `Bearer ${opts.token}` };

  function unauthorized(): void {
    status.textContent = t('callbacks.error.unauthorized');
    opts.onUnauthorized?.();
  }

  async function refresh(): Promise<void> {
    try {
      const res = await doFetch(`${base}${CALLBACKS_PATH}`, { headers });
      if (destroyed) return;
      if (res.status === 401) return unauthorized();
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      items = CallbackList.parse(await res.json()).callbacks;
      status.textContent = items.length === 0 ? t('callbacks.empty') : '';
      render();
    } catch {
      if (!destroyed) status.textContent = t('callbacks.error.load');
    }
  }

  async function act(id: string, action: 'claim' | 'done'): Promise<void> {
    try {
      const res = await doFetch(`${base}${CALLBACKS_PATH}/${encodeURIComponent(id)}/${action}`, { method: 'POST', headers });
      if (destroyed) return;
      if (res.status === 401) return unauthorized();
      if (res.status === 409) status.textContent = t('callbacks.error.conflict');
      else if (res.ok) {
        const updated = CallbackView.parse(((await res.json()) as { callback: unknown }).callback);
        items = updated.status === 'done' ? items.filter((c) => c.id !== id) : items.map((c) => (c.id === id ? updated : c));
        status.textContent = items.length === 0 ? t('callbacks.empty') : '';
        render();
        return;
      } else status.textContent = t('callbacks.error.load');
    } catch {
      if (!destroyed) status.textContent = t('callbacks.error.load');
    }
    await refresh();
  }

  function render(): void {
    const dateFmt = new Intl.DateTimeFormat(opts.locale ?? 'fr-CA', { dateStyle: 'medium', timeStyle: 'short' });
    list.replaceChildren(
      ...items.map((c) => {
        const li = doc.createElement('li');
        li.dataset.callbackId = c.id;
        li.dataset.status = c.status;
        const line = (text: string, cls: string) => {
          const p = doc.createElement('p');
          p.className = cls;
          p.textContent = text;
          return p;
        };
        li.append(
          line(`${serviceName(c.service)} · ${t(`callbacks.language.${c.language}`)}`, 'callback-what'),
          line(t('callbacks.window', { window: t(`callback.window.${c.timeWindow}`) }), 'callback-window'),
          line(t('callbacks.received', { date: dateFmt.format(new Date(c.createdAt)) }), 'callback-received'),
        );
        if (c.status === 'claimed' && c.claimedBy && !c.mine) li.append(line(t('callbacks.claimedBy', { name: c.claimedBy }), 'callback-claimed'));
        if (c.mine && c.name && c.phone) li.append(line(t('callbacks.contact', { name: c.name, phone: c.phone }), 'callback-contact'));
        const button = (label: string, action: 'claim' | 'done') => {
          const b = doc.createElement('button');
          b.type = 'button';
          b.textContent = label;
          b.dataset.action = action;
          b.dataset.id = c.id;
          return b;
        };
        if (c.status === 'open') li.append(button(t('callbacks.claim'), 'claim'));
        if (c.status === 'claimed' && c.mine) li.append(button(t('callbacks.done'), 'done'));
        return li;
      }),
    );
  }

  function onClick(ev: Event): void {
    const b = (ev.target as HTMLElement | null)?.closest<HTMLButtonElement>('button');
    if (!b || !panel.contains(b)) return;
    if (b.dataset.action === 'refresh') void refresh();
    else if ((b.dataset.action === 'claim' || b.dataset.action === 'done') && b.dataset.id) {
      b.disabled = true; // one click, one request
      void act(b.dataset.id, b.dataset.action);
    }
  }
  panel.addEventListener('click', onClick);
  const timer = setInterval(() => void refresh(), opts.pollMs ?? 15_000);
  void refresh();

  const destroy = () => {
    destroyed = true;
    clearInterval(timer);
    panel.removeEventListener('click', onClick);
    panel.remove();
  };
  return Object.assign(destroy, { refresh, destroy });
}

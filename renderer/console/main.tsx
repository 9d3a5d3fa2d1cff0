// The hub's web console (served at /console/): sign in, then the pages the account's role opens
// (renderer/console/pages.tsx). A hash router (`#/enroll?code=…`) so a scanned QR code lands on the
// right page with the code, and the hub serves one static page.
import '../shared/strict-csp';
import './styles.css';
import { render } from 'preact';
import { signal, computed } from '@preact/signals';
import { useEffect, useState } from 'preact/hooks';
import { t as translate, type MessageKey } from '../../common/i18n';
import type { Language } from '../../common/config';
import { LoginResponse } from '../../common/protocol';
import { roleAllows, type Role } from '../../common/roles';
import { api, loadSession, saveSession, type Session } from './api';
import { pages } from './pages';

const lang = signal<Language>(localStorage.getItem('vg.console.lang') === 'en' ? 'en' : 'fr');
const session = signal<Session | null>(loadSession());
const route = signal(location.hash);
window.addEventListener('hashchange', () => (route.value = location.hash));

const t = (key: MessageKey, params?: Record<string, string | number>) => translate(lang.value, key, params);
const parsedRoute = computed(() => {
  const m = /^#\/([a-z-]+)(?:\?(.*))?$/.exec(route.value);
  return { id: m?.[1] ?? '', query: new URLSearchParams(m?.[2] ?? '') };
});

function signOut() {
  saveSession(null);
  session.value = null;
}

function SignIn() {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    const r = await api('POST', '/api/login', null, { username, password });
    setBusy(false);
    const parsed = LoginResponse.safeParse(r.body);
    if (!r.ok || !parsed.success) {
      setError(r.status === 429 ? t('console.signIn.throttled') : r.status === 401 ? t('console.signIn.wrong') : t('console.error', { message: String(r.body.message ?? r.status) }));
      return;
    }
    const s: Session = { token: parsed.data.token, displayName: parsed.data.displayName, role: parsed.data.role ?? 'agent' };
    saveSession(s);
    session.value = s;
  };
  return (
    <form class="card stack signin" onSubmit={submit} aria-labelledby="signin-title">
      <h2 id="signin-title">{t('console.signIn.title')}</h2>
      <label>
        <span>{t('console.signIn.username')}</span>
        <input value={username} onInput={(e) => setUsername(e.currentTarget.value)} autocomplete="username" required maxlength={64} data-testid="signin-username" />
      </label>
      <label>
        <span>{t('console.signIn.password')}</span>
        <input type="password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} autocomplete="current-password" required maxlength={256} data-testid="signin-password" />
      </label>
      {error && <p class="notice error" role="alert" data-testid="signin-error">{error}</p>}
      <button type="submit" class="primary" disabled={busy} data-testid="signin-submit">{t('console.signIn.submit')}</button>
    </form>
  );
}

function App() {
  const s = session.value;
  const { id, query } = parsedRoute.value;
  useEffect(() => {
    document.documentElement.lang = lang.value;
    document.title = `${t('console.title')} — Visioguichet`;
  }, [lang.value]);
  const mine = s ? pages.filter((p) => roleAllows(s.role, p.roles)) : [];
  const page = pages.find((p) => p.id === id) ?? mine[0];
  const switchLang = (l: Language) => {
    lang.value = l;
    localStorage.setItem('vg.console.lang', l);
  };
  return (
    <>
      <header class="topbar">
        <h1>{t('console.title')}</h1>
        <div class="lang" role="group" aria-label={t('console.language')}>
          {(['fr', 'en'] as const).map((l) => (
            <button type="button" key={l} lang={l} aria-pressed={lang.value === l} onClick={() => switchLang(l)} data-testid={`lang-${l}`}>
              {l.toUpperCase()}
            </button>
          ))}
        </div>
        {s && (
          <div class="who">
            <span data-testid="signed-in-as">{t('console.signedInAs', { name: s.displayName, role: t(`console.role.${s.role as Role}` as MessageKey) })}</span>
            <button type="button" onClick={signOut} data-testid="sign-out">{t('console.signOut')}</button>
          </div>
        )}
      </header>
      {s && mine.length > 0 && (
        <nav aria-label={t('console.nav')}>
          {mine.map((p) => (
            <a key={p.id} href={`#/${p.id}`} aria-current={page?.id === p.id ? 'page' : undefined} data-testid={`nav-${p.id}`}>
              {t(p.title)}
            </a>
          ))}
        </nav>
      )}
      <main>
        {!s ? (
          <SignIn />
        ) : !page || !roleAllows(s.role, page.roles) ? (
          <p class="notice error" role="alert" data-testid="forbidden">{t('console.forbidden')}</p>
        ) : (
          <page.Component key={page.id} session={s} t={t} query={query} signOut={signOut} />
        )}
      </main>
    </>
  );
}

render(<App />, document.getElementById('console')!);

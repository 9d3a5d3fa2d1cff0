// The console's pages. Each is registered in `pages` with the roles that may open it (the hub checks
// the same roles on every route it calls: the page check only spares a refused round trip). Later
// pages (fleet, alerts, remote actions, audit, configuration) are added as entries here.
import { useEffect, useState } from 'preact/hooks';
import type { JSX } from 'preact';
import { formatUserCode, normalizeUserCode } from '../../common/enroll';
import type { MessageKey } from '../../common/i18n';
import { Role, roleAllows } from '../../common/roles';
import { api, type Answer, type Session } from './api';

/** What a page gets. */
export interface PageProps {
  session: Session;
  t: (key: MessageKey, params?: Record<string, string | number>) => string;
  /** The hash route's query (`#/enroll?code=…`). */
  query: URLSearchParams;
  /** The hub said 401: the session is over. */
  signOut: () => void;
}

export interface PageDef {
  id: string;
  /** Roles that may open the page (the administrator always may). */
  roles: readonly Role[];
  title: MessageKey;
  Component: (p: PageProps) => JSX.Element;
}

type Notice = { kind: 'ok' | 'error'; text: string } | null;

function NoticeLine({ notice, testid }: { notice: Notice; testid: string }) {
  if (!notice) return null;
  return (
    <p class={`notice ${notice.kind}`} role={notice.kind === 'error' ? 'alert' : 'status'} data-testid={testid}>
      {notice.text}
    </p>
  );
}

const errorText = (p: PageProps, body: Record<string, unknown>) => p.t('console.error', { message: String(body.message ?? body.code ?? '?') });

// ---- enroll ------------------------------------------------------------------------------------

function EnrollPage(p: PageProps) {
  const [code, setCode] = useState(p.query.get('code') ?? '');
  const [found, setFound] = useState<{ userCode: string; fingerprint: string } | null>(null);
  const [name, setName] = useState('');
  const [office, setOffice] = useState('');
  const [kioskId, setKioskId] = useState('');
  const [notice, setNotice] = useState<Notice>(null);
  const [busy, setBusy] = useState(false);

  const refusal = (status: number, body: Record<string, unknown>): Notice => {
    if (status === 401) p.signOut();
    return {
      kind: 'error',
      text: status === 404 ? p.t('console.enroll.notFound') : status === 429 ? p.t('console.enroll.throttled') : status === 409 ? p.t('console.enroll.conflict') : errorText(p, body),
    };
  };

  const lookup = async (e?: Event) => {
    e?.preventDefault();
    setNotice(null);
    setFound(null);
    const normal = normalizeUserCode(code);
    if (!normal) return setNotice({ kind: 'error', text: p.t('console.enroll.notFound') });
    setBusy(true);
    const r = await api<{ userCode: string; fingerprint: string }>('GET', `/api/enroll/requests/${formatUserCode(normal)}`, p.session.token);
    setBusy(false);
    if (r.ok) setFound(r.body);
    else setNotice(refusal(r.status, r.body as unknown as Record<string, unknown>));
  };

  // A scanned QR code opens this page with the code: check it at once.
  useEffect(() => {
    if (p.query.get('code')) void lookup();
  }, []);

  const decide = async (approve: boolean, e: Event) => {
    e.preventDefault();
    if (!found) return;
    setBusy(true);
    const r = approve
      ? await api<{ kioskId: string }>('POST', '/api/enroll/approve', p.session.token, { userCode: found.userCode, name: name.trim(), office: office.trim(), ...(kioskId.trim() ? { kioskId: kioskId.trim() } : {}) })
      : await api('POST', '/api/enroll/deny', p.session.token, { userCode: found.userCode });
    setBusy(false);
    if (!r.ok) return setNotice(refusal(r.status, r.body as Record<string, unknown>));
    setFound(null);
    setCode('');
    setName('');
    setKioskId('');
    setNotice({ kind: 'ok', text: approve ? p.t('console.enroll.approved', { kioskId: String((r.body as { kioskId: string }).kioskId) }) : p.t('console.enroll.denied') });
  };

  return (
    <section class="page enroll" aria-labelledby="enroll-title">
      <h2 id="enroll-title">{p.t('console.enroll.title')}</h2>
      <form class="stack" onSubmit={lookup}>
        <label>
          <span>{p.t('console.enroll.code')}</span>
          <input
            value={code} onInput={(e) => setCode(e.currentTarget.value)} data-testid="enroll-code" autocomplete="off"
            autocapitalize="characters" spellcheck={false} maxlength={12} required aria-describedby="enroll-code-hint" class="code"
          />
          <small id="enroll-code-hint">{p.t('console.enroll.codeHint')}</small>
        </label>
        <button type="submit" class="primary" disabled={busy} data-testid="enroll-lookup">{p.t('console.enroll.lookup')}</button>
      </form>
      {found && (
        <form class="stack" onSubmit={(e) => decide(true, e)} data-testid="enroll-approve-form">
          <p class="fingerprint" data-testid="enroll-fingerprint">{p.t('console.enroll.fingerprint', { fingerprint: found.fingerprint })}</p>
          <label>
            <span>{p.t('console.enroll.name')}</span>
            <input value={name} onInput={(e) => setName(e.currentTarget.value)} required maxlength={120} data-testid="enroll-name" />
          </label>
          <label>
            <span>{p.t('console.enroll.office')}</span>
            <input value={office} onInput={(e) => setOffice(e.currentTarget.value)} required maxlength={160} data-testid="enroll-office" />
          </label>
          <label>
            <span>{p.t('console.enroll.kioskId')}</span>
            <input value={kioskId} onInput={(e) => setKioskId(e.currentTarget.value)} pattern="[A-Za-z0-9_.:\-]{1,64}" maxlength={64} data-testid="enroll-kiosk-id" />
          </label>
          <div class="row">
            <button type="submit" class="primary" disabled={busy} data-testid="enroll-approve">{p.t('console.enroll.approve')}</button>
            <button type="button" class="danger" disabled={busy} onClick={(e) => decide(false, e)} data-testid="enroll-deny">{p.t('console.enroll.deny')}</button>
          </div>
        </form>
      )}
      <NoticeLine notice={notice} testid="enroll-notice" />
    </section>
  );
}

// ---- booths ------------------------------------------------------------------------------------

interface BoothRow { kioskId: string; name: string; office: string; online: boolean; lastSeenAt: number | null }

function BoothsPage(p: PageProps) {
  const [rows, setRows] = useState<BoothRow[] | null>(null);
  const [confirming, setConfirming] = useState<BoothRow | null>(null);
  const [notice, setNotice] = useState<Notice>(null);
  const mayRevoke = roleAllows(p.session.role, ['technician']);

  const load = async () => {
    const r = await api<{ kiosks: BoothRow[] }>('GET', '/api/kiosks', p.session.token);
    if (r.status === 401) return p.signOut();
    if (r.ok) setRows(r.body.kiosks);
    else setNotice({ kind: 'error', text: errorText(p, r.body as unknown as Record<string, unknown>) });
  };
  useEffect(() => {
    void load();
    // The full fleet page (live updates) comes later; a 10 s refresh keeps "online" honest meanwhile.
    const timer = setInterval(() => void load(), 10_000);
    return () => clearInterval(timer);
  }, []);

  const revoke = async (row: BoothRow) => {
    const r = await api('POST', `/api/kiosks/${encodeURIComponent(row.kioskId)}/revoke`, p.session.token, {});
    setConfirming(null);
    if (r.status === 401) return p.signOut();
    setNotice(r.ok ? { kind: 'ok', text: p.t('console.booths.revoked', { id: row.kioskId }) } : { kind: 'error', text: errorText(p, r.body) });
    await load();
  };

  const when = (at: number | null) => (at ? new Date(at).toLocaleString(document.documentElement.lang === 'en' ? 'en-CA' : 'fr-CA') : p.t('console.booths.never'));
  return (
    <section class="page booths" aria-labelledby="booths-title">
      <h2 id="booths-title">{p.t('console.booths.title')}</h2>
      <NoticeLine notice={notice} testid="booths-notice" />
      {confirming && (
        <div class="confirm" role="alertdialog" aria-labelledby="confirm-text" data-testid="revoke-confirm">
          <p id="confirm-text">{p.t('console.booths.confirmRevoke', { name: confirming.name, id: confirming.kioskId })}</p>
          <div class="row">
            <button type="button" class="danger" onClick={() => void revoke(confirming)} data-testid="revoke-confirm-yes">{p.t('console.booths.confirm')}</button>
            <button type="button" onClick={() => setConfirming(null)}>{p.t('console.booths.cancel')}</button>
          </div>
        </div>
      )}
      {rows === null ? (
        <p>{p.t('console.loading')}</p>
      ) : rows.length === 0 ? (
        <p>{p.t('console.booths.empty')}</p>
      ) : (
        <div class="table-wrap">
          <table data-testid="booths-table">
            <thead>
              <tr>
                <th scope="col">{p.t('console.booths.id')}</th>
                <th scope="col">{p.t('console.booths.name')}</th>
                <th scope="col">{p.t('console.booths.office')}</th>
                <th scope="col">{p.t('console.booths.status')}</th>
                <th scope="col">{p.t('console.booths.lastSeen')}</th>
                {mayRevoke && <th scope="col">{p.t('console.booths.actions')}</th>}
              </tr>
            </thead>
            <tbody>
              {rows.map((k) => (
                <tr key={k.kioskId} data-testid={`booth-${k.kioskId}`} data-online={String(k.online)}>
                  <td>{k.kioskId}</td>
                  <td>{k.name}</td>
                  <td>{k.office}</td>
                  <td>{k.online ? p.t('console.booths.online') : p.t('console.booths.offline')}</td>
                  <td>{when(k.lastSeenAt)}</td>
                  {mayRevoke && (
                    <td>
                      <button type="button" class="danger" onClick={() => setConfirming(k)} data-testid={`revoke-${k.kioskId}`}>
                        {p.t('console.booths.revoke', { id: k.kioskId })}
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

// ---- accounts ----------------------------------------------------------------------------------

interface AccountRow { id: string; username: string; displayName: string; role: Role; disabled: boolean }

function AccountsPage(p: PageProps) {
  const [rows, setRows] = useState<AccountRow[] | null>(null);
  const [notice, setNotice] = useState<Notice>(null);
  const [draft, setDraft] = useState<{ username: string; displayName: string; role: Role }>({ username: '', displayName: '', role: 'agent' });

  const load = async () => {
    const r = await api<{ accounts: AccountRow[] }>('GET', '/api/accounts', p.session.token);
    if (r.status === 401) return p.signOut();
    if (r.ok) setRows(r.body.accounts);
  };
  useEffect(() => void load(), []);

  const answer = async (r: Answer, ok: string) => {
    if (r.status === 401) return p.signOut();
    const pw = r.body.password;
    setNotice(r.ok ? { kind: 'ok', text: typeof pw === 'string' ? p.t('console.accounts.password', { username: String(r.body.username), password: pw }) : ok } : { kind: 'error', text: errorText(p, r.body) });
    await load();
  };
  const change = async (a: AccountRow, patch: { role?: Role; disabled?: boolean }) =>
    answer(await api('PATCH', `/api/accounts/${encodeURIComponent(a.username)}`, p.session.token, patch), p.t('console.accounts.changed', { username: a.username }));
  const reset = async (a: AccountRow) => answer(await api('POST', `/api/accounts/${encodeURIComponent(a.username)}/password`, p.session.token, {}), '');
  const create = async (e: Event) => {
    e.preventDefault();
    await answer(await api('POST', '/api/accounts', p.session.token, draft), '');
    setDraft({ username: '', displayName: '', role: 'agent' });
  };
  const roleName = (r: Role) => p.t(`console.role.${r}` as MessageKey);

  return (
    <section class="page accounts" aria-labelledby="accounts-title">
      <h2 id="accounts-title">{p.t('console.accounts.title')}</h2>
      <NoticeLine notice={notice} testid="accounts-notice" />
      {rows === null ? (
        <p>{p.t('console.loading')}</p>
      ) : (
        <div class="table-wrap">
          <table data-testid="accounts-table">
            <thead>
              <tr>
                <th scope="col">{p.t('console.accounts.username')}</th>
                <th scope="col">{p.t('console.accounts.displayName')}</th>
                <th scope="col">{p.t('console.accounts.role')}</th>
                <th scope="col">{p.t('console.accounts.state')}</th>
                <th scope="col">{p.t('console.accounts.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((a) => (
                <tr key={a.id} data-testid={`account-${a.username}`}>
                  <td>{a.username}</td>
                  <td>{a.displayName}</td>
                  <td>
                    <select aria-label={p.t('console.accounts.roleOf', { username: a.username })} value={a.role} onChange={(e) => void change(a, { role: e.currentTarget.value as Role })} data-testid={`role-${a.username}`}>
                      {Role.options.map((r) => <option key={r} value={r}>{roleName(r)}</option>)}
                    </select>
                  </td>
                  <td>{a.disabled ? p.t('console.accounts.disabled') : p.t('console.accounts.active')}</td>
                  <td class="row">
                    <button type="button" onClick={() => void change(a, { disabled: !a.disabled })} data-testid={`toggle-${a.username}`}>
                      {a.disabled ? p.t('console.accounts.enable', { username: a.username }) : p.t('console.accounts.disable', { username: a.username })}
                    </button>
                    <button type="button" onClick={() => void reset(a)} data-testid={`reset-${a.username}`}>{p.t('console.accounts.resetPassword', { username: a.username })}</button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <form class="stack" onSubmit={create} aria-labelledby="new-account-title">
        <h3 id="new-account-title">{p.t('console.accounts.new')}</h3>
        <label>
          <span>{p.t('console.accounts.username')}</span>
          <input value={draft.username} onInput={(e) => setDraft({ ...draft, username: e.currentTarget.value })} required maxlength={64} data-testid="new-username" />
        </label>
        <label>
          <span>{p.t('console.accounts.displayName')}</span>
          <input value={draft.displayName} onInput={(e) => setDraft({ ...draft, displayName: e.currentTarget.value })} required maxlength={80} data-testid="new-display-name" />
        </label>
        <label>
          <span>{p.t('console.accounts.role')}</span>
          <select value={draft.role} onChange={(e) => setDraft({ ...draft, role: e.currentTarget.value as Role })} data-testid="new-role">
            {Role.options.map((r) => <option key={r} value={r}>{roleName(r)}</option>)}
          </select>
        </label>
        <button type="submit" class="primary" data-testid="new-create">{p.t('console.accounts.create')}</button>
      </form>
    </section>
  );
}

/** The console's pages, in menu order. */
export const pages: readonly PageDef[] = [
  { id: 'enroll', roles: ['technician'], title: 'console.nav.enroll', Component: EnrollPage },
  { id: 'booths', roles: ['technician', 'supervisor'], title: 'console.nav.booths', Component: BoothsPage },
  { id: 'accounts', roles: ['administrator'], title: 'console.nav.accounts', Component: AccountsPage },
];

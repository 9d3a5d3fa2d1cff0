// The booth before it has an identity at the hub (main/services/booth.ts): its one-time enrollment
// code in large letters and as a QR code that opens the hub console's approval page, the hub it
// talks to, when the code expires and the key's fingerprint (the technician compares it in the
// console). Passers-by read that the booth is not in service yet, in every screen language.
import type { EnrollState } from '../../../common/enroll';
import { t, uiLanguage, type MessageKey } from '../../../common/i18n';
import type { UiLanguage } from '../../../common/config';
import { QrCode } from '../ui/qr';

const PASSERBY: readonly UiLanguage[] = ['fr', 'en', 'es', 'ar', 'zh'];

function Both({ k, params, class: cls, tag: Tag = 'p' }: { k: MessageKey; params?: Record<string, string>; class?: string; tag?: 'p' | 'h1' }) {
  return (
    <Tag class={cls}>
      <span lang="fr">{t('fr', k, params)}</span>
      <span lang="en" class="enroll-en">{t('en', k, params)}</span>
    </Tag>
  );
}

/** `14:35` in Québec's 24-hour style. */
const clock = (at: number) => new Date(at).toLocaleTimeString('fr-CA', { hour: '2-digit', minute: '2-digit' });

export function EnrollScreen({ state }: { state: EnrollState }) {
  const revoked = state.state === 'code' && state.revoked;
  return (
    <section class="enroll-screen" data-testid="enroll-screen" data-enroll-state={state.state}>
      <Both tag="h1" k={revoked ? 'enroll.revokedTitle' : 'enroll.title'} class="enroll-title" />
      <ul class="enroll-passerby">
        {PASSERBY.map((l) => (
          <li key={l} lang={uiLanguage(l).tag} dir={uiLanguage(l).dir}>{t(l, 'enroll.citizen')}</li>
        ))}
      </ul>
      {state.state === 'code' ? (
        <div class="enroll-code-block">
          <div class="enroll-code-text">
            <Both k="enroll.codeLabel" class="enroll-label" />
            <p class="enroll-code" data-testid="enroll-user-code" aria-live="polite">{state.userCode}</p>
            <Both k="enroll.steps" class="enroll-steps" />
            <p class="enroll-meta" data-testid="enroll-hub">{t('fr', 'enroll.hub', { hub: state.hubUrl })}</p>
            <Both k="enroll.expires" params={{ time: clock(state.expiresAt) }} class="enroll-meta" />
            <p class="enroll-meta" data-testid="enroll-fingerprint">{t('fr', 'enroll.fingerprint', { fingerprint: state.fingerprint })}</p>
          </div>
          <QrCode value={state.verifyUrl} caption={t('fr', 'enroll.qr')} testid="enroll-qr" />
        </div>
      ) : state.state === 'starting' ? (
        <Both k={state.retrying ? 'enroll.retrying' : 'enroll.starting'} class="enroll-label" />
      ) : null}
    </section>
  );
}

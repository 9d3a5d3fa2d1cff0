// Before a visit: attract, closed, language choice. Nobody has chosen a language yet, so these
// screens show French first and English second (the closed screen can be switched to English).
import { useState } from 'preact/hooks';
import { formatPeriods, isAllDay } from '../../../common/hours';
import { offeredLanguages, uiLanguage, type MessageKey } from '../../../common/i18n';
import { Button, Pictogram, ScreenFrame } from '../ui';
import type { ScreenProps, VisitLanguage } from '../ui/context';
import { CallbackOffer } from './offer';
import { nextOpeningText, todayHours } from './text';
import { TextFirstToggle } from '../chat/ChatPanel';

export { todayHours } from './text';

export function Attract(props: ScreenProps) {
  const { config, tIn } = props;
  return (
    <ScreenFrame name="attract">
      <button type="button" class="attract-start" data-testid="attract-start" onClick={() => props.send({ type: 'touch' })}>
        <span class="office">{config.office.fr}</span>
        <Pictogram name="touch" class="icon icon-hero" />
        <span class="attract-call" lang="fr">
          {tIn('fr', 'kiosk.attract.touch')}
        </span>
        <span class="attract-call-alt" lang="en">
          {tIn('en', 'kiosk.attract.touch')}
        </span>
        <span class="hours" data-testid="attract-hours">
          {todayHours(props, 'fr')}
        </span>
      </button>
    </ScreenFrame>
  );
}

/**
 * Outside opening hours: when it opens next and the week's hours, in French until the citizen
 * picks English here (the visit's language is not chosen yet); the phone and a callback request.
 */
export function Closed(props: ScreenProps) {
  const { config, tIn } = props;
  const [lang, setLang] = useState<VisitLanguage>('fr');
  // The title also in a second language: English under French, French under anything else.
  const other: VisitLanguage = lang === 'fr' ? 'en' : 'fr';
  const info = uiLanguage(lang);
  const rows = config.schedule.days.map((periods, day) => (
    <tr key={day}>
      <th scope="row">{tIn(lang, `kiosk.day.${day}` as MessageKey)}</th>
      <td>{isAllDay(periods) ? tIn(lang, 'kiosk.day.allDay') : periods.length ? formatPeriods(periods, lang) : tIn(lang, 'kiosk.day.closed')}</td>
    </tr>
  ));
  // Monday first, as Québec calendars do.
  const week = [...rows.slice(1), rows[0]];
  const next = nextOpeningText(props, lang);
  return (
    <ScreenFrame name="closed" title={tIn(lang, 'kiosk.closed.title')} titleLang={info.tag} icon="clock">
      <p class="subtitle" lang={other}>
        {tIn(other, 'kiosk.closed.title')}
      </p>
      {next ? (
        <p class="big next-opening" data-testid="closed-next" lang={info.tag}>
          {next}
        </p>
      ) : null}
      <p class="text" lang={info.tag}>
        {tIn(lang, 'kiosk.closed.body')}
      </p>
      <table class="schedule" data-testid="closed-schedule" lang={info.tag} dir={info.dir}>
        <caption>{tIn(lang, 'kiosk.closed.schedule')}</caption>
        <tbody>{week}</tbody>
      </table>
      <p class="tollfree" data-testid="tollfree" lang={info.tag}>
        <Pictogram name="phone" />
        {tIn(lang, 'kiosk.tollFree', { number: config.tollFree })}
      </p>
      {/* Low on the screen: within a seated person's reach (controls low), after what it translates. */}
      <div class="closed-lang" role="group" aria-label={tIn(lang, 'kiosk.closed.readIn')}>
        {offeredLanguages.map((l) => (
          <Button key={l.code} testid={`closed-lang-${l.code}`} label={l.nativeName} lang={l.tag} pressed={l.code === lang} onClick={() => setLang(l.code)} />
        ))}
      </div>
      {/* The visit started from here asks the language, then the service, then shows the form. */}
      <CallbackOffer {...props} lang={lang} />
      <p class="office">{lang === 'en' ? config.office.en : config.office.fr}</p>
    </ScreenFrame>
  );
}

/** One button per offered language, in its own name and script (no flag, no globe: a flag is a country, not a language). */
export function LanguageChoice(props: ScreenProps) {
  const { tIn, send } = props;
  return (
    <ScreenFrame
      name="language"
      title={tIn('fr', 'kiosk.language.title')}
      titleLang="fr"
      icon="language"
      actions={
        <Button
          testid="btn-back"
          label={tIn('fr', 'kiosk.action.quit')}
          icon="home"
          variant="quiet"
          lang="fr"
          extra={
            <span class="btn-alt" lang="en">
              {tIn('en', 'kiosk.action.quit')}
            </span>
          }
          onClick={() => send({ type: 'visit.back' })}
        />
      }
    >
      {/* The question in every offered language, for a citizen who reads neither French nor English. */}
      <p class="subtitle lang-titles">
        {offeredLanguages
          .filter((l) => l.code !== 'fr')
          .map((l) => (
            <span key={l.code} lang={l.tag} dir={l.dir}>
              {tIn(l.code, 'kiosk.language.title')}
            </span>
          ))}
      </p>
      <div class={`choices choices-${offeredLanguages.length <= 2 ? 2 : 3} choices-lang`}>
        {offeredLanguages.map((l) => (
          <Button key={l.code} testid={`lang-${l.code}`} label={l.nativeName} variant="primary" lang={l.tag} onClick={() => send({ type: 'lang.select', lang: l.code })} />
        ))}
      </div>
      <TextFirstToggle />
    </ScreenFrame>
  );
}

// French is the reference catalog: English must have exactly these keys. 'lang.*' are native names
// (the language screen uses common/i18n/languages.ts); 'language.*' name a language for staff
// ("Interprète requis : espagnol").
export default {
  'app.name': 'Visioguichet',
  'lang.fr': 'Français',
  'lang.en': 'English',
  'action.continue': 'Continuer',
  'action.cancel': 'Annuler',
  'action.back': 'Retour',
  'action.retry': 'Réessayer',
  'language.fr': 'français',
  'language.en': 'anglais',
  'language.es': 'espagnol',
  'language.ar': 'arabe',
  'language.zh': 'chinois (simplifié)',
  'language.moe': 'innu-aimun',
  'error.generic': 'Une erreur est survenue. Veuillez réessayer.',
} as const;

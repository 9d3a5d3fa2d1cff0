// French is the reference catalog: every other language must have exactly these keys.
export default {
  'app.name': 'Visioguichet',
  'lang.fr': 'Français',
  'lang.en': 'English',
  'action.continue': 'Continuer',
  'action.cancel': 'Annuler',
  'action.back': 'Retour',
  'action.retry': 'Réessayer',
  'error.generic': 'Une erreur est survenue. Veuillez réessayer.',
} as const;

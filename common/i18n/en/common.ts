import type fr from '../fr/common';

export default {
  'app.name': 'Visioguichet',
  'lang.fr': 'Français',
  'lang.en': 'English',
  'action.continue': 'Continue',
  'action.cancel': 'Cancel',
  'action.back': 'Back',
  'action.retry': 'Try again',
  'language.fr': 'French',
  'language.en': 'English',
  'language.es': 'Spanish',
  'language.ar': 'Arabic',
  'language.zh': 'Chinese (Simplified)',
  'language.moe': 'Innu-aimun',
  'error.generic': 'Something went wrong. Please try again.',
} satisfies Record<keyof typeof fr, string>;

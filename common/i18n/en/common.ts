import type fr from '../fr/common';

export default {
  'app.name': 'Visioguichet',
  'lang.fr': 'Français',
  'lang.en': 'English',
  'action.continue': 'Continue',
  'action.cancel': 'Cancel',
  'action.back': 'Back',
  'action.retry': 'Try again',
  'error.generic': 'Something went wrong. Please try again.',
} satisfies Record<keyof typeof fr, string>;

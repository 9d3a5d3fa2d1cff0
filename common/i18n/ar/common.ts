// Arabic (Modern Standard, neutral forms). Partial: a missing key falls back to French (../index.ts).
import type fr from '../fr/common';

export default {
  'app.name': 'Visioguichet',
  'action.continue': 'متابعة',
  'action.cancel': 'إلغاء',
  'action.back': 'رجوع',
  'action.retry': 'إعادة المحاولة',
  'error.generic': 'حدث خطأ. يُرجى إعادة المحاولة.',
} satisfies Partial<Record<keyof typeof fr, string>>;

// Simplified Chinese (polite 您). Partial: a missing key falls back to French (../index.ts).
import type fr from '../fr/common';

export default {
  'app.name': 'Visioguichet',
  'action.continue': '继续',
  'action.cancel': '取消',
  'action.back': '返回',
  'action.retry': '重试',
  'error.generic': '出现错误，请重试。',
} satisfies Partial<Record<keyof typeof fr, string>>;

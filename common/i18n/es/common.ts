// Spanish (usted). Partial: a key missing here falls back to French (see ../index.ts).
import type fr from '../fr/common';

export default {
  'app.name': 'Visioguichet',
  'action.continue': 'Continuar',
  'action.cancel': 'Cancelar',
  'action.back': 'Volver',
  'action.retry': 'Intentar de nuevo',
  'error.generic': 'Se produjo un error. Intente de nuevo.',
} satisfies Partial<Record<keyof typeof fr, string>>;

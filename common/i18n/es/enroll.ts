// Spanish: the enrollment screen as a passer-by sees it.
import type fr from '../fr/enroll';

export default {
  'enroll.title': 'Este videoquiosco aún no está en servicio',
  'enroll.revokedTitle': 'Este videoquiosco fue retirado de la red',
  'enroll.citizen': 'Pronto estará listo. Diríjase al mostrador para ser atendido.',
  'enroll.codeLabel': 'Código de inscripción',
  'enroll.steps': 'Técnico: abra la consola del centro, elija «Inscribir un quiosco», escriba este código o escanee el código QR y apruebe.',
  'enroll.hub': 'Centro: {hub}',
  'enroll.expires': 'Este código vence a las {time}; luego lo reemplaza uno nuevo.',
  'enroll.fingerprint': 'Huella de la clave: {fingerprint}',
  'enroll.qr': 'Escanee para inscribir este quiosco',
  'enroll.starting': 'Conectando con el centro…',
  'enroll.retrying': 'El centro no responde. Volviendo a intentar…',
} satisfies Partial<Record<keyof typeof fr, string>>;

// Spanish (usted) spoken prompts; espeak-ng reads them with its Latin American voice (es-419).
import type fr from '../fr/voice';

export default {
  'voice.listen': 'Escuchar',
  'voice.prompt.attract': 'Hola. Toque la pantalla para hablar por video con un agente del gobierno de Quebec.',
  'voice.prompt.closed': 'La videoventanilla está cerrada. Vuelva durante el horario de atención, o llámenos gratis.',
  'voice.prompt.language': 'Elija su idioma tocando su nombre.',
  'voice.prompt.service': '¿Qué servicio necesita? Toque el servicio que desea.',
  'voice.prompt.visitType': '¿Tiene una cita? Toque: tengo una cita. Si no, toque: sin cita.',
  'voice.prompt.appointmentCode': 'Escriba su código de cita con el teclado y toque Confirmar. El código aparece en su confirmación.',
  'voice.prompt.consent':
    'Antes de comenzar. Su imagen y su voz se transmiten en directo, solo durante la llamada. No se graba nada. ¿Acepta encender la cámara y el micrófono? Toque Aceptar, Solo micrófono, o Rechazar.',
  'voice.prompt.declined': 'No hay problema. También puede comunicarse con nosotros por teléfono, gratis.',
  'voice.prompt.deviceCheck':
    'Revisemos la cámara y el micrófono. Su imagen aparece en la pantalla. Hable: la barra se mueve si el micrófono le oye. Luego toque Continuar.',
  'voice.prompt.deviceCheck.audioOnly': 'Revisemos el micrófono. Hable: la barra se mueve si el micrófono le oye. Luego toque Continuar.',
  'voice.prompt.videoUnavailable': 'La cámara o el micrófono no funciona. Vuelva a intentarlo, o llámenos gratis.',
  'voice.prompt.videoUnavailable.audioCall': 'La cámara o el micrófono no funciona. Vuelva a intentarlo, hable con un agente sin cámara, o llámenos gratis.',
  'voice.prompt.waiting': 'Un agente le atenderá. Quédese frente a la pantalla: su lugar en la fila aparece en ella.',
  'voice.prompt.waiting.noAgent': 'No hay ningún agente disponible en este momento. Usted conserva su lugar: un agente le atenderá en cuanto vuelva.',
  'voice.prompt.agentAnswered': 'Un agente le atiende.',
  'voice.prompt.callFailed.noAgent': 'No hay ningún agente disponible en este momento. Puede volver a intentarlo, o llamarnos gratis.',
  'voice.prompt.callFailed.dropped': 'La llamada se interrumpió. Puede volver a intentarlo, o llamarnos gratis.',
  'voice.prompt.callFailed.agentLost': 'El agente se desconectó. Toque Intentar de nuevo para hablar con el próximo agente, en el primer lugar de la fila, o deje sus datos.',
  'voice.prompt.callFailed.hubOffline': 'El servicio no está disponible por el momento. Puede volver a intentarlo, o llamarnos gratis.',
  'voice.prompt.callFailed.error': 'Ocurrió un error. Puede volver a intentarlo, o llamarnos gratis.',
  'voice.prompt.callback': 'Deje su nombre y su número de teléfono: un agente le devolverá la llamada.',
  'voice.prompt.callback.saved': 'Su solicitud quedó registrada. Un agente le devolverá la llamada.',
  'voice.prompt.survey': '¿Cómo fue su visita? Toque una cara para responder, o toque Omitir.',
  'voice.prompt.thanks': 'Gracias por su visita. ¡Hasta luego!',
  'voice.prompt.idle': '¿Sigue ahí? Toque: sí, aquí estoy, para continuar.',
  'voice.prompt.idle.waiting': '¿Sigue ahí? Usted conserva su lugar en la fila. Toque la pantalla si sigue aquí.',
} as const satisfies Record<keyof typeof fr, string>;

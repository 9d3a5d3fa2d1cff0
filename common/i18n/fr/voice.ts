// Spoken prompts (renderer/kiosk/voice): one per citizen screen, read by a speech engine at build
// time (scripts/voice.ts → assets/voice/generated/<lang>/<id>.ogg) or replaced by a studio
// recording (assets/voice/studio/<lang>/<id>.*). `voice.prompt.<id>` is the prompt id the player
// asks for; the text says what the screen shows and what to touch, without numbers that change
// (a prompt is recorded once). French is the reference; each language has exactly these keys.
export default {
  'voice.listen': 'Écouter',
  'voice.prompt.attract': "Bonjour. Touchez l'écran pour parler en vidéo avec un agent du gouvernement du Québec.",
  'voice.prompt.closed': "Le visioguichet est fermé. Revenez pendant les heures d'ouverture, ou appelez-nous sans frais.",
  'voice.prompt.language': 'Choisissez votre langue en touchant son nom.',
  'voice.prompt.service': 'De quel service avez-vous besoin ? Touchez le service de votre choix.',
  'voice.prompt.visitType': "Avez-vous un rendez-vous ? Touchez : j'ai un rendez-vous. Sinon, touchez : sans rendez-vous.",
  'voice.prompt.appointmentCode':
    'Entrez votre code de rendez-vous avec le clavier, puis touchez Valider. Le code figure sur votre confirmation.',
  'voice.prompt.consent':
    "Avant de commencer. Votre image et votre voix sont transmises en direct, seulement pendant l'appel. Rien n'est enregistré. Acceptez-vous d'allumer la caméra et le micro ? Touchez Accepter, Micro seulement, ou Refuser.",
  'voice.prompt.declined': 'Aucun problème. Vous pouvez aussi nous joindre par téléphone, sans frais.',
  'voice.prompt.deviceCheck':
    "Vérifions la caméra et le micro. Votre image s'affiche à l'écran. Parlez : la barre bouge si le micro vous entend. Puis touchez Continuer.",
  'voice.prompt.deviceCheck.audioOnly': 'Vérifions le micro. Parlez : la barre bouge si le micro vous entend. Puis touchez Continuer.',
  'voice.prompt.videoUnavailable': 'La caméra ou le micro ne fonctionne pas. Réessayez, ou appelez-nous sans frais.',
  'voice.prompt.videoUnavailable.audioCall': 'La caméra ou le micro ne fonctionne pas. Réessayez, parlez à un agent sans caméra, ou appelez-nous sans frais.',
  'voice.prompt.waiting': "Un agent va vous répondre. Restez devant l'écran : votre place dans la file s'affiche.",
  'voice.prompt.waiting.noAgent': "Aucun agent n'est disponible pour le moment. Vous gardez votre place : un agent vous répondra dès son retour.",
  'voice.prompt.agentAnswered': 'Un agent vous répond.',
  'voice.prompt.callFailed.noAgent': "Aucun agent n'est disponible pour le moment. Vous pouvez réessayer, ou nous appeler sans frais.",
  'voice.prompt.callFailed.dropped': "L'appel a été interrompu. Vous pouvez réessayer, ou nous appeler sans frais.",
  'voice.prompt.callFailed.agentLost': "L'agent a été déconnecté. Touchez Réessayer pour parler au prochain agent, en tête de file, ou laissez vos coordonnées.",
  'voice.prompt.callFailed.hubOffline': 'Le service est momentanément inaccessible. Vous pouvez réessayer, ou nous appeler sans frais.',
  'voice.prompt.callFailed.error': 'Une erreur est survenue. Vous pouvez réessayer, ou nous appeler sans frais.',
  'voice.prompt.callback': 'Laissez votre nom et votre numéro de téléphone : un agent vous rappellera.',
  'voice.prompt.callback.saved': 'Votre demande est enregistrée. Un agent vous rappellera.',
  'voice.prompt.survey': "Comment s'est passée votre visite ? Touchez un visage pour répondre, ou touchez Passer.",
  'voice.prompt.thanks': 'Merci de votre visite. Au revoir !',
  'voice.prompt.idle': 'Êtes-vous encore là ? Touchez : oui, je suis là, pour continuer.',
  'voice.prompt.idle.waiting': "Êtes-vous encore là ? Vous gardez votre place dans la file. Touchez l'écran si vous êtes toujours là.",
} as const;

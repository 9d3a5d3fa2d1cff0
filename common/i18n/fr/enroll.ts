// The booth's enrollment screen (renderer/kiosk/screens/enroll.tsx): read by the technician who
// installs it, and seen by citizens who walk by before it is in service. French is the reference.
export default {
  'enroll.title': "Ce visioguichet n'est pas encore en service",
  'enroll.revokedTitle': 'Ce visioguichet a été retiré du réseau',
  'enroll.citizen': 'Il sera bientôt prêt. Adressez-vous au comptoir pour être servi.',
  'enroll.codeLabel': "Code d'inscription",
  'enroll.steps': 'Technicien : ouvrez la console du carrefour, choisissez « Inscrire un visioguichet », entrez ce code ou balayez le code QR, puis approuvez.',
  'enroll.hub': 'Carrefour : {hub}',
  'enroll.expires': 'Ce code expire à {time} ; un nouveau code le remplace alors.',
  'enroll.fingerprint': 'Empreinte de la clé : {fingerprint}',
  'enroll.qr': 'Balayez pour inscrire ce visioguichet',
  'enroll.starting': 'Connexion au carrefour…',
  'enroll.retrying': 'Le carrefour ne répond pas. Nouvel essai en cours…',
};

import type fr from '../fr/enroll';

export default {
  'enroll.title': 'This video booth is not in service yet',
  'enroll.revokedTitle': 'This video booth was removed from the network',
  'enroll.citizen': 'It will be ready soon. Please go to the counter to be served.',
  'enroll.codeLabel': 'Enrollment code',
  'enroll.steps': 'Technician: open the hub console, choose “Enroll a booth”, type this code or scan the QR code, then approve.',
  'enroll.hub': 'Hub: {hub}',
  'enroll.expires': 'This code expires at {time}; a new code then replaces it.',
  'enroll.fingerprint': 'Key fingerprint: {fingerprint}',
  'enroll.qr': 'Scan to enroll this booth',
  'enroll.starting': 'Connecting to the hub…',
  'enroll.retrying': 'The hub does not answer. Trying again…',
} satisfies Record<keyof typeof fr, string>;

import type fr from '../fr/voice';

export default {
  'voice.listen': 'Listen',
  'voice.prompt.attract': 'Hello. Touch the screen to talk by video with a Government of Québec agent.',
  'voice.prompt.closed': 'The video counter is closed. Come back during opening hours, or call us toll-free.',
  'voice.prompt.language': 'Choose your language by touching its name.',
  'voice.prompt.service': 'Which service do you need? Touch the service you want.',
  'voice.prompt.visitType': 'Do you have an appointment? Touch: I have an appointment. Otherwise, touch: no appointment.',
  'voice.prompt.appointmentCode': 'Enter your appointment code with the keyboard, then touch Confirm. The code is on your confirmation.',
  'voice.prompt.consent':
    'Before we start. Your image and voice are sent live, only during the call. Nothing is recorded. Do you agree to turn on the camera and microphone? Touch Accept, Microphone only, or Refuse.',
  'voice.prompt.declined': 'No problem. You can also reach us by phone, toll-free.',
  'voice.prompt.deviceCheck':
    'Let us check the camera and microphone. Your image is on the screen. Speak: the bar moves if the microphone hears you. Then touch Continue.',
  'voice.prompt.deviceCheck.audioOnly': 'Let us check the microphone. Speak: the bar moves if the microphone hears you. Then touch Continue.',
  'voice.prompt.videoUnavailable': 'The camera or microphone is not working. Try again, or call us toll-free.',
  'voice.prompt.videoUnavailable.audioCall': 'The camera or microphone is not working. Try again, talk to an agent without the camera, or call us toll-free.',
  'voice.prompt.waiting': 'An agent will answer you. Stay in front of the screen: your place in line is shown.',
  'voice.prompt.waiting.noAgent': 'No agent is available right now. You keep your place: an agent will answer as soon as one is back.',
  'voice.prompt.agentAnswered': 'An agent is answering you.',
  'voice.prompt.callFailed.noAgent': 'No agent is available right now. You can try again, or call us toll-free.',
  'voice.prompt.callFailed.dropped': 'The call was interrupted. You can try again, or call us toll-free.',
  'voice.prompt.callFailed.agentLost': 'The agent was disconnected. Touch Try again to talk to the next agent, at the front of the line, or leave your details.',
  'voice.prompt.callFailed.hubOffline': 'The service cannot be reached right now. You can try again, or call us toll-free.',
  'voice.prompt.callFailed.error': 'Something went wrong. You can try again, or call us toll-free.',
  'voice.prompt.callback': 'Leave your name and phone number: an agent will call you back.',
  'voice.prompt.callback.saved': 'Your request is saved. An agent will call you back.',
  'voice.prompt.survey': 'How was your visit? Touch a face to answer, or touch Skip.',
  'voice.prompt.thanks': 'Thank you for your visit. Goodbye!',
  'voice.prompt.idle': 'Are you still there? Touch: yes, I am here, to continue.',
  'voice.prompt.idle.waiting': 'Are you still there? You keep your place in line. Touch the screen if you are still here.',
} as const satisfies Record<keyof typeof fr, string>;

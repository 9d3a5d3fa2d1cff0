// The listen button's word, from the voice catalogs (common/i18n/<lang>/voice.ts); a language
// without one reads French, as its audio does.
import arVoice from '../../../common/i18n/ar/voice';
import enVoice from '../../../common/i18n/en/voice';
import esVoice from '../../../common/i18n/es/voice';
import frVoice from '../../../common/i18n/fr/voice';
import zhVoice from '../../../common/i18n/zh/voice';

const catalogs: Record<string, Record<keyof typeof frVoice, string>> = { fr: frVoice, en: enVoice, es: esVoice, ar: arVoice, zh: zhVoice };

export const voiceLabel = (lang: string, key: 'voice.listen'): string => (catalogs[lang] ?? frVoice)[key];

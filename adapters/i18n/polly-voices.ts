import type { VoiceId } from '@aws-sdk/client-pinpoint-sms-voice-v2';

/**
 * The Polly voices End User Messaging SMS and Voice v2 accepts in SendVoiceMessage, and the language
 * each speaks. It is a subset of Polly: voices such as Aditi (Hindi) or Suvi (Finnish) exist in Polly
 * but are rejected by SendVoiceMessage, which is why some catalogue locales declare a voice fallback.
 * `satisfies Record<VoiceId, …>` makes the type-check fail when an SDK upgrade adds or removes a voice.
 */
export interface PollyVoice {
  /** BCP 47 tag of the language and accent the voice speaks. */
  readonly locale: string;
  readonly language: string;
}

export const POLLY_VOICES = {
  AMY: { locale: 'en-GB', language: 'English (British)' },
  ASTRID: { locale: 'sv-SE', language: 'Swedish' },
  BIANCA: { locale: 'it-IT', language: 'Italian' },
  BRIAN: { locale: 'en-GB', language: 'English (British)' },
  CAMILA: { locale: 'pt-BR', language: 'Portuguese (Brazilian)' },
  CARLA: { locale: 'it-IT', language: 'Italian' },
  CARMEN: { locale: 'ro-RO', language: 'Romanian' },
  CELINE: { locale: 'fr-FR', language: 'French' },
  CHANTAL: { locale: 'fr-CA', language: 'French (Canadian)' },
  CONCHITA: { locale: 'es-ES', language: 'Spanish (European)' },
  CRISTIANO: { locale: 'pt-PT', language: 'Portuguese (European)' },
  DORA: { locale: 'is-IS', language: 'Icelandic' },
  EMMA: { locale: 'en-GB', language: 'English (British)' },
  ENRIQUE: { locale: 'es-ES', language: 'Spanish (European)' },
  EWA: { locale: 'pl-PL', language: 'Polish' },
  FILIZ: { locale: 'tr-TR', language: 'Turkish' },
  GERAINT: { locale: 'en-GB', language: 'English (Welsh)' },
  GIORGIO: { locale: 'it-IT', language: 'Italian' },
  GWYNETH: { locale: 'cy-GB', language: 'Welsh' },
  HANS: { locale: 'de-DE', language: 'German' },
  INES: { locale: 'pt-PT', language: 'Portuguese (European)' },
  IVY: { locale: 'en-US', language: 'English (US)' },
  JACEK: { locale: 'pl-PL', language: 'Polish' },
  JAN: { locale: 'pl-PL', language: 'Polish' },
  JOANNA: { locale: 'en-US', language: 'English (US)' },
  JOEY: { locale: 'en-US', language: 'English (US)' },
  JUSTIN: { locale: 'en-US', language: 'English (US)' },
  KARL: { locale: 'is-IS', language: 'Icelandic' },
  KENDRA: { locale: 'en-US', language: 'English (US)' },
  KIMBERLY: { locale: 'en-US', language: 'English (US)' },
  LEA: { locale: 'fr-FR', language: 'French' },
  LIV: { locale: 'nb-NO', language: 'Norwegian' },
  LOTTE: { locale: 'nl-NL', language: 'Dutch' },
  LUCIA: { locale: 'es-ES', language: 'Spanish (European)' },
  LUPE: { locale: 'es-US', language: 'Spanish (US)' },
  MADS: { locale: 'da-DK', language: 'Danish' },
  MAJA: { locale: 'pl-PL', language: 'Polish' },
  MARLENE: { locale: 'de-DE', language: 'German' },
  MATHIEU: { locale: 'fr-FR', language: 'French' },
  MATTHEW: { locale: 'en-US', language: 'English (US)' },
  MAXIM: { locale: 'ru-RU', language: 'Russian' },
  MIA: { locale: 'es-MX', language: 'Spanish (Mexican)' },
  MIGUEL: { locale: 'es-US', language: 'Spanish (US)' },
  MIZUKI: { locale: 'ja-JP', language: 'Japanese' },
  NAJA: { locale: 'da-DK', language: 'Danish' },
  NICOLE: { locale: 'en-AU', language: 'English (Australian)' },
  PENELOPE: { locale: 'es-US', language: 'Spanish (US)' },
  RAVEENA: { locale: 'en-IN', language: 'English (Indian)' },
  RICARDO: { locale: 'pt-BR', language: 'Portuguese (Brazilian)' },
  RUBEN: { locale: 'nl-NL', language: 'Dutch' },
  RUSSELL: { locale: 'en-AU', language: 'English (Australian)' },
  SALLI: { locale: 'en-US', language: 'English (US)' },
  SEOYEON: { locale: 'ko-KR', language: 'Korean' },
  TAKUMI: { locale: 'ja-JP', language: 'Japanese' },
  TATYANA: { locale: 'ru-RU', language: 'Russian' },
  VICKI: { locale: 'de-DE', language: 'German' },
  VITORIA: { locale: 'pt-BR', language: 'Portuguese (Brazilian)' },
  // Polly's language code is "arb" (Modern Standard Arabic); templates are keyed "ar".
  ZEINA: { locale: 'ar', language: 'Arabic' },
  // Mandarin, reading Simplified characters.
  ZHIYU: { locale: 'zh-Hans-CN', language: 'Chinese (Mandarin)' },
} as const satisfies Record<VoiceId, PollyVoice>;

export type PollyVoiceId = keyof typeof POLLY_VOICES;

export function isPollyVoiceId(value: string): value is PollyVoiceId {
  return Object.hasOwn(POLLY_VOICES, value);
}

function languageOf(locale: string): string {
  const language = locale.split(/[-_]/)[0]?.toLowerCase() ?? '';
  // Norwegian Bokmål and the "no" macrolanguage are read the same way.
  return language === 'no' ? 'nb' : language;
}

/**
 * Whether the voice speaks the language of `locale`. Only the language subtag must match: an en-GB
 * template read by an American voice is understood, a French template read by a German voice is not.
 */
export function voiceSpeaks(voiceId: string, locale: string): boolean {
  if (!isPollyVoiceId(voiceId)) return false;
  return languageOf(POLLY_VOICES[voiceId].locale) === languageOf(locale);
}

/** The voices for the language of `locale`, those of the same region first; empty when Polly has none. */
export function voicesFor(locale: string): PollyVoiceId[] {
  const region = locale
    .split('-')
    .slice(1)
    .find((part) => /^(?:[A-Za-z]{2}|\d{3})$/.test(part));
  const ids = (Object.keys(POLLY_VOICES) as PollyVoiceId[]).filter((id) => voiceSpeaks(id, locale));
  const sameRegion = (id: PollyVoiceId) =>
    region !== undefined && POLLY_VOICES[id].locale.toUpperCase().endsWith(`-${region.toUpperCase()}`);
  return [...ids.filter(sameRegion), ...ids.filter((id) => !sameRegion(id))];
}

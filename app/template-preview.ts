import { bundledVoiceFallback } from '../adapters/i18n/i18next-template-store';
import {
  isPollyVoiceId,
  POLLY_VOICES,
  type PollyVoiceId,
  voiceSpeaks,
  voicesFor,
} from '../adapters/i18n/polly-voices';
import { composeMessage } from '../domain/compose-message';
import type { DeliveryRequest, Purpose } from '../domain/delivery-request';
import { codePointLabel, gsm7Lookalike } from '../domain/gsm7-lookalikes';
import type { MessageTemplate } from '../domain/message-template';
import { type PluralCategory, pluralCategories, pluralCategoryOf } from '../domain/plural-categories';
import { analyseSms, type SmsEncoding } from '../domain/sms-segments';
import { type SpokenPart, spokenParts } from '../domain/spoken-text';
import { type TextDirection, textDirection } from '../domain/text-direction';
import { type DraftItem, fileItemFromDraft, templateFromDraft } from './template-fields';
import { LINT_SAMPLE, lintTemplates, scriptOf } from './template-lint';
import { parseTemplateFile, TemplateFileError } from './template-transfer';

/**
 * Everything the console shows about one template being edited: the message as it would be sent with a
 * sample code, its SMS encoding or spoken words, and its problems, by the same functions as the CLI
 * (`templates import` rules for saving, `templates lint` rules for the lint list) and the hook
 * (composeMessage). A preview never sees a real code.
 */

export interface PreviewSample {
  readonly brand: string;
  readonly firstName?: string;
  readonly minutes: number;
  /** How many digits the sample code has; its digits are always 1, 2, 3, … */
  readonly codeDigits: number;
}

export const MIN_CODE_DIGITS = 4;
export const MAX_CODE_DIGITS = 10;

/** "123456": obviously not a passcode anyone was sent. */
export function sampleCode(digits: number): string {
  const n = Math.min(Math.max(Math.trunc(digits) || 6, MIN_CODE_DIGITS), MAX_CODE_DIGITS);
  return '1234567890'.slice(0, n);
}

export interface Ucs2Character {
  readonly character: string;
  readonly codePoint: string;
  /** A GSM-7 character that reads the same, when there is one. */
  readonly replacement?: string;
}

export interface SmsPreview {
  readonly text: string;
  readonly encoding: SmsEncoding;
  readonly segments: number;
  readonly units: number;
  /** Characters per segment for this encoding: one segment, or each part of a longer message. */
  readonly singleLimit: number;
  readonly partLimit: number;
  readonly ucs2Characters: readonly Ucs2Character[];
  /** Latin script: a UCS-2 character there is usually a stray one, worth marking in the text. */
  readonly latinScript: boolean;
}

export interface VoicePreview {
  readonly ssml: string;
  /** Undefined when the SSML does not parse (the problems say why). */
  readonly spoken?: readonly SpokenPart[];
  readonly voiceId?: string;
  readonly voiceLanguage?: string;
  /** The language the call is spoken in: the template's, or the catalogue's declared fallback. */
  readonly spokenLocale: string;
  /** Voices End User Messaging offers for the spoken language. */
  readonly suggestedVoices: readonly PollyVoiceId[];
}

export interface TemplatePreview {
  readonly template: MessageTemplate;
  /** Why saving would be refused: exactly what `templates import` checks. Empty when it may be saved. */
  readonly saveProblems: readonly string[];
  /** What `templates lint` says of it (with its worst-case sample: 8-digit code, 20-character brand). */
  readonly lintProblems: readonly string[];
  readonly sms?: SmsPreview;
  readonly voice?: VoicePreview;
  readonly direction: TextDirection;
  readonly plural: {
    readonly locale: string;
    readonly categories: readonly PluralCategory[];
    /** The category the sample's minutes fall in. */
    readonly sampleCategory: string;
  };
  readonly sample: PreviewSample & { readonly code: string };
}

const LIMITS: Readonly<Record<SmsEncoding, { single: number; part: number }>> = {
  'GSM-7': { single: 160, part: 153 },
  'UCS-2': { single: 70, part: 67 },
};

/** The language a voice template is heard in: its own, or the catalogue's fallback when its voice speaks that. */
export function draftSpokenLocale(template: MessageTemplate): string {
  if (template.channel !== 'voice' || !template.voiceId) return template.locale;
  if (voiceSpeaks(template.voiceId.toUpperCase(), template.locale)) return template.locale;
  const fallback = bundledVoiceFallback(template.locale);
  return fallback && voiceSpeaks(template.voiceId.toUpperCase(), fallback.locale)
    ? fallback.locale
    : template.locale;
}

/** Import's verdict on one template, as sentences. */
export function saveProblems(item: DraftItem, version = 1): string[] {
  try {
    parseTemplateFile({ version: 1, templates: [fileItemFromDraft(item, version)] });
    return [];
  } catch (error) {
    if (error instanceof TemplateFileError) return error.problems.map((p) => p.problem);
    throw error;
  }
}

export function previewTemplate(item: DraftItem, sample: PreviewSample, now = Date.now()): TemplatePreview {
  const draft = templateFromDraft(item);
  // Import stores voice ids upper-case (the sender upper-cases them anyway): preview what would be saved.
  const template = draft.voiceId ? { ...draft, voiceId: draft.voiceId.toUpperCase() } : draft;
  const code = sampleCode(sample.codeDigits);
  const spokenLocale = draftSpokenLocale(template);
  const lint = lintTemplates([{ template, spokenLocale }], LINT_SAMPLE);
  const request: DeliveryRequest = {
    eventId: 'console-preview',
    idp: 'console',
    purpose: (template.purpose === 'generic' ? 'verification' : template.purpose) as Purpose,
    channel: template.channel,
    phone: '+14155550123',
    code,
    expiresAt: new Date(now + sample.minutes * 60_000),
    requestedLocale: template.locale,
    ...(sample.firstName ? { firstName: sample.firstName } : {}),
  };
  const message = composeMessage(request, template, { brand: sample.brand, now });
  const pluralLocale = template.channel === 'voice' ? spokenLocale : template.locale;
  const base = {
    template,
    saveProblems: saveProblems(item),
    // "No generic template" is about a whole table; the lint page shows it.
    lintProblems: lint.problems.filter((p) => p.purpose !== '*').map((p) => p.message),
    direction: textDirection(template.locale),
    plural: {
      locale: pluralLocale,
      categories: pluralCategories(pluralLocale),
      sampleCategory: pluralCategoryOf(pluralLocale, sample.minutes),
    },
    sample: { ...sample, code },
  };
  if (template.channel === 'sms') {
    const analysis = analyseSms(message.body);
    const limit = LIMITS[analysis.encoding];
    return {
      ...base,
      sms: {
        text: message.body,
        encoding: analysis.encoding,
        segments: analysis.segments,
        units: analysis.units,
        singleLimit: limit.single,
        partLimit: limit.part,
        ucs2Characters: analysis.ucs2Characters.map((character) => {
          const replacement = gsm7Lookalike(character);
          return {
            character,
            codePoint: codePointLabel(character),
            ...(replacement !== undefined ? { replacement } : {}),
          };
        }),
        latinScript: scriptOf(template.body) === 'latin',
      },
    };
  }
  const voiceId = template.voiceId?.toUpperCase();
  const spoken = spokenParts(message.body);
  return {
    ...base,
    voice: {
      ssml: message.body,
      ...(spoken ? { spoken } : {}),
      ...(voiceId ? { voiceId } : {}),
      ...(voiceId && isPollyVoiceId(voiceId) ? { voiceLanguage: POLLY_VOICES[voiceId].language } : {}),
      spokenLocale,
      suggestedVoices: voicesFor(spokenLocale),
    },
  };
}

import type { Channel, Purpose } from './delivery-request';
import type { ExpiryForms } from './expiry-phrase';

/** A template may be written for one purpose or for all of them. */
export type TemplatePurpose = Purpose | 'generic';

/** Where a template came from; reported back to the IdP and in the outbox. */
export type TemplateSource = 'dynamodb' | 'catalogue' | 'idp';

export interface MessageTemplate {
  /** BCP 47, canonical case ("pt-BR", "zh-Hant"). */
  readonly locale: string;
  readonly channel: Channel;
  readonly purpose: TemplatePurpose;
  /** SMS: plain text with {{placeholders}}. Voice: an SSML fragment or full <speak> document. */
  readonly body: string;
  /** The phrases `{{expiry}}` says, per unit and plural category (see expiry-phrase.ts). */
  readonly expiry?: ExpiryForms;
  /**
   * BCP 47 tag of the language the wording is in, when it is not `locale`: a voice template spoken in a
   * fallback language (the "cs" call in British English). Plural forms and spoken numbers follow it.
   */
  readonly language?: string;
  /** Voice only: the Polly voice End User Messaging speaks with. */
  readonly voiceId?: string;
  readonly source: TemplateSource;
  readonly version?: number;
}

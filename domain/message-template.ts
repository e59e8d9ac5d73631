import type { Channel, Purpose } from './delivery-request';

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
  /** Voice only: the Polly voice End User Messaging speaks with. */
  readonly voiceId?: string;
  readonly source: TemplateSource;
  readonly version?: number;
}

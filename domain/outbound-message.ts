import type { Channel, Purpose } from './delivery-request';
import type { TemplateSource } from './message-template';
import type { SmsEncoding } from './sms-segments';

/** A rendered message, ready for a provider. `body` contains the passcode: never log it. */
export interface OutboundMessage {
  readonly eventId: string;
  readonly purpose: Purpose;
  readonly channel: Channel;
  /** E.164 destination. */
  readonly to: string;
  /** Locale of the template used. */
  readonly locale: string;
  readonly templateSource: TemplateSource;
  /** SMS: text. Voice: a complete SSML <speak> document. */
  readonly body: string;
  readonly bodyType: 'text' | 'ssml';
  readonly voiceId?: string;
  readonly expiresAt: Date;
  /** SMS only: how the network will carry it. */
  readonly sms?: { readonly encoding: SmsEncoding; readonly segments: number };
}

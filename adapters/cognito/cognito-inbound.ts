import { createHash } from 'node:crypto';
import * as v from 'valibot';
import type { DeliveryOutcome } from '../../domain/delivery-outcome';
import type { Channel, DeliveryRequest } from '../../domain/delivery-request';
import { SecretUnreadableError } from '../../domain/errors';
import { toE164 } from '../../domain/phone-number';
import type { InboundContext, InboundDecision, InboundIdp, InboundRejection } from '../../ports/inbound-idp';
import type { SecretDecrypter } from '../../ports/secret-decrypter';
import {
  type CognitoSmsSenderEvent,
  cognitoSmsSenderEventSchema,
  describeIssue,
  TRIGGER_KINDS,
} from './cognito-sms-sender-event';

export interface CognitoInboundSettings {
  /** The user pool's TemporaryPasswordValidityDays: how long an AdminCreateUser password lives. */
  readonly temporaryPasswordValidityDays: number;
}

/**
 * What the trigger returns. Cognito ignores a custom sender's response (it invokes the trigger
 * asynchronously); Lambda hands it to an OnSuccess destination if one is configured, so it says how the
 * delivery ended, without the code or the number.
 */
export interface CognitoTriggerReply {
  readonly eventId: string;
  readonly status: DeliveryOutcome['status'] | 'REJECTED';
  /** Who carried the message (after a failover, the provider that sent); absent when nothing was sent. */
  readonly provider?: string;
  readonly reason?: string;
}

/** clientMetadata keys an app may pass (ForgotPassword, SignUp, … accept ClientMetadata). */
export const CLIENT_METADATA_LOCALE = 'locale';
export const CLIENT_METADATA_CHANNEL = 'deliveryChannel';

const MAX_LOCALE_LENGTH = 35;

/**
 * Cognito's CustomSMSSender trigger: the event in, a DeliveryRequest out. Cognito gives no event id and no
 * expiry, so both are derived (see eventIdOf and the trigger kinds); the code arrives encrypted and is
 * decrypted here, the plaintext bytes zeroed once the string the request carries is made.
 */
export class CognitoInbound implements InboundIdp<unknown, CognitoTriggerReply> {
  readonly idp = 'cognito';

  constructor(
    private readonly decrypter: SecretDecrypter,
    private readonly settings: CognitoInboundSettings,
  ) {}

  async read(input: unknown, context: InboundContext): Promise<InboundDecision> {
    const parsed = v.safeParse(cognitoSmsSenderEventSchema, input, { abortPipeEarly: true });
    if (!parsed.success) return reject(parsed.issues.map(describeIssue));
    const event = parsed.output;
    const attributes = event.request.userAttributes;
    const metadata = event.request.clientMetadata ?? {};

    const rawPhone = attributes.phone_number;
    const phone = rawPhone === undefined ? undefined : toE164(rawPhone, context.defaultPhoneRegion);
    if (phone === undefined) {
      return reject([
        `request.userAttributes.phone_number: ${rawPhone === undefined ? 'is required' : 'must be a valid phone number'}`,
      ]);
    }
    const kind = TRIGGER_KINDS[event.triggerSource];
    const channel = channelOf(metadata[CLIENT_METADATA_CHANNEL], kind.purpose);
    if (channel === undefined) {
      return reject([`request.clientMetadata.${CLIENT_METADATA_CHANNEL}: must be sms or voice`]);
    }

    let code: string;
    try {
      code = await this.decryptCode(event, context.signal);
    } catch (error) {
      if (error instanceof SecretUnreadableError && !error.mayPass) {
        return reject([`request.code: ${error.message}`]);
      }
      throw error;
    }
    if (!codeFits(code, kind.purpose)) {
      return reject([
        kind.purpose === 'temporary-password'
          ? 'request.code: must decrypt to a printable password of at most 256 characters'
          : 'request.code: must decrypt to 4 to 10 digits',
      ]);
    }

    const validityMinutes =
      kind.validity === 'temporary-password-validity'
        ? this.settings.temporaryPasswordValidityDays * 24 * 60
        : kind.validity.minutes;
    const locale = (metadata[CLIENT_METADATA_LOCALE] ?? attributes.locale ?? '').slice(0, MAX_LOCALE_LENGTH);
    const firstName = attributes.given_name?.trim();
    // The brakes' per-user limit: `sub` is the user's immutable id in the pool (a user name can be reused).
    const userId = (attributes.sub ?? event.userName ?? '').trim().slice(0, 128);
    const request: DeliveryRequest = {
      eventId: eventIdOf(event),
      idp: this.idp,
      purpose: kind.purpose,
      channel,
      phone,
      code,
      expiresAt: new Date(context.receivedAt + validityMinutes * 60_000),
      requestedLocale: locale,
      ...(firstName ? { firstName: firstName.slice(0, 100) } : {}),
      ...(userId ? { userId } : {}),
    };
    return { ok: true, request };
  }

  reply(outcome: DeliveryOutcome): CognitoTriggerReply {
    return {
      eventId: outcome.eventId,
      status: outcome.status,
      ...(outcome.status !== 'FAILED' && outcome.provider ? { provider: outcome.provider } : {}),
      ...(outcome.failureReason ? { reason: outcome.failureReason } : {}),
    };
  }

  rejected(rejection: InboundRejection): CognitoTriggerReply {
    return { eventId: '', status: 'REJECTED', reason: rejection.kind };
  }

  /** The plaintext is held as bytes only until the string is made, then zeroed. */
  private async decryptCode(event: CognitoSmsSenderEvent, signal: AbortSignal | undefined): Promise<string> {
    const plaintext = await this.decrypter.decrypt(event.request.code, signal ? { signal } : {});
    try {
      return Buffer.from(plaintext.buffer, plaintext.byteOffset, plaintext.byteLength).toString('utf8');
    } finally {
      plaintext.fill(0);
    }
  }
}

/**
 * A stable id for one Cognito event. Cognito sends none, and Lambda retries a failed asynchronous
 * invocation with the same event: hashing what identifies it — the pool, the trigger, the user and the
 * ciphertext, which the Encryption SDK makes unique per encryption (a fresh data key and IV each time) —
 * gives every retry the same id and every new message a new one. The ciphertext reveals nothing of the code
 * without the pool's KMS key, so its digest may be stored and logged.
 */
export function eventIdOf(event: CognitoSmsSenderEvent): string {
  const digest = createHash('sha256')
    .update([event.userPoolId, event.triggerSource, event.userName ?? '', event.request.code].join('\n'))
    .digest('base64url');
  return `cognito-${digest.slice(0, 32)}`;
}

/**
 * SMS unless the app asks for a voice call in clientMetadata. A temporary password always goes by SMS:
 * letters, case and symbols spelled by a voice are easy to mishear, and a password is typed, not dialled.
 */
function channelOf(requested: string | undefined, purpose: string): Channel | undefined {
  if (purpose === 'temporary-password') return 'sms';
  const value = (requested ?? 'sms').trim().toLowerCase();
  if (value === 'sms') return 'sms';
  if (value === 'voice' || value === 'call') return 'voice';
  return undefined;
}

function codeFits(code: string, purpose: string): boolean {
  if (purpose === 'temporary-password') {
    // Cognito's generated passwords are ASCII letters, digits and symbols; an administrator's own may hold
    // any printable character and inner spaces.
    return code.length > 0 && code.length <= 256 && code.trim() === code && !/\p{Cc}/u.test(code);
  }
  return /^[0-9]{4,10}$/.test(code);
}

function reject(issues: readonly string[]): InboundDecision {
  return { ok: false, rejection: { kind: 'invalid-request', issues } };
}

import { randomInt, randomUUID } from 'node:crypto';
import type { Channel, Purpose } from '../../domain/delivery-request';

/** The purposes Okta's telephony hook has (Okta sends no temporary passwords). */
export type OktaPurpose = Exclude<Purpose, 'temporary-password'>;

export const OKTA_REQUEST_TYPES: Record<OktaPurpose, string> = {
  enrollment: 'com.okta.user.telephony.pre-enrollment',
  verification: 'com.okta.user.telephony.mfa-verification',
  'account-unlock': 'com.okta.user.telephony.account-unlock',
  'password-reset': 'com.okta.user.telephony.password-reset',
};

export const OKTA_PURPOSES = Object.keys(OKTA_REQUEST_TYPES) as readonly OktaPurpose[];

export interface SamplePayloadOptions {
  readonly channel?: Channel;
  readonly locale?: string;
  readonly phone?: string;
  readonly purpose?: OktaPurpose;
  readonly code?: string;
  readonly firstName?: string;
  readonly eventId?: string;
  readonly now?: number;
  readonly expiresInSeconds?: number;
}

/** A realistic Okta telephony hook body (shape from Okta's documented sample), for the CLI, tests and benchmarks. */
export function oktaSamplePayload(options: SamplePayloadOptions = {}) {
  const now = options.now ?? Date.now();
  const channel = options.channel ?? 'sms';
  const code = options.code ?? String(randomInt(0, 1_000_000)).padStart(6, '0');
  const firstName = options.firstName ?? 'Alex';
  return {
    eventId: options.eventId ?? randomUUID().replaceAll('-', '').slice(0, 22),
    eventTime: new Date(now).toISOString(),
    eventType: 'com.okta.telephony.provider',
    eventTypeVersion: '1.0',
    contentType: 'application/json',
    cloudEventVersion: '0.1',
    source: 'https://example.okta.com/api/v1/inlineHooks/calLocalDevelopment0',
    requestType: OKTA_REQUEST_TYPES[options.purpose ?? 'verification'],
    data: {
      context: {
        request: {
          id: `req${randomUUID().replaceAll('-', '').slice(0, 20)}`,
          method: 'POST',
          url: { value: '/idp/idx/challenge/send' },
          ipAddress: '127.0.0.1',
        },
      },
      userProfile: {
        firstName,
        lastName: 'Example',
        login: 'alex@example.com',
        userId: '00uLocalDevelopment0',
      },
      messageProfile: {
        msgTemplate: `Your verification code is ${code}`,
        phoneNumber: options.phone ?? '+14155550123',
        otpExpires: new Date(now + (options.expiresInSeconds ?? 300) * 1000).toISOString(),
        deliveryChannel: channel === 'sms' ? 'SMS' : 'Voice call',
        otpCode: code,
        locale: options.locale ?? 'en-US',
      },
    },
  };
}

import { randomUUID } from 'node:crypto';
import type { Channel } from '../../domain/delivery-request';

export interface EventHookPayloadOptions {
  readonly userId: string;
  readonly channel: Channel;
  /** Sign-in verification (user.authentication.auth_via_mfa) or enrollment (user.mfa.factor.activate). */
  readonly kind?: 'verification' | 'enrollment';
  readonly published?: number;
  readonly outcome?: 'SUCCESS' | 'FAILURE';
}

/**
 * An Okta event hook delivery carrying one phone-factor verification, shaped like Okta's (the System Log
 * LogEvent an Identity Engine org writes: the AuthenticatorEnrollment target with methodTypeUsed), for
 * the CLI playing Okta and for tests.
 */
export function oktaEventHookPayload(options: EventHookPayloadOptions) {
  const enrollment = options.kind === 'enrollment';
  const method = options.channel === 'sms' ? 'SMS' : 'VOICE';
  const published = new Date(options.published ?? Date.now()).toISOString();
  return {
    eventType: 'com.okta.event_hook',
    eventTypeVersion: '1.0',
    cloudEventsVersion: '0.1',
    source: 'https://example.okta.com/api/v1/eventHooks/whoLocalDevelopment0',
    eventId: randomUUID(),
    eventTime: published,
    contentType: 'application/json',
    data: {
      events: [
        {
          uuid: randomUUID(),
          published,
          eventType: enrollment ? 'user.mfa.factor.activate' : 'user.authentication.auth_via_mfa',
          version: '0',
          displayMessage: enrollment
            ? 'Activate factor or authenticator enrollment method for user'
            : 'Authentication of user via MFA',
          severity: 'INFO',
          actor: {
            id: options.userId,
            type: 'User',
            alternateId: 'alex@example.com',
            displayName: 'Alex Example',
          },
          outcome: { result: options.outcome ?? 'SUCCESS', reason: null },
          target: [
            {
              id: 'paeLocalDevelopment0',
              type: 'AuthenticatorEnrollment',
              alternateId: 'unknown',
              displayName: 'Phone',
              detailEntry: enrollment
                ? { methodType: method }
                : { methodTypeUsed: method, methodUsedVerifiedProperties: '[]' },
            },
            {
              id: options.userId,
              type: 'User',
              alternateId: 'alex@example.com',
              displayName: 'Alex Example',
            },
          ],
          client: { ipAddress: '127.0.0.1', zone: 'null', device: 'Computer' },
          debugContext: { debugData: { factorIntent: enrollment ? 'CREDENTIAL_ENROLLMENT' : 'LOGIN' } },
          transaction: { type: 'WEB', id: randomUUID().replaceAll('-', '').slice(0, 27) },
        },
      ],
    },
  };
}

import { describe, expect, it } from 'vitest';
import { parseOktaEventHookBody } from '../../adapters/okta/okta-event-hook';
import { oktaEventHookPayload } from '../../app/local/okta-event-hook-payload';
import { InvalidRequestError } from '../../domain/errors';

const USER = '00u1abcdEFGHijklm697';
const body = (events: unknown[]) => JSON.stringify({ eventType: 'com.okta.event_hook', data: { events } });
const event = (overrides: Record<string, unknown>) => ({
  ...oktaEventHookPayload({ userId: USER, channel: 'sms', published: 1_750_000_000_000 }).data.events[0],
  ...overrides,
});

describe('Okta event hook bodies → phone verifications', () => {
  it('reads Identity Engine sign-in (methodTypeUsed) and enrollment (methodType) for SMS and voice', () => {
    const batch = parseOktaEventHookBody(
      JSON.stringify({
        eventType: 'com.okta.event_hook',
        data: {
          events: [
            ...oktaEventHookPayload({ userId: USER, channel: 'sms', published: 1 }).data.events,
            ...oktaEventHookPayload({ userId: USER, channel: 'voice', published: 2 }).data.events,
            ...oktaEventHookPayload({ userId: USER, channel: 'sms', kind: 'enrollment', published: 3 }).data
              .events,
          ],
        },
      }),
    );
    expect(batch.verifications.map((v) => [v.channel, v.at, v.userId, v.idp])).toEqual([
      ['sms', 1, USER, 'okta'],
      ['voice', 2, USER, 'okta'],
      ['sms', 3, USER, 'okta'],
    ]);
    expect(batch).toMatchObject({ ignored: 0, unreadable: 0 });
  });

  it('reads Classic orgs, whose factor is in debugContext.debugData.factor', () => {
    const classic = event({
      target: [{ id: USER, type: 'User' }],
      debugContext: { debugData: { factor: 'CALL_FACTOR' } },
    });
    expect(parseOktaEventHookBody(body([classic])).verifications[0]).toMatchObject({
      channel: 'voice',
      userId: USER,
    });
  });

  it('a phone enrollment that does not name the method matches either channel', () => {
    const phone = event({
      target: [
        { id: 'pae1', type: 'AuthenticatorEnrollment', displayName: 'Phone' },
        { id: USER, type: 'User' },
      ],
    });
    expect(parseOktaEventHookBody(body([phone])).verifications[0]?.channel).toBeUndefined();
  });

  it('ignores failures, other factors, other event types and events without a user; counts what it cannot read', () => {
    const batch = parseOktaEventHookBody(
      body([
        event({ outcome: { result: 'FAILURE' } }),
        event({
          target: [
            { id: 'x', type: 'AuthenticatorEnrollment', detailEntry: { methodTypeUsed: 'Okta Verify' } },
          ],
        }),
        event({ eventType: 'user.session.start' }),
        event({
          actor: { id: 'not a user id!', type: 'User' },
          target: [{ type: 'AuthenticatorEnrollment', detailEntry: { methodTypeUsed: 'SMS' } }],
        }),
        'not an event',
        { outcome: 'SUCCESS' },
      ]),
    );
    expect(batch).toEqual({ verifications: [], ignored: 4, unreadable: 2 });
  });

  it('refuses what is not an event hook call, without quoting it', () => {
    for (const raw of [
      '',
      'not json {',
      JSON.stringify({ eventType: 'com.okta.telephony.provider' }),
      '[]',
    ]) {
      expect(() => parseOktaEventHookBody(raw), raw).toThrow(InvalidRequestError);
    }
  });
});

import fc from 'fast-check';
import { XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { END_USER_MESSAGING_CAPABILITIES } from '../../adapters/end-user-messaging/end-user-messaging-sender';
import { classifyTwilioAnswer, classifyTwilioWireError } from '../../adapters/twilio/classify-twilio-failure';
import { TwilioWireError } from '../../adapters/twilio/twilio-http';
import { TWILIO_POLLY_VOICES, TWILIO_SSML_ELEMENTS } from '../../adapters/twilio/twilio-voices';
import { speakToTwiml, textToTwiml } from '../../adapters/twilio/twiml';
import { escapeXml, inspectSsml, ssmlElementNames } from '../../domain/ssml';

describe('Twilio answers → kind and certainty', () => {
  // [status, code, kind, certainty]: Twilio's documented codes (https://www.twilio.com/docs/api/errors).
  const answers: [number, number | undefined, string, string][] = [
    [429, 20429, 'throttled', 'not-sent'],
    [429, undefined, 'throttled', 'not-sent'],
    [400, 21611, 'throttled', 'not-sent'],
    [400, 30001, 'throttled', 'not-sent'],
    [400, 21610, 'opted-out', 'not-sent'],
    [400, 21408, 'destination-blocked', 'not-sent'],
    [400, 21215, 'destination-blocked', 'not-sent'],
    [400, 21614, 'destination-blocked', 'not-sent'],
    [400, 21612, 'destination-blocked', 'not-sent'],
    [400, 21219, 'destination-blocked', 'not-sent'],
    [400, 21211, 'invalid-message', 'not-sent'],
    [400, 13224, 'invalid-message', 'not-sent'],
    [400, 21617, 'invalid-message', 'not-sent'],
    [400, 21606, 'misconfigured', 'not-sent'],
    [400, 21212, 'misconfigured', 'not-sent'],
    [404, 20404, 'misconfigured', 'not-sent'],
    [401, 20003, 'access-denied', 'not-sent'],
    [403, undefined, 'access-denied', 'not-sent'],
    [400, 99999, 'invalid-message', 'not-sent'],
    [409, undefined, 'unknown', 'not-sent'],
    // Twilio declined the request: nothing created.
    [503, 20503, 'provider-unavailable', 'not-sent'],
    // Twilio failed, perhaps after creating the message; a gateway stopped waiting for Twilio.
    [500, 20500, 'provider-unavailable', 'uncertain'],
    [502, undefined, 'provider-unavailable', 'uncertain'],
    [504, undefined, 'provider-unavailable', 'uncertain'],
  ];

  it.each(answers)('HTTP %i, code %s → %s, %s', (status, code, kind, certainty) => {
    const body =
      code === undefined ? undefined : { code, message: 'To +14155550123: body "123456" bad', status };
    const failure = classifyTwilioAnswer(status, body);
    expect(failure).toMatchObject({ kind, certainty });
    // Only the status and the numeric code: Twilio's text may quote the number or the body.
    expect(failure.detail).toBe(`Twilio HTTP ${status}${code === undefined ? '' : ` code ${code}`}`);
  });

  it('certainty depends on the HTTP status alone, never on a code Twilio may refine', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 300, max: 599 }),
        fc.option(fc.integer({ min: 0, max: 99_999 })),
        (status, code) => {
          const failure = classifyTwilioAnswer(status, code === null ? {} : { code });
          const refused = (status >= 400 && status < 500) || status === 503;
          expect(failure.certainty).toBe(refused ? 'not-sent' : 'uncertain');
        },
      ),
    );
  });
});

describe('Twilio wire failures → certainty by how far the request got', () => {
  const wire = (
    progress: { connected: boolean; written: boolean; answered: boolean },
    why: TwilioWireError['why'],
    code?: string,
    status?: number,
  ) => classifyTwilioWireError(new TwilioWireError(progress, code, why, status));
  const none = { connected: false, written: false, answered: false };
  const connected = { connected: true, written: false, answered: false };
  const sent = { connected: true, written: true, answered: false };

  it.each([
    ['refused', wire(none, 'network', 'ECONNREFUSED'), 'network', 'not-sent'],
    ['DNS failure', wire(none, 'network', 'ENOTFOUND'), 'network', 'not-sent'],
    ['connect timeout', wire(none, 'connect-timeout'), 'timeout', 'not-sent'],
    ['aborted while connecting', wire(none, 'abort'), 'deadline-exceeded', 'not-sent'],
    ['reset before the body left', wire(connected, 'network', 'ECONNRESET'), 'network', 'not-sent'],
    ['reset after the body left', wire(sent, 'network', 'ECONNRESET'), 'network', 'uncertain'],
    ['aborted waiting for the answer', wire(sent, 'abort'), 'deadline-exceeded', 'uncertain'],
    [
      'a 201 whose body broke',
      wire({ ...sent, answered: true }, 'answer-unreadable', undefined, 201),
      'unknown',
      'uncertain',
    ],
    [
      'a 429 whose body broke',
      wire({ ...sent, answered: true }, 'answer-unreadable', undefined, 429),
      'throttled',
      'not-sent',
    ],
  ])('%s → %s, %s', (_, failure, kind, certainty) => {
    expect(failure).toMatchObject({ kind, certainty });
  });
});

describe('TwiML for a call', () => {
  const inner = 'Your code is <say-as interpret-as="digits">4 8 2</say-as><break time="400ms"/>.';

  it('puts the SSML inside <Say> with the Polly voice, without <speak>', () => {
    const twiml = speakToTwiml(`<?xml version="1.0"?><speak>${inner}</speak>`, 'Polly.Joanna');
    expect(twiml).toBe(
      `<?xml version="1.0" encoding="UTF-8"?><Response><Say voice="Polly.Joanna">${inner}</Say></Response>`,
    );
    expect(speakToTwiml('no speak root', 'Polly.Joanna')).toBeUndefined();
  });

  it('any text as rendered stays well-formed, and is said as written', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 80 }), (text) => {
        // render-message.ts escapes every substituted value; the same escape here.
        const document = `<speak>${escapeXml(text)} <say-as interpret-as="digits">123456</say-as></speak>`;
        fc.pre(inspectSsml(document).problems.length === 0);
        const twiml = speakToTwiml(document, 'Polly.Matthew') as string;
        expect(XMLValidator.validate(twiml)).toBe(true);
        expect(twiml).toContain(escapeXml(text));
        expect(XMLValidator.validate(textToTwiml(text, 'Polly.Matthew'))).toBe(true);
      }),
    );
  });

  it('Twilio speaks every voice End User Messaging speaks, and a subset of its SSML', () => {
    for (const voiceId of END_USER_MESSAGING_CAPABILITIES.voiceIds ?? []) {
      expect(TWILIO_POLLY_VOICES.get(voiceId), voiceId).toMatch(/^Polly\.[A-Z][a-z]+$/);
    }
    for (const element of TWILIO_SSML_ELEMENTS)
      expect(END_USER_MESSAGING_CAPABILITIES.ssmlElements?.has(element)).toBe(true);
    expect(TWILIO_SSML_ELEMENTS.has('mark')).toBe(false);
    expect(
      ssmlElementNames('<speak>a <amazon:effect name="whispered">b</amazon:effect><break/></speak>'),
    ).toEqual(['speak', 'amazon:effect', 'break']);
  });
});

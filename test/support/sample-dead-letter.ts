import type { DeadLetter, SealedSecret } from '../../domain/dead-letter';
import type { FailureCertainty } from '../../domain/delivery-certainty';
import type { MalformedDeadLetter, ReceivedDeadLetter } from '../../ports/dead-letter-queue';

/** A complete dead letter for queue tests; the sealed code is whatever the test's sealer produced. */
export function sampleDeadLetter(
  eventId: string,
  sealedCode: SealedSecret,
  kind = 'throttled',
  certainty: FailureCertainty = 'not-sent',
): DeadLetter {
  const now = Date.now();
  return {
    version: 2,
    eventId,
    idp: 'okta',
    purpose: 'verification',
    channel: 'sms',
    to: '+14155550123',
    locale: 'en',
    requestedLocale: 'EN-US',
    expiresAt: now + 300_000,
    sealedCode,
    certainty,
    error: { kind, message: 'ThrottlingException HTTP 400' },
    attempts: 3,
    receivedAt: now - 2_000,
    failedAt: now,
  };
}

/** The received items, asserting none was malformed (for tests that only park valid letters). */
export function validLetters(
  items: readonly (ReceivedDeadLetter | MalformedDeadLetter)[],
): ReceivedDeadLetter[] {
  return items.map((item) => {
    if ('malformed' in item) throw new Error(`malformed letter ${item.ref}: ${item.issues.join('; ')}`);
    return item;
  });
}

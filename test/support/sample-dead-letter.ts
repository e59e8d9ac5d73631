import type { DeadLetter, SealedSecret } from '../../domain/dead-letter';

/** A complete dead letter for queue tests; the sealed code is whatever the test's sealer produced. */
export function sampleDeadLetter(eventId: string, sealedCode: SealedSecret, kind = 'throttled'): DeadLetter {
  const now = Date.now();
  return {
    version: 1,
    eventId,
    idp: 'okta',
    purpose: 'verification',
    channel: 'sms',
    to: '+14155550123',
    locale: 'en',
    requestedLocale: 'EN-US',
    expiresAt: now + 300_000,
    sealedCode,
    error: { kind, retryable: kind === 'throttled', message: 'ThrottlingException HTTP 400' },
    attempts: 3,
    receivedAt: now - 2_000,
    failedAt: now,
  };
}

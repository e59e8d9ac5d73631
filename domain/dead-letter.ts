import * as v from 'valibot';
import { FAILURE_CERTAINTIES, type FailureCertainty } from './delivery-certainty';
import { CHANNELS, type Channel, PURPOSES, type Purpose } from './delivery-request';
import { PROVIDER_TRY_OUTCOMES, type ProviderTry } from './provider-try';

/** The passcode after a SecretSealer has encrypted it; opaque to everything but the sealer. */
export interface SealedSecret {
  /** "kms" or "aes-256-gcm": which sealer can open it. */
  readonly scheme: string;
  /** Key identifier (KMS key ARN, or a local key id); never key material. */
  readonly keyId: string;
  /** Base64 ciphertext (and IV/tag for AES-GCM, packed by the sealer). */
  readonly ciphertext: string;
}

export const DEAD_LETTER_VERSION = 2;

/**
 * A request that ended without a confirmed send. Carries everything needed to investigate or
 * replay it; the passcode only sealed, the phone in full (it is needed to resend; the queue is encrypted).
 */
export interface DeadLetter {
  readonly version: typeof DEAD_LETTER_VERSION;
  readonly eventId: string;
  readonly idp: string;
  readonly purpose: Purpose;
  readonly channel: Channel;
  readonly to: string;
  readonly locale: string;
  readonly requestedLocale: string;
  readonly firstName?: string;
  /** Epoch ms at which the passcode expires; redrive drops letters past it. */
  readonly expiresAt: number;
  readonly sealedCode: SealedSecret;
  /**
   * Whether the message may have reached the provider (delivery-certainty.ts). Redrive resends only
   * `not-sent` letters unless an operator explicitly includes the `uncertain` ones.
   */
  readonly certainty: FailureCertainty;
  readonly error: {
    /** DeliveryFailureKind or another short reason. */
    readonly kind: string;
    /** A safe description (an error class and message that never contain the passcode). */
    readonly message: string;
  };
  /** Provider calls made for this request, all attempts included. */
  readonly attempts: number;
  /**
   * The providers tried, in order, and what each did. Absent in letters written before routing existed
   * (and when nothing was tried): an optional field, so version 2 readers old and new read both.
   */
  readonly tries?: readonly ProviderTry[];
  /** Epoch ms. */
  readonly receivedAt: number;
  readonly failedAt: number;
}

// Version 1 said `retryable`, which meant "the failure may pass", not "the message was not sent": a timed
// out or reset send was retryable and may well have been delivered. Only kinds that prove the message never
// reached the provider (an explicit refusal, or a failure before any send) map to not-sent.
const V1_NOT_SENT_KINDS: ReadonlySet<string> = new Set([
  'throttled',
  'opted-out',
  'destination-blocked',
  'invalid-message',
  'quota-exceeded',
  'access-denied',
  'misconfigured',
  'code-expired',
  'no-template',
  'idempotency-unavailable',
]);

/** The certainty a version 1 letter's kind allows; anything that may have been sent is uncertain. */
export function certaintyOfVersion1Kind(kind: string): FailureCertainty {
  return V1_NOT_SENT_KINDS.has(kind) ? 'not-sent' : 'uncertain';
}

const text = (max: number) => v.pipe(v.string(), v.minLength(1), v.maxLength(max));
const epochMs = v.pipe(v.number(), v.integer(), v.minValue(0));

const sealedSecretSchema = v.object({
  scheme: text(32),
  keyId: text(2048),
  ciphertext: v.pipe(text(8192), v.base64()),
});

const common = {
  eventId: text(256),
  idp: text(64),
  purpose: v.picklist(PURPOSES),
  channel: v.picklist(CHANNELS),
  to: v.pipe(v.string(), v.regex(/^\+[1-9]\d{6,14}$/)),
  locale: text(35),
  requestedLocale: v.pipe(v.string(), v.maxLength(256)),
  firstName: v.optional(v.pipe(v.string(), v.maxLength(256))),
  expiresAt: epochMs,
  sealedCode: sealedSecretSchema,
  attempts: v.pipe(v.number(), v.integer(), v.minValue(0)),
  receivedAt: epochMs,
  failedAt: epochMs,
};

const providerTrySchema = v.object({
  provider: text(64),
  outcome: v.picklist(PROVIDER_TRY_OUTCOMES),
  reason: v.optional(text(64)),
  calls: v.pipe(v.number(), v.integer(), v.minValue(0)),
  ms: v.pipe(v.number(), v.integer(), v.minValue(0)),
});

const version2 = v.object({
  version: v.literal(2),
  ...common,
  tries: v.optional(v.pipe(v.array(providerTrySchema), v.maxLength(16))),
  certainty: v.picklist(FAILURE_CERTAINTIES),
  error: v.object({ kind: text(64), message: v.pipe(v.string(), v.maxLength(1000)) }),
});

const version1 = v.object({
  version: v.literal(1),
  ...common,
  error: v.object({ kind: text(64), retryable: v.boolean(), message: v.pipe(v.string(), v.maxLength(1000)) }),
});

const deadLetterSchema = v.variant('version', [version1, version2]);

export type DeadLetterReading =
  | { readonly ok: true; readonly letter: DeadLetter; readonly upgradedFrom?: 1 }
  | {
      readonly ok: false;
      /** Where and what was expected, e.g. "certainty: expected ("not-sent" | "uncertain")". Never the value. */
      readonly issues: readonly string[];
    };

/**
 * Reads a dead letter from the queue's JSON text, checking every field; a version 1 letter is upgraded
 * with the conservative certainty of its kind. Issues name the field and what was expected but never
 * quote the value found: a malformed letter may hold a phone number or, hand-edited, a code in clear.
 */
export function readDeadLetter(json: string): DeadLetterReading {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return { ok: false, issues: ['not JSON'] };
  }
  const parsed = v.safeParse(deadLetterSchema, value);
  if (!parsed.success) {
    return {
      ok: false,
      issues: parsed.issues.slice(0, 10).map((issue) => {
        const path = issue.path?.map((p) => String(p.key)).join('.') || '(letter)';
        return `${path}: expected ${issue.expected ?? issue.kind}`;
      }),
    };
  }
  const { firstName, ...letter } = parsed.output;
  const named = firstName === undefined ? {} : { firstName };
  if (letter.version === 2) {
    const { tries, ...rest } = letter;
    const withTries = tries === undefined ? {} : { tries: tries.map(withoutUndefinedReason) };
    return { ok: true, letter: { ...rest, ...named, ...withTries } };
  }
  const { retryable: _, ...error } = letter.error;
  return {
    ok: true,
    upgradedFrom: 1,
    letter: {
      ...letter,
      ...named,
      version: DEAD_LETTER_VERSION,
      certainty: certaintyOfVersion1Kind(error.kind),
      error,
    },
  };
}

function withoutUndefinedReason(t: ProviderTry): ProviderTry {
  const { reason, ...rest } = t;
  return reason === undefined ? rest : { ...rest, reason };
}

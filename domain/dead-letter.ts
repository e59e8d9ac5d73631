import type { Channel, Purpose } from './delivery-request';

/** The passcode after a SecretSealer has encrypted it; opaque to everything but the sealer. */
export interface SealedSecret {
  /** "kms" or "aes-256-gcm": which sealer can open it. */
  readonly scheme: string;
  /** Key identifier (KMS key ARN, or a local key id); never key material. */
  readonly keyId: string;
  /** Base64 ciphertext (and IV/tag for AES-GCM, packed by the sealer). */
  readonly ciphertext: string;
}

/**
 * A request that ended without a confirmed send. Carries everything needed to investigate or
 * replay it; the passcode only sealed, the phone in full (it is needed to resend; the queue is encrypted).
 */
export interface DeadLetter {
  readonly version: 1;
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
  readonly error: {
    /** DeliveryFailureKind or another short reason. */
    readonly kind: string;
    readonly retryable: boolean;
    /** A safe description (an error class and message that never contain the passcode). */
    readonly message: string;
  };
  readonly attempts: number;
  /** Epoch ms. */
  readonly receivedAt: number;
  readonly failedAt: number;
}

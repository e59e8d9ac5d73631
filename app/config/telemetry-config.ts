import { type Env, integer, readEnv, requiredText, text } from './env-readers';

/** The hook's part: where sent messages are recorded, and whose verifications come back. */
export interface HookTelemetryConfig {
  /** Unset: no ledger (metrics only); receipts and conversion then have nothing to complete. */
  readonly messagesTable?: string;
  /** IdPs whose verifications come back (CONVERSION_IDPS, default okta). */
  readonly conversionIdps: ReadonlySet<string>;
}

export function loadHookTelemetryConfig(env: Env): HookTelemetryConfig {
  const raw = readEnv(env, { MESSAGES_TABLE: text(), CONVERSION_IDPS: text('okta') });
  return {
    ...(raw.MESSAGES_TABLE ? { messagesTable: raw.MESSAGES_TABLE } : {}),
    conversionIdps: new Set(
      (raw.CONVERSION_IDPS ?? '')
        .split(',')
        .map((idp) => idp.trim())
        .filter(Boolean),
    ),
  };
}

/** The receipts function: the ledger it completes. */
export function loadReceiptsConfig(env: Env): { readonly messagesTable: string } {
  const raw = readEnv(env, { MESSAGES_TABLE: requiredText('the messages DynamoDB table') });
  return { messagesTable: raw.MESSAGES_TABLE };
}

/** The Okta event hook function. */
export interface EventHookConfig {
  readonly messagesTable: string;
  readonly fingerprintKmsKeyId: string;
  /** Secrets Manager secret holding the value Okta sends in the authentication header. */
  readonly secretId: string;
  readonly authHeader: string;
}

export function loadEventHookConfig(env: Env): EventHookConfig {
  const raw = readEnv(env, {
    MESSAGES_TABLE: requiredText('the messages DynamoDB table'),
    FINGERPRINT_KMS_KEY_ID: requiredText('the HMAC KMS key the hook fingerprints user ids with'),
    EVENT_HOOK_SECRET_ID: requiredText('the Secrets Manager secret Okta authenticates with'),
    EVENT_HOOK_AUTH_HEADER: text('Authorization'),
  });
  return {
    messagesTable: raw.MESSAGES_TABLE,
    fingerprintKmsKeyId: raw.FINGERPRINT_KMS_KEY_ID,
    secretId: raw.EVENT_HOOK_SECRET_ID,
    authHeader: raw.EVENT_HOOK_AUTH_HEADER ?? 'Authorization',
  };
}

/** The sweep that settles unconfirmed messages. */
export function loadSettleConfig(env: Env): { readonly messagesTable: string; readonly graceMs: number } {
  const raw = readEnv(env, {
    MESSAGES_TABLE: requiredText('the messages DynamoDB table'),
    SETTLE_GRACE_SECONDS: integer(600, 0, 86_400),
  });
  return { messagesTable: raw.MESSAGES_TABLE, graceMs: raw.SETTLE_GRACE_SECONDS * 1000 };
}

/** The Twilio status callback function. */
export interface TwilioStatusConfig {
  readonly messagesTable: string;
  /** The secret the hook reads Twilio's credentials from; its auth token checks the signatures. */
  readonly secretId: string;
  /** What the hook gives Twilio as StatusCallback (before eventId and purpose are added), when set. */
  readonly callbackUrl?: string;
}

export function loadTwilioStatusConfig(env: Env): TwilioStatusConfig {
  const raw = readEnv(env, {
    MESSAGES_TABLE: requiredText('the messages DynamoDB table'),
    TWILIO_CREDENTIALS_SECRET_ARN: requiredText("the Secrets Manager secret with Twilio's auth token"),
    TWILIO_STATUS_CALLBACK_URL: text(),
  });
  return {
    messagesTable: raw.MESSAGES_TABLE,
    secretId: raw.TWILIO_CREDENTIALS_SECRET_ARN,
    ...(raw.TWILIO_STATUS_CALLBACK_URL ? { callbackUrl: raw.TWILIO_STATUS_CALLBACK_URL } : {}),
  };
}

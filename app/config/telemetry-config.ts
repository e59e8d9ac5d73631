import type { TelemetrySettings } from '../recorded-delivery-telemetry';
import { ConfigError, type Env, integer, readEnv, requiredText, text } from './env-readers';

/** The hook's part: where sent messages are recorded, and what a message is estimated to cost. */
export interface HookTelemetryConfig {
  /** Unset: no ledger (metrics only); receipts and conversion then have nothing to complete. */
  readonly messagesTable?: string;
  readonly telemetry: TelemetrySettings;
}

export function loadHookTelemetryConfig(env: Env): HookTelemetryConfig {
  const raw = readEnv(env, {
    MESSAGES_TABLE: text(),
    SMS_PRICE_ESTIMATES: text(''),
    VOICE_PRICE_ESTIMATES: text(''),
    CONVERSION_IDPS: text('okta'),
  });
  const problems: string[] = [];
  const prices = (name: string, value: string) => {
    try {
      return parsePriceEstimates(value, name);
    } catch (error) {
      if (error instanceof ConfigError) problems.push(...error.problems);
      return {};
    }
  };
  const smsPriceUsd = prices('SMS_PRICE_ESTIMATES', raw.SMS_PRICE_ESTIMATES ?? '');
  const voicePricePerMinuteUsd = prices('VOICE_PRICE_ESTIMATES', raw.VOICE_PRICE_ESTIMATES ?? '');
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    ...(raw.MESSAGES_TABLE ? { messagesTable: raw.MESSAGES_TABLE } : {}),
    telemetry: {
      conversionIdps: new Set(
        (raw.CONVERSION_IDPS ?? '')
          .split(',')
          .map((idp) => idp.trim())
          .filter(Boolean),
      ),
      smsPriceUsd,
      voicePricePerMinuteUsd,
    },
  };
}

/** "US=0.0058,GB=0.0345,*=0.05" → { US: 0.0058, GB: 0.0345, "*": 0.05 } (USD; "*" is every other country). */
export function parsePriceEstimates(value: string, name: string): Record<string, number> {
  const out: Record<string, number> = {};
  const problems: string[] = [];
  for (const pair of value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)) {
    const match = /^([A-Za-z]{2}|\*)=(\d+(?:\.\d+)?)$/.exec(pair);
    if (!match?.[1] || !match[2]) {
      problems.push(`${name} entry "${pair}" must look like US=0.0058 or *=0.05`);
      continue;
    }
    out[match[1].toUpperCase()] = Number(match[2]);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return out;
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

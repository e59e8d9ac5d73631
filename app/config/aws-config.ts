import type { EndUserMessagingSettings } from '../../adapters/end-user-messaging/end-user-messaging-sender';
import type { BrakesSettings } from '../brakes-settings';
import type { AwsClientBounds } from '../composition/aws-call-bounds';
import { loadHookCallBounds } from './aws-call-bounds-config';
import { loadBrakesConfig } from './brakes-config';
import {
  ConfigError,
  type Env,
  integer,
  optionalNumberText,
  readEnv,
  requiredText,
  text,
} from './env-readers';

/** How End User Messaging is called: the configurable part of EndUserMessagingSender's settings. */
export type MessagingConfig = Pick<
  EndUserMessagingSettings,
  | 'originationIdentities'
  | 'defaultOriginationIdentity'
  | 'configurationSetName'
  | 'protectConfigurationId'
  | 'smsMaxPrice'
  | 'voiceMaxPricePerMinute'
>;

/** Where the Lambda finds its AWS resources; every value comes from template.yaml. */
export interface AwsConfig {
  readonly templateTable: string;
  readonly idempotencyTable: string;
  /** Brake counters; the idempotency table unless COUNTER_TABLE names another. */
  readonly counterTable: string;
  readonly templateCacheTtlSeconds: number;
  readonly deadLetterQueueUrl: string;
  readonly sealingKmsKeyId: string;
  readonly fingerprintKmsKeyId: string;
  readonly messaging: MessagingConfig;
  /** Timeouts and attempts of each SDK client. */
  readonly callBounds: AwsClientBounds;
  readonly brakes: BrakesSettings;
}

/** ORIGINATION_IDENTITIES, DEFAULT_ORIGINATION_IDENTITY and the optional End User Messaging settings. */
export function loadMessagingConfig(env: Env): MessagingConfig {
  const raw = readEnv(env, {
    ORIGINATION_IDENTITIES: text(''),
    DEFAULT_ORIGINATION_IDENTITY: requiredText(
      'phone number, sender id or pool used when no country matches',
    ),
    CONFIGURATION_SET_NAME: text(),
    PROTECT_CONFIGURATION_ID: text(),
    SMS_MAX_PRICE: optionalNumberText(),
    VOICE_MAX_PRICE_PER_MINUTE: optionalNumberText(),
  });
  return {
    originationIdentities: parseOriginationIdentities(raw.ORIGINATION_IDENTITIES ?? ''),
    defaultOriginationIdentity: raw.DEFAULT_ORIGINATION_IDENTITY,
    ...(raw.CONFIGURATION_SET_NAME ? { configurationSetName: raw.CONFIGURATION_SET_NAME } : {}),
    ...(raw.PROTECT_CONFIGURATION_ID ? { protectConfigurationId: raw.PROTECT_CONFIGURATION_ID } : {}),
    ...(raw.SMS_MAX_PRICE ? { smsMaxPrice: raw.SMS_MAX_PRICE } : {}),
    ...(raw.VOICE_MAX_PRICE_PER_MINUTE ? { voiceMaxPricePerMinute: raw.VOICE_MAX_PRICE_PER_MINUTE } : {}),
  };
}

export function loadAwsConfig(env: Env): AwsConfig {
  const problems: string[] = [];
  const attempt = <T>(load: () => T): T | undefined => {
    try {
      return load();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems);
      return undefined;
    }
  };
  // Both halves are read before failing, so one start-up error names every bad variable.
  const raw = attempt(() =>
    readEnv(env, {
      TEMPLATE_TABLE: requiredText('the templates DynamoDB table'),
      IDEMPOTENCY_TABLE: requiredText('the idempotency DynamoDB table'),
      COUNTER_TABLE: text(),
      TEMPLATE_CACHE_TTL_SECONDS: integer(300, 0, 86_400),
      DEAD_LETTER_QUEUE_URL: requiredText('the SQS dead-letter queue URL'),
      SEALING_KMS_KEY_ID: requiredText('the KMS key that seals codes in dead letters'),
      FINGERPRINT_KMS_KEY_ID: requiredText('the HMAC KMS key for idempotency fingerprints'),
    }),
  );
  const messaging = attempt(() => loadMessagingConfig(env));
  const callBounds = attempt(() => loadHookCallBounds(env));
  const brakes = attempt(() => loadBrakesConfig(env));
  if (!raw || !messaging || !callBounds || !brakes) throw new ConfigError(problems);
  return {
    templateTable: raw.TEMPLATE_TABLE,
    idempotencyTable: raw.IDEMPOTENCY_TABLE,
    counterTable: raw.COUNTER_TABLE ?? raw.IDEMPOTENCY_TABLE,
    templateCacheTtlSeconds: raw.TEMPLATE_CACHE_TTL_SECONDS,
    deadLetterQueueUrl: raw.DEAD_LETTER_QUEUE_URL,
    sealingKmsKeyId: raw.SEALING_KMS_KEY_ID,
    fingerprintKmsKeyId: raw.FINGERPRINT_KMS_KEY_ID,
    messaging,
    callBounds,
    brakes,
  };
}

/** "US=+12065550100,GB=MySender" → { US: "+12065550100", GB: "MySender" }. */
export function parseOriginationIdentities(value: string): Record<string, string> {
  const identities: Record<string, string> = {};
  const problems: string[] = [];
  for (const pair of value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)) {
    const match = /^([A-Za-z]{2})=(\S+)$/.exec(pair);
    if (!match?.[1] || !match[2]) {
      problems.push(`ORIGINATION_IDENTITIES entry "${pair}" must look like US=+12065550100`);
      continue;
    }
    identities[match[1].toUpperCase()] = match[2];
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return identities;
}

import * as v from 'valibot';
import { type Env, integer, readEnv, text } from './env-readers';

/** What the Cognito CustomSMSSender trigger needs beyond the hook's settings. */
export interface CognitoConfig {
  /** The user pool's KMS key (KMSKeyID), full ARN: the Encryption SDK keyring accepts only that key. */
  readonly kmsKeyArn: string;
  /** The user pool's TemporaryPasswordValidityDays (Cognito's default: 7). */
  readonly temporaryPasswordValidityDays: number;
  /**
   * The trigger's budget from invocation to a durable end (sent or parked). Nobody waits on it (Cognito
   * invokes it asynchronously), but the function's timeout must leave room: template.yaml sets 10 s.
   */
  readonly deadlineMs: number;
}

const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;

export function loadCognitoConfig(
  env: Env,
  options: { requireKey: boolean } = { requireKey: true },
): CognitoConfig {
  const raw = readEnv(env, {
    COGNITO_KMS_KEY_ARN: v.pipe(
      text(),
      v.check(
        (value) => value === undefined || KMS_KEY_ARN.test(value),
        'must be a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID): the keyring matches the ARN the message names',
      ),
      v.check(
        (value) => value !== undefined || !options.requireKey,
        "is required (the user pool's LambdaConfig.KMSKeyID)",
      ),
    ),
    COGNITO_TEMPORARY_PASSWORD_VALIDITY_DAYS: integer(7, 1, 365),
    TRIGGER_DEADLINE_MS: integer(6000, 1000, 25_000),
  });
  return {
    kmsKeyArn: raw.COGNITO_KMS_KEY_ARN ?? '',
    temporaryPasswordValidityDays: raw.COGNITO_TEMPORARY_PASSWORD_VALIDITY_DAYS,
    deadlineMs: raw.TRIGGER_DEADLINE_MS,
  };
}

import type { AwsClientBounds } from '../composition/aws-call-bounds';
import { ConfigError, type Env, integer, readEnv } from './env-readers';

/**
 * Per-client bounds for the hook, sized for Okta's 3 s (DEADLINE_MS 2,500 by default). DynamoDB, KMS
 * and SQS answer in milliseconds in-region; one that has not answered in a few hundred will not answer
 * in time to matter, and a second attempt on a fresh connection often gets through. Worst case with two
 * attempts: 2 × timeout + 50 ms of backoff, about 0.85 s at the defaults, which leaves the failure path
 * room inside the budget. End User Messaging gets one attempt per call (the sender retries, only what
 * cannot have been accepted), bounded by the send deadline and, as a backstop, by its own timeout.
 */
export function loadHookCallBounds(env: Env): AwsClientBounds {
  const raw = readEnv(env, {
    AWS_CONNECT_TIMEOUT_MS: integer(300, 50, 2_000),
    DYNAMODB_TIMEOUT_MS: integer(400, 50, 2_900),
    KMS_TIMEOUT_MS: integer(400, 50, 2_900),
    SQS_TIMEOUT_MS: integer(400, 50, 2_900),
    SMS_VOICE_TIMEOUT_MS: integer(2_000, 100, 2_900),
  });
  const connectTimeoutMs = raw.AWS_CONNECT_TIMEOUT_MS;
  const problems = (
    ['DYNAMODB_TIMEOUT_MS', 'KMS_TIMEOUT_MS', 'SQS_TIMEOUT_MS', 'SMS_VOICE_TIMEOUT_MS'] as const
  )
    .filter((name) => raw[name] < connectTimeoutMs)
    .map((name) => `${name} must be at least AWS_CONNECT_TIMEOUT_MS (the connect is part of the request)`);
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    dynamodb: { connectTimeoutMs, requestTimeoutMs: raw.DYNAMODB_TIMEOUT_MS, maxAttempts: 2 },
    kms: { connectTimeoutMs, requestTimeoutMs: raw.KMS_TIMEOUT_MS, maxAttempts: 2 },
    sqs: { connectTimeoutMs, requestTimeoutMs: raw.SQS_TIMEOUT_MS, maxAttempts: 2 },
    smsVoice: { connectTimeoutMs, requestTimeoutMs: raw.SMS_VOICE_TIMEOUT_MS, maxAttempts: 1 },
  };
}

import type { SecretSource } from '../../ports/secret-source';
import { type AwsCallBounds, boundedClientConfig } from './aws-call-bounds';

/**
 * Read once per cold start, off the request path: a slow answer is retried once within this bound, and a
 * read that fails is tried again on a later request (CachedSecret), never leaving the instance without it.
 */
export function secretsCallBounds(connectTimeoutMs: number): AwsCallBounds {
  return { connectTimeoutMs, requestTimeoutMs: 1_000, maxAttempts: 2 };
}

/**
 * The Secrets Manager source, its SDK client built like every other (aws-call-bounds.ts). Imported on
 * first use: a deployment without Twilio never evaluates the client's module at cold start.
 */
export async function secretsManagerSource(connectTimeoutMs: number): Promise<SecretSource> {
  const [{ SecretsManagerClient }, { SecretsManagerSecretSource }] = await Promise.all([
    import('@aws-sdk/client-secrets-manager'),
    import('../../adapters/secrets-manager/secrets-manager-secret-source'),
  ]);
  return new SecretsManagerSecretSource(
    new SecretsManagerClient(boundedClientConfig(secretsCallBounds(connectTimeoutMs))),
  );
}

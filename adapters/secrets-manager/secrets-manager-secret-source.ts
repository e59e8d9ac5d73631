import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { CallOptions } from '../../ports/call-options';
import type { SecretSource } from '../../ports/secret-source';

/** A secret that could not be read; says which and why (the error's class), never the value. */
export class SecretUnavailableError extends Error {
  override readonly name = 'SecretUnavailableError';
}

/**
 * Reads a secret's string value from AWS Secrets Manager (GetSecretValue, AWSCURRENT). The client is
 * the caller's, bounded like every other (aws-call-bounds.ts). Errors carry the SDK error's class
 * name only: Secrets Manager's messages name the secret, never its value, but nothing here relies on it.
 */
export class SecretsManagerSecretSource implements SecretSource {
  constructor(private readonly client: SecretsManagerClient) {}

  async read(id: string, options: CallOptions = {}): Promise<string> {
    let value: string | undefined;
    try {
      const out = await this.client.send(new GetSecretValueCommand({ SecretId: id }), {
        abortSignal: options.signal,
      });
      value = out.SecretString;
    } catch (error) {
      throw new SecretUnavailableError(`secret could not be read (${(error as Error)?.name ?? 'Error'})`);
    }
    if (value === undefined) throw new SecretUnavailableError('secret has no string value');
    return value;
  }
}

import type { CallOptions } from './call-options';

/**
 * Reads a secret by its identifier (a Secrets Manager ARN, say). Implementations never log or echo the
 * value, and their errors never contain it.
 */
export interface SecretSource {
  read(id: string, options?: CallOptions): Promise<string>;
}

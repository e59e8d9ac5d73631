import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Keys the local stack uses where AWS would use KMS: one seals dead-letter codes, one keys fingerprints,
 * one stands in for a Cognito user pool's KMS key (a raw AES keyring: `npm run send -- --idp cognito`
 * encrypts with it, the local trigger decrypts with it).
 */
export interface DevSecrets {
  readonly sealingKey: Buffer;
  readonly fingerprintKey: Buffer;
  readonly cognitoKey: Buffer;
}

/**
 * Made once and kept (mode 600) under the data dir so dead letters written yesterday can still be
 * unsealed by `npm run redrive` today; without a data dir (in-memory mode) they live as long as the process.
 */
export async function loadOrCreateDevSecrets(dataDir: string | undefined): Promise<DevSecrets> {
  const file = dataDir ? join(dataDir, 'dev-secrets.json') : undefined;
  let kept: Partial<DevSecrets> = {};
  if (file) {
    try {
      const stored = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
      const key = (name: string) =>
        typeof stored[name] === 'string' ? Buffer.from(stored[name], 'base64') : undefined;
      const secrets = {
        sealingKey: key('sealingKey'),
        fingerprintKey: key('fingerprintKey'),
        cognitoKey: key('cognitoKey'),
      };
      if (secrets.sealingKey?.length === 32 && secrets.fingerprintKey?.length === 32) {
        if (secrets.cognitoKey?.length === 32) return secrets as DevSecrets;
        // A data dir from before the Cognito key: keep the other two (letters sealed with them stay
        // readable) and add it.
        kept = { sealingKey: secrets.sealingKey, fingerprintKey: secrets.fingerprintKey };
      }
    } catch {
      // Missing or damaged: make new ones below.
    }
  }
  const secrets: DevSecrets = {
    sealingKey: kept.sealingKey ?? randomBytes(32),
    fingerprintKey: kept.fingerprintKey ?? randomBytes(32),
    cognitoKey: randomBytes(32),
  };
  if (file && dataDir) {
    await mkdir(dataDir, { recursive: true });
    await writeFile(
      file,
      JSON.stringify({
        sealingKey: secrets.sealingKey.toString('base64'),
        fingerprintKey: secrets.fingerprintKey.toString('base64'),
        cognitoKey: secrets.cognitoKey.toString('base64'),
      }),
      { mode: 0o600 },
    );
  }
  return secrets;
}

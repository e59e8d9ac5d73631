import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Keys the local stack uses where AWS would use KMS: one seals dead-letter codes, one keys fingerprints. */
export interface DevSecrets {
  readonly sealingKey: Buffer;
  readonly fingerprintKey: Buffer;
}

/**
 * Made once and kept (mode 600) under the data dir so dead letters written yesterday can still be
 * unsealed by `npm run redrive` today; without a data dir (in-memory mode) they live as long as the process.
 */
export async function loadOrCreateDevSecrets(dataDir: string | undefined): Promise<DevSecrets> {
  const file = dataDir ? join(dataDir, 'dev-secrets.json') : undefined;
  if (file) {
    try {
      const stored = JSON.parse(await readFile(file, 'utf8')) as {
        sealingKey: string;
        fingerprintKey: string;
      };
      const secrets = {
        sealingKey: Buffer.from(stored.sealingKey, 'base64'),
        fingerprintKey: Buffer.from(stored.fingerprintKey, 'base64'),
      };
      if (secrets.sealingKey.length === 32 && secrets.fingerprintKey.length === 32) return secrets;
    } catch {
      // Missing or damaged: make new ones below.
    }
  }
  const secrets = { sealingKey: randomBytes(32), fingerprintKey: randomBytes(32) };
  if (file && dataDir) {
    await mkdir(dataDir, { recursive: true });
    await writeFile(
      file,
      JSON.stringify({
        sealingKey: secrets.sealingKey.toString('base64'),
        fingerprintKey: secrets.fingerprintKey.toString('base64'),
      }),
      { mode: 0o600 },
    );
  }
  return secrets;
}

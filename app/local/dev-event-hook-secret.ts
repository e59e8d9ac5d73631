import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const DEV_EVENT_HOOK_SECRET_FILE = 'dev-event-hook-secret';

/**
 * The header secret the local event hook expects, as Okta would be configured with it: made once and kept
 * (mode 600) under the data dir, so `npm run send` can play Okta's event hook too. OKTA_EVENT_HOOK_SECRET
 * overrides it.
 */
export async function loadOrCreateDevEventHookSecret(
  dataDir: string | undefined,
  configured?: string,
): Promise<string> {
  if (configured) return configured;
  const file = dataDir ? join(dataDir, DEV_EVENT_HOOK_SECRET_FILE) : undefined;
  if (file) {
    try {
      const stored = (await readFile(file, 'utf8')).trim();
      if (stored.length >= 24) return stored;
    } catch {
      // Missing: made below.
    }
  }
  const secret = randomBytes(24).toString('base64url');
  if (file && dataDir) {
    await mkdir(dataDir, { recursive: true });
    await writeFile(file, secret, { mode: 0o600 });
  }
  return secret;
}

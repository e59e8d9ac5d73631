import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OutboxRecord } from '../../adapters/local/outbox-message-sender';
import { type LocalStack, type LocalStackOptions, startLocalStack } from '../../app/local/local-stack';

/** Starts the real local stack (dynalite in memory, free port, temp data dir) for end-to-end tests. */
export async function startTestStack(
  env: Record<string, string> = {},
  options: Pick<LocalStackOptions, 'dynamoEndpoint' | 'logger'> = {},
) {
  const dataDir = await mkdtemp(join(tmpdir(), 'otp-courier-e2e-'));
  const announcements: string[] = [];
  const stack: LocalStack = await startLocalStack({
    // BRAKES_LIMITS=none: these tests send many codes to one phone, from one dev user and IP, within
    // seconds, which the velocity limits rightly refuse. The brakes over HTTP have their own suite
    // (test/e2e/pumping-simulation.test.ts); number-type and country rules still apply here.
    env: { DATA_DIR: dataDir, LOG_LEVEL: 'INFO', BRAND_NAME: 'Acme', BRAKES_LIMITS: 'none', ...env },
    inMemory: true,
    port: 0,
    announce: (line) => announcements.push(line),
    ...options,
  });
  return {
    stack,
    announcements,
    async outbox(): Promise<OutboxRecord[]> {
      try {
        const text = await readFile(stack.config.outboxFile, 'utf8');
        return text
          .trim()
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as OutboxRecord);
      } catch {
        return [];
      }
    },
    async post(
      body: unknown,
      headers: Record<string, string> = {},
    ): Promise<{ status: number; json: unknown }> {
      const token =
        headers.authorization === undefined && stack.devIssuer
          ? `Bearer ${await stack.devIssuer.mint()}`
          : undefined;
      const response = await fetch(stack.hookUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: token } : {}),
          ...headers,
        },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await response.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = text;
      }
      return { status: response.status, json };
    },
  };
}

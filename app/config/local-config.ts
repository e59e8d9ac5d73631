import { join, resolve } from 'node:path';
import type { Env } from './env-readers';
import { integer, readEnv, text } from './env-readers';

export interface LocalConfig {
  readonly port: number;
  readonly host: string;
  /** Where the local stack keeps its state: dev keys, DynamoDB data, outbox, dead letters. */
  readonly dataDir: string;
  readonly outboxFile: string;
  readonly deadLetterFile: string;
  readonly templateTable: string;
  readonly idempotencyTable: string;
  readonly templateCacheTtlSeconds: number;
  readonly messagesTable: string;
  /** EMF lines, one per measurement: what CloudWatch would get (`npm run metrics` summarises it). */
  readonly metricsFile: string;
  /** Share of messages the simulated carrier fails. */
  readonly carrierFailureRate: number;
  /** Messages unconfirmed this long after their code expired are settled as never used. */
  readonly settleGraceMs: number;
}

export function loadLocalConfig(env: Env, cwd: string = process.cwd()): LocalConfig {
  const raw = readEnv(env, {
    PORT: integer(8787, 0, 65535),
    HOST: text('127.0.0.1'),
    DATA_DIR: text('.otp-courier'),
    OUTBOX_FILE: text(),
    DEAD_LETTER_FILE: text(),
    TEMPLATE_TABLE: text('otp-courier-templates'),
    IDEMPOTENCY_TABLE: text('otp-courier-idempotency'),
    TEMPLATE_CACHE_TTL_SECONDS: integer(300, 0, 86_400),
    MESSAGES_TABLE: text('otp-courier-messages'),
    METRICS_FILE: text(),
    CARRIER_FAILURE_PERCENT: integer(8, 0, 100),
    SETTLE_GRACE_SECONDS: integer(30, 0, 86_400),
  });
  const dataDir = resolve(cwd, raw.DATA_DIR ?? '.otp-courier');
  return {
    port: raw.PORT,
    host: raw.HOST ?? '127.0.0.1',
    dataDir,
    outboxFile: resolve(cwd, raw.OUTBOX_FILE ?? join(dataDir, 'outbox.jsonl')),
    deadLetterFile: resolve(cwd, raw.DEAD_LETTER_FILE ?? join(dataDir, 'dead-letters.jsonl')),
    templateTable: raw.TEMPLATE_TABLE ?? 'otp-courier-templates',
    idempotencyTable: raw.IDEMPOTENCY_TABLE ?? 'otp-courier-idempotency',
    templateCacheTtlSeconds: raw.TEMPLATE_CACHE_TTL_SECONDS,
    messagesTable: raw.MESSAGES_TABLE ?? 'otp-courier-messages',
    metricsFile: resolve(cwd, raw.METRICS_FILE ?? join(dataDir, 'metrics.jsonl')),
    carrierFailureRate: raw.CARRIER_FAILURE_PERCENT / 100,
    settleGraceMs: raw.SETTLE_GRACE_SECONDS * 1000,
  };
}

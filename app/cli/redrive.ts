import { parseArgs } from 'node:util';
import { redriveAdapters, usesAwsDeadLetters } from '../composition/redrive-adapters';
import { buildRedriveContainer } from '../composition/redrive-container';
import { ConfigError } from '../config/env-readers';
import { RedriveDeadLetters } from '../redrive-dead-letters';

const USAGE = `usage: npm run redrive [-- --dry-run] [--max N] [--timeout-ms N] [--include-uncertain]

Reads dead letters, drops those whose passcode has expired, unseals the rest and sends them again;
a letter is deleted once its message is sent, and kept when sending fails.
Only letters whose first send never reached the provider ("not-sent") are resent. Letters whose send
may have arrived ("uncertain": a timeout or a reset after the request left) are held, since the user
may already have the code; --include-uncertain resends them too. A malformed letter is reported by
reference and left in the queue; the run goes on.
Local stack by default (DEAD_LETTER_FILE, dev key in DATA_DIR, outbox). With DEAD_LETTER_QUEUE_URL and
SEALING_KMS_KEY_ID set: the SQS queue, KMS and End User Messaging in AWS_REGION
(DEFAULT_ORIGINATION_IDENTITY required; TEMPLATE_TABLE optional).

At-least-once: if this process dies between a send and its delete, the next run sends that code again.`;

const DEFAULT_MAX = 100;
const DEFAULT_TIMEOUT_MS = 10_000;

/** `npm run redrive`: prints counts only; codes never leave the sealer except towards the sender. */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'dry-run': { type: 'boolean', default: false },
      max: { type: 'string' },
      'timeout-ms': { type: 'string' },
      'include-uncertain': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return void process.stdout.write(`${USAGE}\n`);
  const max = positiveInteger(values.max, DEFAULT_MAX, '--max');
  const sendTimeoutMs = positiveInteger(values['timeout-ms'], DEFAULT_TIMEOUT_MS, '--timeout-ms');
  const dryRun = values['dry-run'] ?? false;
  const includeUncertain = values['include-uncertain'] ?? false;

  const adapters = await redriveAdapters({
    env: process.env,
    // SQS hides received letters for the whole run, so a second reader cannot send them meanwhile.
    visibilityTimeoutSeconds: Math.min(43_200, Math.ceil((max * sendTimeoutMs) / 1000) + 60),
  });
  try {
    const report = await buildRedriveContainer(adapters)
      .get(RedriveDeadLetters)
      .run({ max, dryRun, sendTimeoutMs, includeUncertain });
    const source = usesAwsDeadLetters(process.env) ? 'SQS' : 'local dead-letter file';
    const held = `${report.held} uncertain held${includeUncertain ? '' : ' (see --include-uncertain)'}`;
    const malformed = `${report.malformed} malformed skipped`;
    process.stdout.write(
      dryRun
        ? `dry run (${source}): would resend ${report.resent}, would drop ${report.expired} expired, ${report.failed} would fail, ${held}, ${malformed}; nothing changed\n`
        : `redrive (${source}): resent ${report.resent}, dropped ${report.expired} expired, failed ${report.failed}, ${held}, ${malformed}, ${report.kept} kept in the queue\n`,
    );
    if (report.failed > 0 || report.malformed > 0) process.exitCode = 2;
  } finally {
    await adapters.close?.();
  }
}

function positiveInteger(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`${name} must be a positive whole number`);
  return n;
}

class UsageError extends Error {}

main().catch((error: unknown) => {
  if (error instanceof UsageError) process.stderr.write(`${error.message}\n\n${USAGE}\n`);
  else if (error instanceof ConfigError) process.stderr.write(`${error.message}\n`);
  // Codes are only ever in clear inside the per-letter loop, whose errors are caught there; what reaches
  // here is queue or setup trouble (file, credentials), whose message the operator needs.
  else
    process.stderr.write(
      `redrive failed: ${error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 300) : String(error)}\n`,
    );
  process.exitCode = 1;
});

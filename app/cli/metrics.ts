import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { loadLocalConfig } from '../config/local-config';
import { type EmfDocument, formatMetricsSummary, parseEmfLine, summariseMetrics } from '../metrics-summary';

const USAGE = `usage: npm run metrics -- [--file .otp-courier/metrics.jsonl] [--since 15m] [--json]

Summarises the metrics the local stack wrote (EMF, exactly what CloudWatch gets from the Lambdas):
requests by outcome, reply-time percentiles, delivery and conversion rates, cost by country.
A file of EMF lines exported from CloudWatch Logs works too.`;

function sinceMs(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const match = /^(\d+)([smhd])$/.exec(value);
  if (!match) throw new Error('--since must look like 30s, 15m, 2h or 1d');
  const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 's' | 'm' | 'h' | 'd'];
  return Date.now() - Number(match[1]) * unit;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      file: { type: 'string' },
      since: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return void process.stdout.write(`${USAGE}\n`);
  const file = values.file ?? loadLocalConfig(process.env).metricsFile;
  const since = sinceMs(values.since);
  const documents: EmfDocument[] = [];
  let unreadable = 0;
  const lines = createInterface({
    input: createReadStream(file, 'utf8'),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  for await (const line of lines) {
    if (!line.trim()) continue;
    const doc = parseEmfLine(line);
    if (!doc) unreadable += 1;
    else if (since === undefined || doc.timestamp >= since) documents.push(doc);
  }
  const summary = summariseMetrics(documents);
  process.stdout.write(
    values.json
      ? `${JSON.stringify(summary, null, 2)}\n`
      : `${file}${unreadable ? ` (${unreadable} unreadable lines skipped)` : ''}\n${formatMetricsSummary(summary)}\n`,
  );
}

main().catch((error: unknown) => {
  const code = (error as NodeJS.ErrnoException)?.code;
  process.stderr.write(
    code === 'ENOENT'
      ? 'no metrics file yet: start the local stack (npm start) and send a message (npm run send)\n'
      : `${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exitCode = 1;
});

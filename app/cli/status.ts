import { parseArgs } from 'node:util';
import { maskPhone } from '../../domain/mask';
import type { MessageRecord } from '../../ports/message-record';
import { formatTimeline, messageTimeline } from '../message-timeline';
import { openMessageSources } from './message-sources';

const USAGE = `usage: npm run status -- <eventId | masked phone | phone> [--idp okta] [--limit 5] [--json]

Shows a message's life: received, claimed, rendered, sent by which provider, what the delivery
receipts said, and whether the user verified the code.
  npm run status -- 9f1c2e3d4b5a69788796a5                 an IdP event id
  npm run status -- '+1********23'                          the latest messages to numbers with that mask
  npm run status -- +14155550123                            the same: the number is masked first

Reads the local stack (npm start, or its data dir); with AWS_REGION and MESSAGES_TABLE set, the
deployed tables (IDEMPOTENCY_TABLE and FINGERPRINT_KMS_KEY_ID add each event's claim).`;

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      idp: { type: 'string', default: 'okta' },
      limit: { type: 'string', default: '5' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  const query = positionals[0]?.trim();
  if (values.help || !query) {
    process.stdout.write(`${USAGE}\n`);
    if (!query && !values.help) process.exitCode = 2;
    return;
  }
  const limit = Math.max(1, Math.min(50, Number(values.limit) || 5));
  const sources = await openMessageSources(process.env);
  try {
    const byPhone = query.startsWith('+');
    const masked = byPhone ? (query.includes('*') ? query : maskPhone(query)) : undefined;
    const records: readonly MessageRecord[] = masked
      ? await sources.history.findByMaskedPhone(masked, limit)
      : await sources.history.findByEventId(query);
    const now = Date.now();
    const lives = await Promise.all(
      (records.length > 0 ? records : masked ? [] : [undefined]).map(async (record) => {
        const eventId = record?.eventId ?? query;
        const claim = await sources.claimOf(record?.idp ?? values.idp ?? 'okta', eventId);
        return { eventId, record, claim, steps: messageTimeline({ claim, record, now }) };
      }),
    );
    const found = lives.filter((life) => life.steps.length > 0);
    if (values.json) {
      process.stdout.write(`${JSON.stringify(found, null, 2)}\n`);
    } else if (found.length === 0) {
      process.stdout.write(`nothing found for ${masked ?? query} in ${sources.description}\n`);
    } else {
      for (const life of found) {
        const r = life.record;
        const title = `event ${life.eventId}${r ? ` (${r.idp ?? '?'} ${r.purpose ?? ''}, ${r.channel ?? '?'} to ${r.maskedTo ?? '?'})` : ''}`;
        process.stdout.write(`${formatTimeline(title, life.steps)}\n\n`);
      }
    }
    if (found.length === 0) process.exitCode = 1;
  } finally {
    await sources.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`);
  process.exitCode = 1;
});

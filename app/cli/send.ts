import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CHANNELS, type Channel, PURPOSES, type Purpose } from '../../domain/delivery-request';
import { loadLocalConfig } from '../config/local-config';
import { DEV_EVENT_HOOK_SECRET_FILE } from '../local/dev-event-hook-secret';
import { createDevIssuer, DEV_ISSUER_PATH, loadOrCreateDevKey } from '../local/dev-issuer';
import { HOOK_PATH } from '../local/local-server';
import { EVENT_HOOK_PATH } from '../local/local-stack';
import { oktaEventHookPayload } from '../local/okta-event-hook-payload';
import { oktaSamplePayload } from '../local/okta-sample-payload';
import { formatTimeline, messageTimeline } from '../message-timeline';
import { openMessageSources } from './message-sources';

const USAGE = `usage: npm run send -- [--channel sms|voice] [--locale fr-CA] [--phone +14155550123]
                      [--purpose verification|enrollment|account-unlock|password-reset]
                      [--code 123456] [--first-name Alex] [--url http://127.0.0.1:8787] [--token JWT] [--print-curl]
                      [--no-verify]

Posts a realistic Okta telephony hook request to the local stack (npm start), signed with the
dev issuer's key, and prints the reply. The message itself lands in the outbox file. Then, unless
--no-verify, it plays the user and Okta once more: when the simulated carrier reports the message
delivered, it posts Okta's event hook for a successful verification, and prints the message's life.`;

/** `npm run send`: plays Okta against the local stack. */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      channel: { type: 'string', default: 'sms' },
      locale: { type: 'string', default: 'en-US' },
      phone: { type: 'string', default: '+14155550123' },
      purpose: { type: 'string', default: 'verification' },
      code: { type: 'string' },
      'first-name': { type: 'string' },
      url: { type: 'string' },
      token: { type: 'string' },
      'print-curl': { type: 'boolean', default: false },
      'no-verify': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return void process.stdout.write(`${USAGE}\n`);
  const channel = values.channel as Channel;
  const purpose = values.purpose as Purpose;
  if (!CHANNELS.includes(channel)) throw new UsageError(`--channel must be one of ${CHANNELS.join(', ')}`);
  if (!PURPOSES.includes(purpose)) throw new UsageError(`--purpose must be one of ${PURPOSES.join(', ')}`);

  const config = loadLocalConfig(process.env);
  const base = (values.url ?? `http://127.0.0.1:${config.port}`).replace(/\/+$/, '');
  const token = values.token ?? (await devToken(base, config.dataDir));
  const payload = oktaSamplePayload({
    channel,
    purpose,
    locale: values.locale ?? 'en-US',
    phone: values.phone ?? '+14155550123',
    ...(values.code ? { code: values.code } : {}),
    ...(values['first-name'] ? { firstName: values['first-name'] } : {}),
  });
  const url = `${base}${HOOK_PATH}`;
  const body = JSON.stringify(payload);

  if (values['print-curl']) {
    const quoted = body.replaceAll("'", "'\\''");
    process.stdout.write(
      `curl -sS -X POST '${url}' -H 'content-type: application/json' -H 'authorization: Bearer ${token}' -d '${quoted}'\n`,
    );
    return;
  }

  const started = performance.now();
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body,
  });
  const elapsed = Math.round(performance.now() - started);
  const text = await response.text();
  process.stdout.write(`HTTP ${response.status} in ${elapsed} ms\n${prettyJson(text)}\n`);
  if (response.ok) process.stdout.write(`\nThe message is in ${config.outboxFile}\n`);
  if (!response.ok) process.exitCode = 1;
  const sent = response.ok && /"status":\s*"SUCCESSFUL"/.test(text);
  if (sent && !values['no-verify']) {
    await verifyLikeAUser({
      base,
      dataDir: config.dataDir,
      eventId: payload.eventId,
      userId: payload.data.userProfile.userId,
      channel,
      enrollment: purpose === 'enrollment',
    });
  }
}

/**
 * The user reads the code and types it; Okta then reports the verification through its event hook.
 * Only for a message the (simulated) carrier delivered: a failed one never reached the phone.
 */
async function verifyLikeAUser(input: {
  base: string;
  dataDir: string;
  eventId: string;
  userId: string;
  channel: Channel;
  enrollment: boolean;
}): Promise<void> {
  const sources = await openMessageSources(process.env);
  try {
    const settled = async () => {
      for (let waited = 0; waited < 10_000; waited += 250) {
        const [record] = await sources.history.findByEventId(input.eventId);
        if (record?.settled) return record;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      return undefined;
    };
    const record = await settled();
    if (!record) {
      process.stdout.write('\nNo delivery receipt yet: not verifying (see npm run status later).\n');
    } else if (record.status === 'delivered' || record.status === 'accepted') {
      const secret =
        process.env.OKTA_EVENT_HOOK_SECRET ??
        (await readFile(join(input.dataDir, DEV_EVENT_HOOK_SECRET_FILE), 'utf8')).trim();
      const hook = await fetch(`${input.base}${EVENT_HOOK_PATH}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: secret },
        body: JSON.stringify(
          oktaEventHookPayload({
            userId: input.userId,
            channel: input.channel,
            kind: input.enrollment ? 'enrollment' : 'verification',
          }),
        ),
      });
      process.stdout.write(`\nThe user entered the code; Okta's event hook answered HTTP ${hook.status}.\n`);
    } else {
      process.stdout.write(
        `\nThe carrier reported ${record.providerStatus ?? record.status}: the user got no code to enter.\n`,
      );
    }
    const [after] = await sources.history.findByEventId(input.eventId);
    const claim = await sources.claimOf('okta', input.eventId);
    process.stdout.write(
      `\n${formatTimeline(`event ${input.eventId}`, messageTimeline({ claim, record: after, now: Date.now() }))}\n`,
    );
  } finally {
    await sources.close();
  }
}

async function devToken(base: string, dataDir: string): Promise<string> {
  if (process.env.AUTH_MODE || process.env.OKTA_ISSUER) {
    throw new UsageError(
      'AUTH_MODE or OKTA_ISSUER is set, so the local stack does not trust its dev issuer: pass --token <access token or header secret>',
    );
  }
  const key = await loadOrCreateDevKey(dataDir);
  const issuer = await createDevIssuer(`${base}${DEV_ISSUER_PATH}`, key);
  return issuer.mint();
}

function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

class UsageError extends Error {}

main().catch((error: unknown) => {
  if (error instanceof UsageError) process.stderr.write(`${error.message}\n\n${USAGE}\n`);
  else if (error instanceof TypeError && /fetch failed/.test(error.message)) {
    process.stderr.write('could not reach the local stack: is `npm start` running (and on the same PORT)?\n');
  } else process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});

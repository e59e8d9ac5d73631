import { parseArgs } from 'node:util';
import { CHANNELS, type Channel } from '../../domain/delivery-request';
import { loadLocalConfig } from '../config/local-config';
import { AUTH0_MESSAGE_TYPES, sendAsAuth0 } from '../local/auth0-send';
import {
  COGNITO_TRIGGERS,
  cognitoSampleEvent,
  encryptAsCognito,
  sampleTemporaryPassword,
  triggerSourceOf,
} from '../local/cognito-sample-event';
import { createDevIssuer, DEV_ISSUER_PATH, loadOrCreateDevKey } from '../local/dev-issuer';
import { loadOrCreateDevSecrets } from '../local/dev-secrets';
import { COGNITO_INVOKE_PATH } from '../local/lambda-invoke-route';
import { HOOK_PATH } from '../local/local-server';
import { OKTA_PURPOSES, type OktaPurpose, oktaSamplePayload } from '../local/okta-sample-payload';

const USAGE = `usage: npm run send -- [--idp okta|cognito|auth0] [--channel sms|voice] [--locale fr-CA] [--phone +14155550123]
                      [--purpose ${OKTA_PURPOSES.join('|')}]          (okta)
                      [--trigger ${COGNITO_TRIGGERS.join('|')}]   (cognito)
                      [--message-type ${AUTH0_MESSAGE_TYPES.join('|')}] [--budget-ms 10000]   (auth0)
                      [--code 123456] [--first-name Alex] [--url http://127.0.0.1:8787] [--token JWT] [--print-curl]

okta (default): posts a realistic Okta telephony hook request to the local stack (npm start), signed
with the dev issuer's key, and prints the reply.
cognito: encrypts the code with the AWS Encryption SDK under the local stack's raw AES key (standing in
for the user pool's KMS key), builds Cognito's CustomSMSSender event and invokes the same trigger handler
the Lambda runs, through the local stack's Lambda Invoke route; prints what the handler returned.
auth0: runs the shipped Action (adapters/auth0/action/otp-courier-phone-provider.cjs) as Auth0 runs it,
with an Auth0-shaped event and api object: a client-credentials token from the local stack's Auth0
tenant stand-in (kept in api.cache, persisted in the data dir, so the next run reuses it), then the
notification to /auth0/phone-message behind the Auth0 authorizer; prints what the Action did.
The message itself lands in the outbox file either way.`;

/** `npm run send`: plays Okta against the local stack. */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      idp: { type: 'string', default: 'okta' },
      trigger: { type: 'string', default: 'ForgotPassword' },
      channel: { type: 'string', default: 'sms' },
      locale: { type: 'string', default: 'en-US' },
      phone: { type: 'string', default: '+14155550123' },
      purpose: { type: 'string', default: 'verification' },
      'message-type': { type: 'string', default: 'otp_verify' },
      'budget-ms': { type: 'string' },
      code: { type: 'string' },
      'first-name': { type: 'string' },
      url: { type: 'string' },
      token: { type: 'string' },
      'print-curl': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return void process.stdout.write(`${USAGE}\n`);
  const channel = values.channel as Channel;
  const purpose = values.purpose as OktaPurpose;
  if (!CHANNELS.includes(channel)) throw new UsageError(`--channel must be one of ${CHANNELS.join(', ')}`);
  if (!OKTA_PURPOSES.includes(purpose))
    throw new UsageError(`--purpose must be one of ${OKTA_PURPOSES.join(', ')}`);

  const config = loadLocalConfig(process.env);
  const base = (values.url ?? `http://127.0.0.1:${config.port}`).replace(/\/+$/, '');
  if (values.idp === 'cognito') return sendAsCognito(base, config, values, channel);
  if (values.idp === 'auth0') return playAuth0(base, config, values, channel);
  if (values.idp !== 'okta') throw new UsageError('--idp must be okta, cognito or auth0');
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
}

/** Plays Cognito: the trigger event, its code encrypted as Cognito encrypts it, invoked as Lambda would. */
async function sendAsCognito(
  base: string,
  config: ReturnType<typeof loadLocalConfig>,
  values: { trigger?: string; code?: string; locale?: string; phone?: string; 'first-name'?: string },
  channel: Channel,
): Promise<void> {
  const trigger = triggerSourceOf(values.trigger ?? 'ForgotPassword');
  if (!trigger) throw new UsageError(`--trigger must be one of ${COGNITO_TRIGGERS.join(', ')}`);
  const secret =
    values.code ??
    (trigger === 'CustomSMSSender_AdminCreateUser'
      ? sampleTemporaryPassword()
      : String(Math.floor(Math.random() * 1_000_000)).padStart(6, '0'));
  const { cognitoKey } = await loadOrCreateDevSecrets(config.dataDir);
  const event = cognitoSampleEvent({
    trigger,
    ciphertext: await encryptAsCognito(secret, cognitoKey),
    phone: values.phone ?? '+14155550123',
    ...(values.locale ? { locale: values.locale } : {}),
    ...(channel === 'voice' ? { clientMetadata: { deliveryChannel: 'voice' } } : {}),
    ...(values['first-name'] ? { givenName: values['first-name'] } : {}),
  });
  const started = performance.now();
  const response = await fetch(`${base}${COGNITO_INVOKE_PATH}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(event),
  });
  const elapsed = Math.round(performance.now() - started);
  const text = await response.text();
  const failed = response.headers.get('x-amz-function-error') !== null;
  process.stdout.write(
    `${trigger}: HTTP ${response.status}${failed ? ' (function error)' : ''} in ${elapsed} ms\n${prettyJson(text)}\n`,
  );
  const status = (() => {
    try {
      return (JSON.parse(text) as { status?: string } | null)?.status;
    } catch {
      return undefined;
    }
  })();
  if (status === 'SUCCESSFUL' || status === 'PENDING') {
    process.stdout.write(`\nThe message is in ${config.outboxFile}\n`);
  } else {
    if (status === 'REJECTED') {
      process.stdout.write(
        '\nRejected: is `npm start` using the same DATA_DIR (its dev key decrypts the code)? See its log.\n',
      );
    }
    process.exitCode = 1;
  }
}

/** Plays Auth0: the shipped Action, run against the local stack (app/local/auth0-send.ts). */
async function playAuth0(
  base: string,
  config: ReturnType<typeof loadLocalConfig>,
  values: {
    'message-type'?: string;
    'budget-ms'?: string;
    code?: string;
    locale?: string;
    phone?: string;
    'first-name'?: string;
  },
  channel: Channel,
): Promise<void> {
  const budget = values['budget-ms'] === undefined ? undefined : Number(values['budget-ms']);
  if (budget !== undefined && !Number.isInteger(budget))
    throw new UsageError('--budget-ms must be an integer');
  const result = await sendAsAuth0({
    base,
    dataDir: config.dataDir,
    channel,
    messageType: values['message-type'] ?? 'otp_verify',
    locale: values.locale ?? 'en-US',
    phone: values.phone ?? '+14155550123',
    ...(values.code ? { code: values.code } : {}),
    ...(values['first-name'] ? { firstName: values['first-name'] } : {}),
    ...(budget !== undefined ? { budgetMs: budget } : {}),
  });
  const token = { cached: 'token from api.cache', fetched: 'new token from /oauth/token', none: 'no token' }[
    result.token
  ];
  if (result.ok) {
    process.stdout.write(
      `Action completed in ${result.ms} ms (${token})\n\nThe message is in ${config.outboxFile}\n`,
    );
    return;
  }
  process.stdout.write(
    `Action threw in ${result.ms} ms (${token}): ${result.error}\n${
      result.told
        ? `api.notification.${result.told.intent}() told Auth0 ${result.told.intent === 'retry' ? 'it may call again' : 'not to call again'}\n`
        : ''
    }`,
  );
  process.exitCode = 1;
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

import { type AddressInfo, createServer } from 'node:net';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ensureIdempotencyTable } from '../../adapters/dynamodb/idempotency-table';
import { ensureTemplateTable } from '../../adapters/dynamodb/template-table';
import { proxyEvent } from '../../app/local/api-gateway-events';
import { oktaSamplePayload } from '../../app/local/okta-sample-payload';
import { TwilioStandIn } from '../../app/local/twilio-stand-in';
import { startTestDynamo, type TestDynamo } from '../support/dynalite';
import { FakeAwsEndpoint } from '../support/fake-aws-endpoint';
import { localHookEnvironment } from '../support/local-lambda-environment';
import { capturedOutput, guardSecret } from '../support/secret-leak-guard';

/**
 * The hook's Lambda entry point as deployed with Twilio configured (template.yaml's Twilio parameters):
 * module-scope composition, Twilio's credentials read from Secrets Manager (the fake endpoint) once per
 * cold start, End User Messaging unreachable, Twilio (the stand-in) behind it.
 */
const ACCOUNT_SID = `AC${'4a'.repeat(16)}`;
const AUTH_TOKEN = guardSecret('lambda-twilio-token-6b5a4c3d');
const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:otp-courier/twilio-AbCdEf';

let dynamo: TestDynamo;
let fake: FakeAwsEndpoint;
let standIn: TwilioStandIn;
let hook: (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;
const saved = { ...process.env };

async function closedPort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

beforeAll(async () => {
  dynamo = await startTestDynamo();
  fake = await FakeAwsEndpoint.start();
  standIn = await TwilioStandIn.start({
    credentials: { accountSid: ACCOUNT_SID, username: ACCOUNT_SID, password: AUTH_TOKEN },
  });
  fake.secrets.set(SECRET_ARN, JSON.stringify({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN }));
  await ensureTemplateTable(dynamo.client, 'templates');
  await ensureIdempotencyTable(dynamo.client, 'idempotency');
  Object.assign(process.env, {
    ...localHookEnvironment({ fakeAws: fake.url, dynamo: dynamo.endpoint }),
    // End User Messaging refuses every connection; Secrets Manager (and SQS, KMS) answer from the fake.
    AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2: await closedPort(),
    TWILIO_CREDENTIALS_SECRET_ARN: SECRET_ARN,
    TWILIO_SMS_FROM: '*=+15005550006',
    TWILIO_VOICE_FROM: '*=+15005550006',
    TWILIO_API_URL: standIn.url,
    LOG_LEVEL: 'WARN',
  });
  vi.resetModules();
  hook = (await import('../../app/lambda/telephony-hook')).handler;
});

afterAll(async () => {
  process.env = saved;
  await standIn?.close();
  await fake?.close();
  await dynamo?.close();
});

function event(body: unknown): APIGatewayProxyEvent {
  return proxyEvent({
    path: '/okta/telephony-hook',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    sourceIp: '198.51.100.7',
    receivedAt: Date.now(),
    authorizer: {
      principalId: '0oa-otp-courier-dev',
      policyDocument: { Version: '2012-10-17', Statement: [] },
    },
  });
}

describe('the hook Lambda with Twilio configured', () => {
  it('fails over to Twilio when End User Messaging is unreachable; the secret is read once for all', async () => {
    // Three phones: the brakes allow two codes per phone in 30 s.
    for (const [i, channel] of (['sms', 'voice', 'sms'] as const).entries()) {
      const payload = oktaSamplePayload({
        channel,
        code: guardSecret(String(52_000_000 + standIn.requests.length)),
        phone: `+1415555012${i}`,
      });
      const reply = await hook(event(payload));
      const value = (
        JSON.parse(reply.body) as {
          commands: { value: { status: string; provider: string; transactionMetadata: string }[] }[];
        }
      ).commands[0]?.value[0];
      expect(value).toMatchObject({ status: 'SUCCESSFUL', provider: 'twilio' });
      expect(value?.transactionMetadata).toMatch(
        /tried=aws-end-user-messaging\.not-sent\.network,twilio\.sent/,
      );
    }
    expect(standIn.created.map((r) => r.operation)).toEqual(['Messages', 'Calls', 'Messages']);
    expect(standIn.requests.every((r) => r.authorized)).toBe(true);
    expect(fake.requestsFor('GetSecretValue')).toHaveLength(1);
    expect(capturedOutput()).not.toContain(AUTH_TOKEN);
  });
});

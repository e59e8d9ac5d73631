import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import type {
  APIGatewayAuthorizerResult,
  APIGatewayProxyEvent,
  APIGatewayProxyResult,
  APIGatewayTokenAuthorizerEvent,
} from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ensureIdempotencyTable } from '../../adapters/dynamodb/idempotency-table';
import { ensureTemplateTable } from '../../adapters/dynamodb/template-table';
import { LOCAL_METHOD_ARN, proxyEvent, tokenAuthorizerEvent } from '../../app/local/api-gateway-events';
import { createDevIssuer, type DevIssuer, loadOrCreateDevKey } from '../../app/local/dev-issuer';
import { oktaSamplePayload } from '../../app/local/okta-sample-payload';
import { startTestDynamo, type TestDynamo } from '../support/dynalite';
import { FakeAwsEndpoint } from '../support/fake-aws-endpoint';
import { localHookEnvironment } from '../support/local-lambda-environment';
import { guardSecret } from '../support/secret-leak-guard';

/**
 * The two Lambda entry points exactly as deployed: module-scope composition from environment
 * variables, production adapters with the real SDK clients. AWS_ENDPOINT_URL* (honoured by SDK v3)
 * point DynamoDB at dynalite and SMS-Voice v2, SQS and KMS at the local fake.
 */
let dynamo: TestDynamo;
let fake: FakeAwsEndpoint;
let jwksServer: Server;
let issuer: DevIssuer;
let hook: (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;
let authorizer: (event: APIGatewayTokenAuthorizerEvent) => Promise<APIGatewayAuthorizerResult>;
const saved = { ...process.env };

beforeAll(async () => {
  dynamo = await startTestDynamo();
  fake = await FakeAwsEndpoint.start();
  await ensureTemplateTable(dynamo.client, 'templates');
  await ensureIdempotencyTable(dynamo.client, 'idempotency');
  const key = await loadOrCreateDevKey(undefined);
  jwksServer = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: [key.publicJwk] }));
  });
  await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
  const jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/keys`;
  issuer = await createDevIssuer('https://example.okta.com/oauth2/aus1hook', key);

  Object.assign(process.env, {
    ...localHookEnvironment({ fakeAws: fake.url, dynamo: dynamo.endpoint }),
    AUTH_MODE: 'oauth',
    // The test's JWKS server is plain http on 127.0.0.1.
    OKTA_ALLOW_LOOPBACK_HTTP: 'true',
    OKTA_ISSUER: issuer.issuer,
    OKTA_AUDIENCE: 'api://otp-courier',
    OKTA_JWKS_URL: jwksUrl,
    OKTA_CLIENT_IDS: '0oa-otp-courier-dev',
    OKTA_SCOPE: 'otp-courier.send',
    LOG_LEVEL: 'WARN',
  });
  vi.resetModules();
  hook = (await import('../../app/lambda/telephony-hook')).handler;
  authorizer = (await import('../../app/lambda/authorizer')).handler;
});

afterAll(async () => {
  process.env = saved;
  await new Promise((resolve) => jwksServer?.close(resolve));
  await fake?.close();
  await dynamo?.close();
});

function hookEvent(body: unknown): APIGatewayProxyEvent {
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

describe('Lambda entry points with production adapters', () => {
  it('authorizer allows a valid Okta token for the method and rejects others as Unauthorized', async () => {
    const allowed = await authorizer(tokenAuthorizerEvent(`Bearer ${await issuer.mint()}`));
    expect(allowed.policyDocument.Statement[0]).toMatchObject({
      Effect: 'Allow',
      Resource: LOCAL_METHOD_ARN,
    });
    await expect(
      authorizer(tokenAuthorizerEvent(`Bearer ${await issuer.mint({ clientId: 'someone-else' })}`)),
    ).rejects.toThrow('Unauthorized');
  });

  it('hook sends through End User Messaging with catalogue templates when the table is empty', async () => {
    const code = guardSecret('73920461');
    const payload = oktaSamplePayload({ code, locale: 'de-AT', phone: '+442079460958', channel: 'sms' });
    const result = await hook(hookEvent(payload));
    expect(result.statusCode).toBe(200);
    const reply = JSON.parse(result.body);
    const [send] = fake.requestsFor('SendTextMessage');
    expect(reply.commands[0].value[0]).toMatchObject({
      status: 'SUCCESSFUL',
      provider: 'aws-end-user-messaging',
    });
    expect(send?.body).toMatchObject({
      DestinationPhoneNumber: '+442079460958',
      OriginationIdentity: 'AcmeOTP',
      MessageType: 'TRANSACTIONAL',
      Context: { eventId: payload.eventId, purpose: 'verification' },
    });
    expect(String(send?.body.MessageBody)).toContain(code);
    expect(reply.commands[0].value[0].transactionMetadata).toMatch(/locale=de;source=catalogue/);
  });

  it('hook replays a duplicate from DynamoDB without a second send, and stores no code there', async () => {
    const code = guardSecret('51820937');
    const payload = oktaSamplePayload({ code, channel: 'voice', locale: 'ja-JP' });
    const before = fake.requestsFor('SendVoiceMessage').length;
    const first = JSON.parse((await hook(hookEvent(payload))).body);
    const second = JSON.parse((await hook(hookEvent(payload))).body);
    expect(fake.requestsFor('SendVoiceMessage').length - before).toBe(1);
    expect(second.commands[0].value[0].transactionId).toBe(first.commands[0].value[0].transactionId);
    const items = await dynamo.client.send(new ScanCommand({ TableName: 'idempotency' }));
    expect(items.Items?.length).toBeGreaterThanOrEqual(4);
    expect(JSON.stringify(items.Items)).not.toContain(code);
  });

  it('hook parks an opted-out destination in SQS with the code sealed by KMS and replies with an Okta error', async () => {
    const code = guardSecret('60417329');
    fake.failNext(
      { type: 'error', code: 'ConflictException', reason: 'DESTINATION_PHONE_NUMBER_OPTED_OUT' },
      { target: 'SendTextMessage' },
    );
    const payload = oktaSamplePayload({ code });
    const result = await hook(hookEvent(payload));
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toMatchObject({ error: { errorCauses: [{ reason: 'opted-out' }] } });
    const letters = fake.sqsMessages().map((m) => JSON.parse(m.body));
    const letter = letters.find((l) => l.eventId === payload.eventId);
    expect(letter).toMatchObject({ error: { kind: 'opted-out' }, sealedCode: { scheme: 'kms' } });
    expect(JSON.stringify(letters)).not.toContain(code);
  });
});

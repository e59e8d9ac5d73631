import type { AddressInfo } from 'node:net';
import type { APIGatewayAuthorizerResult } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { LOCAL_METHOD_ARN, policyAllows, proxyEvent } from '../../app/local/api-gateway-events';
import { createLocalServer } from '../../app/local/local-server';
import { RecordingLogger } from '../support/recording-logger';

const policy = (
  ...statements: { Effect: 'Allow' | 'Deny'; Resource: string | string[] }[]
): APIGatewayAuthorizerResult => ({
  principalId: 'p',
  policyDocument: {
    Version: '2012-10-17',
    Statement: statements.map((s) => ({ Action: 'execute-api:Invoke', ...s })),
  },
});

describe('the local stand-in for API Gateway', () => {
  it('evaluates authorizer policies as API Gateway does: an Allow matching the method, no Deny', () => {
    expect(policyAllows(policy({ Effect: 'Allow', Resource: LOCAL_METHOD_ARN }), LOCAL_METHOD_ARN)).toBe(
      true,
    );
    expect(
      policyAllows(
        policy({ Effect: 'Allow', Resource: 'arn:aws:execute-api:local:000000000000:local/*' }),
        LOCAL_METHOD_ARN,
      ),
    ).toBe(true);
    expect(
      policyAllows(
        policy({ Effect: 'Allow', Resource: 'arn:aws:execute-api:local:000000000000:other/*' }),
        LOCAL_METHOD_ARN,
      ),
    ).toBe(false);
    expect(
      policyAllows(
        policy({ Effect: 'Allow', Resource: '*' }, { Effect: 'Deny', Resource: LOCAL_METHOD_ARN }),
        LOCAL_METHOD_ARN,
      ),
    ).toBe(false);
    expect(policyAllows(policy(), LOCAL_METHOD_ARN)).toBe(false);
  });

  it('builds proxy events carrying the arrival time and the authorizer context', () => {
    const event = proxyEvent({
      path: '/okta/telephony-hook',
      headers: { 'content-type': 'application/json', 'x-many': ['a', 'b'] },
      body: '{}',
      sourceIp: '203.0.113.9',
      receivedAt: 1_700_000_000_000,
      authorizer: { ...policy(), context: { cid: '0oa1' } },
    });
    expect(event).toMatchObject({
      httpMethod: 'POST',
      headers: { 'content-type': 'application/json', 'x-many': 'a,b' },
      requestContext: {
        requestTimeEpoch: 1_700_000_000_000,
        authorizer: { principalId: 'p', cid: '0oa1' },
        identity: { sourceIp: '203.0.113.9' },
      },
    });
  });

  it('answers 403 on a Deny, 401 on Unauthorized, and never calls the hook for either', async () => {
    let hookCalls = 0;
    const decisions: Array<() => Promise<APIGatewayAuthorizerResult>> = [
      async () => policy({ Effect: 'Deny', Resource: LOCAL_METHOD_ARN }),
      async () => {
        throw new Error('Unauthorized');
      },
      async () => {
        throw new Error('boom');
      },
    ];
    let next = 0;
    const server = createLocalServer({
      authorizer: { handle: () => (decisions[next++] as () => Promise<APIGatewayAuthorizerResult>)() },
      hook: {
        handle: async () => {
          hookCalls += 1;
          return { statusCode: 200, body: '{}' };
        },
      },
      logger: new RecordingLogger(),
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/okta/telephony-hook`;
    const post = () => fetch(url, { method: 'POST', headers: { authorization: 'Bearer x' }, body: '{}' });
    try {
      expect((await post()).status).toBe(403);
      expect((await post()).status).toBe(401);
      expect((await post()).status).toBe(500);
      expect((await fetch(url, { method: 'POST', body: '{}' })).status).toBe(401);
      expect((await fetch(url)).status).toBe(403);
      expect(hookCalls).toBe(0);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

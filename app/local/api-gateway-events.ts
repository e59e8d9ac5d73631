import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type {
  APIGatewayAuthorizerResult,
  APIGatewayProxyEvent,
  APIGatewayTokenAuthorizerEvent,
} from 'aws-lambda';

/**
 * The local server hands the Lambda handlers the same events API Gateway (REST API, Lambda proxy
 * integration, TOKEN authorizer) would, so the code under test locally is the code that is deployed.
 */
export function localMethodArn(path: string): string {
  return `arn:aws:execute-api:local:000000000000:local/local/POST${path}`;
}

export const LOCAL_METHOD_ARN = localMethodArn('/okta/telephony-hook');

export function tokenAuthorizerEvent(
  authorization: string,
  methodArn: string = LOCAL_METHOD_ARN,
): APIGatewayTokenAuthorizerEvent {
  return { type: 'TOKEN', authorizationToken: authorization, methodArn };
}

export function proxyEvent(input: {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly sourceIp: string;
  readonly receivedAt: number;
  readonly authorizer: APIGatewayAuthorizerResult;
}): APIGatewayProxyEvent {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(input.headers)) {
    if (typeof value === 'string') headers[name] = value;
    else if (Array.isArray(value)) headers[name] = value.join(',');
  }
  const requestId = randomUUID();
  return {
    resource: input.path,
    path: input.path,
    httpMethod: 'POST',
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]])),
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    body: input.body,
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      authorizer: { principalId: input.authorizer.principalId, ...(input.authorizer.context ?? {}) },
      protocol: 'HTTP/1.1',
      httpMethod: 'POST',
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: input.sourceIp,
        user: null,
        userAgent: headers['user-agent'] ?? null,
        userArn: null,
      },
      path: `/local${input.path}`,
      stage: 'local',
      requestId,
      requestTimeEpoch: input.receivedAt,
      resourceId: 'local',
      resourcePath: input.path,
    },
  };
}

/** True when the policy allows invoking `methodArn` and nothing denies it, as API Gateway evaluates it. */
export function policyAllows(result: APIGatewayAuthorizerResult, methodArn: string): boolean {
  let allowed = false;
  for (const statement of result.policyDocument.Statement) {
    if (!('Resource' in statement)) continue;
    const resources = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
    const matches = resources.some((resource) => resource !== undefined && arnMatches(resource, methodArn));
    if (!matches) continue;
    if (statement.Effect === 'Deny') return false;
    if (statement.Effect === 'Allow') allowed = true;
  }
  return allowed;
}

function arnMatches(pattern: string, arn: string): boolean {
  const regex = new RegExp(
    `^${pattern
      .split('*')
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return regex.test(arn);
}

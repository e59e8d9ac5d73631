import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { JSONWebKeySet } from 'jose';
import type { Logger } from '../../ports/logger';
import type { AuthorizeHookCall } from '../authorize-hook-call';
import { OKTA_HOOK_PATH } from '../http-hook-routes';
import { localMethodArn, policyAllows, proxyEvent, tokenAuthorizerEvent } from './api-gateway-events';

export const HOOK_PATH = OKTA_HOOK_PATH;

/**
 * One POST route of the local stack. `authorized` routes play API Gateway behind the TOKEN authorizer
 * (the HTTP IdPs); the others get the raw body as is (a stand-in for an AWS API, such as Lambda's Invoke
 * that Cognito uses). Adding a route is one entry in `routes`.
 */
export type LocalRoute =
  | {
      readonly path: string;
      readonly authorized: true;
      /** The route's own authorizer, as API Gateway gives each route one; the server's when absent. */
      readonly authorizer?: Pick<AuthorizeHookCall, 'handle'>;
      handle(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult>;
    }
  | {
      readonly path: string;
      readonly authorized: false;
      handle(
        body: string,
        headers: IncomingMessage['headers'],
      ): Promise<{ statusCode: number; body: string; headers?: Record<string, string> }>;
    };

/** API Gateway's own payload limit is 10 MB; locally we stop reading far earlier. */
const MAX_READ_BYTES = 1024 * 1024;

export interface LocalServerParts {
  readonly authorizer: Pick<AuthorizeHookCall, 'handle'>;
  /** Okta's telephony hook, at HOOK_PATH (shorthand for an authorized route). */
  readonly hook?: { handle(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> };
  readonly routes?: readonly LocalRoute[];
  readonly logger: Logger;
  /** Served at `jwksPath` when the local stack is its own dev issuer. */
  readonly jwks?: { readonly path: string; readonly keys: JSONWebKeySet };
  readonly now?: () => number;
}

/**
 * Stands in for API Gateway: runs the same TOKEN authorizer and the same proxy handler as the
 * Lambda functions, and answers with API Gateway's status codes (401 Unauthorized, 403 on a Deny).
 */
export function createLocalServer(parts: LocalServerParts): Server {
  const now = parts.now ?? Date.now;
  const routes = new Map<string, LocalRoute>(
    [
      ...(parts.hook ? [{ path: HOOK_PATH, authorized: true as const, handle: parts.hook.handle }] : []),
      ...(parts.routes ?? []),
    ].map((route) => [route.path, route]),
  );
  return createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      parts.logger.error('local server error', { error: error instanceof Error ? error.name : 'unknown' });
      if (!res.headersSent) send(res, 502, { message: 'Internal server error' });
    });
  });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://local');
    if (req.method === 'GET' && url.pathname === '/healthz') return send(res, 200, { status: 'ok' });
    if (req.method === 'GET' && parts.jwks && url.pathname === parts.jwks.path)
      return send(res, 200, parts.jwks.keys);
    const route = routes.get(url.pathname);
    if (!route) return send(res, 404, { message: 'Not Found' });
    if (req.method !== 'POST') return send(res, 403, { message: 'Missing Authentication Token' });
    const receivedAt = now();

    const body = await readBody(req);
    if (body === undefined) return send(res, 413, { message: 'Request Too Long' });
    if (!route.authorized) {
      const result = await route.handle(body, req.headers);
      res.writeHead(result.statusCode, { 'content-type': 'application/json', ...result.headers });
      res.end(result.body);
      return;
    }
    const methodArn = localMethodArn(route.path);

    const authorization = req.headers.authorization;
    if (!authorization) return send(res, 401, { message: 'Unauthorized' });
    let authorized: Awaited<ReturnType<AuthorizeHookCall['handle']>>;
    try {
      authorized = await (route.authorizer ?? parts.authorizer).handle(
        tokenAuthorizerEvent(authorization, methodArn),
      );
    } catch (error) {
      if (error instanceof Error && error.message === 'Unauthorized')
        return send(res, 401, { message: 'Unauthorized' });
      return send(res, 500, { message: null });
    }
    if (!policyAllows(authorized, methodArn)) {
      return send(res, 403, {
        Message: 'User is not authorized to access this resource with an explicit deny',
      });
    }

    const result = await route.handle(
      proxyEvent({
        path: route.path,
        headers: req.headers,
        body,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        receivedAt,
        authorizer: authorized,
      }),
    );
    res.writeHead(result.statusCode, {
      'content-type': 'application/json',
      ...stringHeaders(result.headers),
    });
    res.end(result.body);
  }
}

async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    // Past the limit keep draining (so the client can read our 413) but stop storing;
    // a client that never stops gets its connection cut.
    if (size > MAX_READ_BYTES * 16) {
      req.destroy();
      return undefined;
    }
    if (size <= MAX_READ_BYTES) chunks.push(chunk as Buffer);
  }
  return size > MAX_READ_BYTES ? undefined : Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function stringHeaders(
  headers: Record<string, boolean | number | string> | undefined,
): Record<string, string> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([name, value]) => [name, String(value)]));
}

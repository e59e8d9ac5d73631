import { timingSafeEqual } from 'node:crypto';
import type { DevAuth0Issuer } from './dev-issuer';

/** One machine-to-machine application of the stand-in tenant, authorised for one API. */
export interface Auth0M2mClient {
  readonly clientId: string;
  readonly clientSecret: string;
  /** The API identifier it may request tokens for. */
  readonly audience: string;
  /** The scopes it was granted for that API, space-separated. */
  readonly scope: string;
}

export interface TokenEndpointReply {
  readonly statusCode: number;
  readonly body: Record<string, unknown>;
}

export const AUTH0_TOKEN_PATH = '/oauth/token';

/**
 * The client-credentials grant of an Auth0 tenant's `POST /oauth/token`, for the local stack and tests:
 * form-encoded or JSON body (Auth0 takes both), grant_type client_credentials, client_id and
 * client_secret in the body, audience = an API the application is authorised for. Errors use Auth0's
 * OAuth error bodies and statuses: 400 bad request, 401 wrong client credentials, 403 not authorised
 * for the API.
 */
export async function answerClientCredentials(
  rawBody: string,
  contentType: string | undefined,
  clients: readonly Auth0M2mClient[],
  issuer: DevAuth0Issuer,
  expiresInSeconds = 86_400,
): Promise<TokenEndpointReply> {
  const form = readForm(rawBody, contentType);
  if (!form) return oauthError(400, 'invalid_request', 'Malformed request body');
  if (form.grant_type !== 'client_credentials') {
    return oauthError(403, 'unauthorized_client', 'Grant type not allowed for this client');
  }
  const client = clients.find((c) => c.clientId === form.client_id);
  if (!client || !sameSecret(client.clientSecret, form.client_secret ?? '')) {
    return oauthError(401, 'access_denied', 'Unauthorized');
  }
  if (!form.audience || form.audience !== client.audience) {
    return oauthError(
      403,
      'access_denied',
      `Client is not authorized to access "${String(form.audience ?? '').slice(0, 200)}".`,
    );
  }
  const token = await issuer.mint({
    audience: client.audience,
    clientId: client.clientId,
    scope: client.scope,
    expiresInSeconds,
  });
  return {
    statusCode: 200,
    body: { access_token: token, scope: client.scope, expires_in: expiresInSeconds, token_type: 'Bearer' },
  };
}

function readForm(raw: string, contentType: string | undefined): Record<string, string> | undefined {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (type === 'application/json') {
    try {
      const parsed: unknown = JSON.parse(raw);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
      return Object.fromEntries(
        Object.entries(parsed).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
      );
    } catch {
      return undefined;
    }
  }
  if (type === 'application/x-www-form-urlencoded') return Object.fromEntries(new URLSearchParams(raw));
  return undefined;
}

function sameSecret(expected: string, given: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(given, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

function oauthError(statusCode: number, error: string, description: string): TokenEndpointReply {
  return { statusCode, body: { error, error_description: description } };
}

import { createServer, type IncomingMessage, type Server } from 'node:http';
import {
  AUTH0_TOKEN_PATH,
  type Auth0M2mClient,
  answerClientCredentials,
} from '../../app/local/auth0-token-endpoint';
import {
  createDevAuth0Issuer,
  DEV_AUTH0_AUDIENCE,
  DEV_AUTH0_CLIENT_ID,
  DEV_AUTH0_CLIENT_SECRET,
  DEV_AUTH0_JWKS_PATH,
  DEV_AUTH0_SCOPE,
  type DevAuth0Issuer,
  loadOrCreateDevKey,
} from '../../app/local/dev-issuer';

export const STAND_IN_CLIENT: Auth0M2mClient = {
  clientId: DEV_AUTH0_CLIENT_ID,
  clientSecret: DEV_AUTH0_CLIENT_SECRET,
  audience: DEV_AUTH0_AUDIENCE,
  scope: DEV_AUTH0_SCOPE,
};

/**
 * An Auth0 tenant on 127.0.0.1 for tests: `POST /oauth/token` (client-credentials grant, real RS256
 * JWTs from a fresh key) and its JWKS. `answerWith` makes the token endpoint fail with a status;
 * `expiresInSeconds` shortens the tokens it issues.
 */
export class Auth0TenantStandIn {
  tokenCalls = 0;
  answerWith: number | undefined;
  expiresInSeconds = 86_400;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    readonly issuer: DevAuth0Issuer,
    readonly clients: Auth0M2mClient[],
  ) {}

  static async start(clients: Auth0M2mClient[] = [STAND_IN_CLIENT]): Promise<Auth0TenantStandIn> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (!address || typeof address === 'string') throw new Error('stand-in has no TCP address');
    const url = `http://127.0.0.1:${address.port}`;
    const issuer = await createDevAuth0Issuer(url, await loadOrCreateDevKey(undefined));
    const tenant = new Auth0TenantStandIn(server, url, issuer, clients);
    server.on('request', (req, res) => {
      tenant.answer(req).then(
        ({ statusCode, body }) => {
          res.writeHead(statusCode, { 'content-type': 'application/json' });
          res.end(JSON.stringify(body));
        },
        () => {
          res.writeHead(500);
          res.end();
        },
      );
    });
    return tenant;
  }

  get jwksUrl(): string {
    return `${this.url}${DEV_AUTH0_JWKS_PATH}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async answer(req: IncomingMessage): Promise<{ statusCode: number; body: unknown }> {
    const url = new URL(req.url ?? '/', this.url);
    if (req.method === 'GET' && url.pathname === DEV_AUTH0_JWKS_PATH) {
      return { statusCode: 200, body: this.issuer.jwks };
    }
    if (req.method !== 'POST' || url.pathname !== AUTH0_TOKEN_PATH) {
      return { statusCode: 404, body: { error: 'not_found' } };
    }
    this.tokenCalls += 1;
    const body = await readAll(req);
    if (this.answerWith !== undefined) {
      return { statusCode: this.answerWith, body: { error: 'server_error', error_description: 'stand-in' } };
    }
    return answerClientCredentials(
      body,
      req.headers['content-type'],
      this.clients,
      this.issuer,
      this.expiresInSeconds,
    );
  }
}

async function readAll(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

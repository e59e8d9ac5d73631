import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JSONWebKeySet } from 'jose';

export interface JwksServer {
  readonly url: string;
  /** How many times the key set was fetched: a warm authorizer must not fetch per request. */
  fetches(): number;
  close(): Promise<void>;
}

/** Serves a key set on 127.0.0.1 the way Okta serves `{issuer}/v1/keys`. */
export async function startJwksServer(jwks: JSONWebKeySet): Promise<JwksServer> {
  let fetches = 0;
  const body = JSON.stringify(jwks);
  const server = createServer((_req, res) => {
    fetches += 1;
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=300' });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/oauth2/bench/v1/keys`,
    fetches: () => fetches,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

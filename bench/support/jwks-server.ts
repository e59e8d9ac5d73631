import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { JSONWebKeySet } from 'jose';

export interface JwksServer {
  readonly url: string;
  /** How many times the key set was fetched: a warm authorizer must not fetch per request. */
  fetches(): number;
  close(): Promise<void>;
}

export interface HttpsJwksServer extends JwksServer {
  /**
   * The server's self-signed certificate (PEM file): a process that fetches from it trusts it through
   * NODE_EXTRA_CA_CERTS, as a deployed authorizer trusts Okta's through the system store.
   */
  readonly certFile: string;
}

/** Serves a key set on 127.0.0.1 the way Okta serves `{issuer}/v1/keys`. */
export async function startJwksServer(jwks: JSONWebKeySet): Promise<JwksServer> {
  const { listener, fetches } = keySetListener(jwks);
  return listen(createServer(listener), 'http', fetches, async () => {});
}

/**
 * The same over https, as Okta serves it: an authorizer fetching from here loads Node's TLS client and
 * makes a handshake on its first request, as a deployed one does (the plain-http server above lets a
 * loopback dev authorizer skip both). The certificate is made with the openssl command line.
 */
export async function startHttpsJwksServer(jwks: JSONWebKeySet): Promise<HttpsJwksServer> {
  const dir = await mkdtemp(join(tmpdir(), 'otp-courier-jwks-tls-'));
  const keyFile = join(dir, 'jwks.key');
  const certFile = join(dir, 'jwks.crt');
  await makeCertificate([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=127.0.0.1',
    '-addext',
    'subjectAltName=IP:127.0.0.1',
    '-keyout',
    keyFile,
    '-out',
    certFile,
  ]);
  const { listener, fetches } = keySetListener(jwks);
  const server = createHttpsServer(
    { key: await readFile(keyFile), cert: await readFile(certFile) },
    listener,
  );
  const started = await listen(server, 'https', fetches, () => rm(dir, { recursive: true, force: true }));
  return { ...started, certFile };
}

/** Runs openssl with `args`; a machine without it gets a sentence saying what to install. */
async function makeCertificate(args: string[]): Promise<void> {
  try {
    await promisify(execFile)('openssl', args);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(
        'the bench serves the authorizer its key set over https and makes the certificate with the openssl command: install it (Debian: apt-get install openssl)',
      );
    }
    throw error;
  }
}

function keySetListener(jwks: JSONWebKeySet): { listener: RequestListener; fetches: () => number } {
  let fetches = 0;
  const body = JSON.stringify(jwks);
  const listener: RequestListener = (_req, res) => {
    fetches += 1;
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=300' });
    res.end(body);
  };
  return { listener, fetches: () => fetches };
}

async function listen(
  server: Server,
  scheme: 'http' | 'https',
  fetches: () => number,
  cleanUp: () => Promise<void>,
): Promise<JwksServer> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${scheme}://127.0.0.1:${port}/oauth2/bench/v1/keys`,
    fetches,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await cleanUp();
    },
  };
}

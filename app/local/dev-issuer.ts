import { randomUUID } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, type JSONWebKeySet, type JWK, SignJWT } from 'jose';

/** Defaults the dev issuer and the local authorizer agree on when OKTA_ISSUER is unset. */
export const DEV_AUDIENCE = 'api://otp-courier';
export const DEV_CLIENT_ID = '0oa-otp-courier-dev';
export const DEV_SCOPE = 'otp-courier.send';
export const DEV_JWKS_PATH = '/oauth2/default/v1/keys';
export const DEV_ISSUER_PATH = '/oauth2/default';

export interface MintOptions {
  readonly audience?: string;
  readonly clientId?: string;
  readonly scope?: string | readonly string[];
  readonly expiresInSeconds?: number;
  readonly issuer?: string;
}

/**
 * A stand-in for an Okta custom authorization server: an RS256 key made once and kept under the
 * data dir (so `npm run send` in another terminal can mint tokens the server accepts), a JWKS to
 * serve, and Okta-shaped access tokens.
 */
export interface DevIssuer {
  readonly issuer: string;
  readonly jwks: JSONWebKeySet;
  mint(options?: MintOptions): Promise<string>;
}

export interface StoredKey {
  readonly kid: string;
  readonly privateJwk: JWK;
  readonly publicJwk: JWK;
}

export async function loadOrCreateDevKey(dataDir: string | undefined): Promise<StoredKey> {
  const file = dataDir ? join(dataDir, 'dev-issuer-key.json') : undefined;
  if (file) {
    try {
      return JSON.parse(await readFile(file, 'utf8')) as StoredKey;
    } catch {
      // Missing or unreadable: make a new one below.
    }
  }
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = `dev-${randomUUID()}`;
  const key: StoredKey = {
    kid,
    privateJwk: { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' },
    publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' },
  };
  if (file && dataDir) {
    await mkdir(dataDir, { recursive: true });
    await writeFile(file, JSON.stringify(key), { mode: 0o600 });
    await chmod(file, 0o600);
  }
  return key;
}

export async function createDevIssuer(issuer: string, key: StoredKey): Promise<DevIssuer> {
  const privateKey = await importJWK(key.privateJwk, 'RS256');
  return {
    issuer,
    jwks: { keys: [key.publicJwk] },
    async mint(options: MintOptions = {}) {
      const scope = options.scope ?? DEV_SCOPE;
      const clientId = options.clientId ?? DEV_CLIENT_ID;
      return new SignJWT({ ver: 1, cid: clientId, scp: typeof scope === 'string' ? [scope] : [...scope] })
        .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' })
        .setIssuer(options.issuer ?? issuer)
        .setAudience(options.audience ?? DEV_AUDIENCE)
        .setSubject(clientId)
        .setJti(`AT.${randomUUID()}`)
        .setIssuedAt()
        .setExpirationTime(`${options.expiresInSeconds ?? 3600}s`)
        .sign(privateKey);
    },
  };
}

/** Defaults the Auth0 stand-in (tenant, API, M2M application) and the local Auth0 authorizer agree on. */
export const DEV_AUTH0_AUDIENCE = 'https://otp-courier.local/api';
export const DEV_AUTH0_CLIENT_ID = 'otpCourierDevM2mClient0000000001';
/** A dev-only secret: the local tenant stand-in checks it like Auth0 checks an M2M application's. */
export const DEV_AUTH0_CLIENT_SECRET = 'dev-only-auth0-client-secret-not-for-production';
export const DEV_AUTH0_SCOPE = 'send:phone-message';
/** Where an Auth0 tenant serves its signing keys, relative to the tenant URL. */
export const DEV_AUTH0_JWKS_PATH = '/.well-known/jwks.json';

export interface Auth0MintOptions {
  readonly audience?: string;
  readonly clientId?: string;
  /** Space-separated, as Auth0 writes `scope`. */
  readonly scope?: string;
  readonly expiresInSeconds?: number;
  readonly issuer?: string;
  /** Auth0's `gty`: "client-credentials" for an M2M token. */
  readonly grantType?: string;
}

/**
 * A stand-in for an Auth0 tenant's token signer: the same dev key as the Okta stand-in, Auth0-shaped
 * access tokens as a client-credentials grant issues them (RS256; `iss` is the tenant URL with its
 * trailing slash, `sub` "{client_id}@clients", `azp`, a space-separated `scope`, `gty`).
 */
export interface DevAuth0Issuer {
  /** "http://127.0.0.1:8787/", as Auth0 spells `iss`. */
  readonly issuer: string;
  readonly jwks: JSONWebKeySet;
  mint(options?: Auth0MintOptions): Promise<string>;
}

export async function createDevAuth0Issuer(tenantUrl: string, key: StoredKey): Promise<DevAuth0Issuer> {
  const privateKey = await importJWK(key.privateJwk, 'RS256');
  const issuer = `${tenantUrl.replace(/\/+$/, '')}/`;
  return {
    issuer,
    jwks: { keys: [key.publicJwk] },
    async mint(options: Auth0MintOptions = {}) {
      const clientId = options.clientId ?? DEV_AUTH0_CLIENT_ID;
      return new SignJWT({
        azp: clientId,
        scope: options.scope ?? DEV_AUTH0_SCOPE,
        gty: options.grantType ?? 'client-credentials',
      })
        .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' })
        .setIssuer(options.issuer ?? issuer)
        .setAudience(options.audience ?? DEV_AUTH0_AUDIENCE)
        .setSubject(`${clientId}@clients`)
        .setIssuedAt()
        .setExpirationTime(`${options.expiresInSeconds ?? 86_400}s`)
        .sign(privateKey);
    },
  };
}

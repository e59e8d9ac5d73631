import type { APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { HeaderSecretVerifier } from '../../adapters/okta/header-secret-verifier';
import { AuthorizeHookCall } from '../../app/authorize-hook-call';
import { TokenRejectedError } from '../../domain/errors';
import type { LogFields, Logger } from '../../ports/logger';
import type { TokenVerifier } from '../../ports/token-verifier';

const SECRET = 'k3y-Okta-hook-0123456789abcdef';
const NOW = 1_750_000_000_000;

class RecordingLogger implements Logger {
  readonly lines: string[] = [];
  debug(m: string, f?: LogFields) {
    this.lines.push(`debug ${m} ${JSON.stringify(f ?? {})}`);
  }
  info(m: string, f?: LogFields) {
    this.lines.push(`info ${m} ${JSON.stringify(f ?? {})}`);
  }
  warn(m: string, f?: LogFields) {
    this.lines.push(`warn ${m} ${JSON.stringify(f ?? {})}`);
  }
  error(m: string, f?: LogFields) {
    this.lines.push(`error ${m} ${JSON.stringify(f ?? {})}`);
  }
}

const event = (authorizationToken: string): APIGatewayTokenAuthorizerEvent => ({
  type: 'TOKEN',
  authorizationToken,
  methodArn: 'arn:aws:execute-api:us-east-1:123456789012:api/prod/POST/okta/telephony-hook',
});

describe('HeaderSecretVerifier', () => {
  const verifier = new HeaderSecretVerifier({ secret: SECRET, now: () => NOW });

  it('accepts the configured secret and returns synthetic claims', async () => {
    await expect(verifier.verify(SECRET)).resolves.toEqual({
      iss: 'okta-http-header',
      aud: 'otp-courier',
      sub: 'okta-telephony-hook',
      cid: 'okta-http-header',
      scp: [],
      iat: NOW / 1000,
      exp: NOW / 1000 + 60,
    });
  });

  it.each([
    '',
    'x',
    SECRET.slice(0, -1),
    `${SECRET}x`,
    SECRET.toUpperCase(),
    ` ${SECRET}`,
    `${SECRET}\u0000`,
  ])('rejects %j', async (presented) => {
    await expect(verifier.verify(presented)).rejects.toEqual(new TokenRejectedError('wrong-secret'));
  });

  it('matches a secret configured with a "Bearer " prefix', async () => {
    const bearerConfigured = new HeaderSecretVerifier({ secret: `Bearer ${SECRET}` });
    await expect(bearerConfigured.verify(SECRET)).resolves.toMatchObject({ sub: 'okta-telephony-hook' });
  });

  it('refuses to start with a short secret', () => {
    expect(() => new HeaderSecretVerifier({ secret: 'short' })).toThrow(/at least 16/);
  });
});

describe('AuthorizeHookCall', () => {
  it('allows the header secret, with or without "Bearer ", and never logs it', async () => {
    const logger = new RecordingLogger();
    const authorize = new AuthorizeHookCall(new HeaderSecretVerifier({ secret: SECRET }), logger);
    for (const header of [SECRET, `Bearer ${SECRET}`, `  ${SECRET}  `]) {
      const result = await authorize.handle(event(header));
      expect(result.principalId).toBe('okta-telephony-hook');
      expect(result.policyDocument.Statement).toEqual([
        {
          Action: 'execute-api:Invoke',
          Effect: 'Allow',
          Resource: 'arn:aws:execute-api:us-east-1:123456789012:api/prod/POST/okta/telephony-hook',
        },
      ]);
    }
    await expect(authorize.handle(event(`${SECRET}-wrong`))).rejects.toThrow(/^Unauthorized$/);
    expect(logger.lines.join('\n')).not.toContain(SECRET);
    expect(logger.lines.at(-1)).toContain('"reason":"wrong-secret"');
  });

  it('turns an unexpected verifier failure into Unauthorized without logging its message', async () => {
    const logger = new RecordingLogger();
    const exploding: TokenVerifier = {
      verify: async (token) => {
        throw new TypeError(`boom while reading ${token}`);
      },
    };
    const authorize = new AuthorizeHookCall(exploding, logger);
    await expect(authorize.handle(event('Bearer sensitive-token-value'))).rejects.toThrow(/^Unauthorized$/);
    expect(logger.lines).toEqual([
      'error token verification failed unexpectedly {"reason":"verifier-error","errorName":"TypeError"}',
    ]);
  });

  it('rejects a missing header without calling the verifier', async () => {
    const logger = new RecordingLogger();
    let calls = 0;
    const counting: TokenVerifier = {
      verify: async () => {
        calls += 1;
        throw new TokenRejectedError('x');
      },
    };
    const authorize = new AuthorizeHookCall(counting, logger);
    for (const header of ['', '   ', 'Bearer', 'bearer   ']) {
      await expect(authorize.handle(event(header))).rejects.toThrow(/^Unauthorized$/);
    }
    await expect(
      authorize.handle({ type: 'TOKEN', methodArn: 'arn' } as unknown as APIGatewayTokenAuthorizerEvent),
    ).rejects.toThrow(/^Unauthorized$/);
    expect(calls).toBe(0);
    expect(logger.lines.every((line) => line.includes('"reason":"missing-token"'))).toBe(true);
  });
});

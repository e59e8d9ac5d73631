import { HeaderSecretVerifier } from '../../adapters/okta/header-secret-verifier';
import { JoseTokenVerifier } from '../../adapters/okta/jose-token-verifier';
import { TokenRejectedError } from '../../domain/errors';
import type { Logger } from '../../ports/logger';
import type { TokenVerifier } from '../../ports/token-verifier';
import { AuthorizeHookCall } from '../authorize-hook-call';
import type { AuthorizerConfig } from '../config/authorizer-config';

/**
 * The authorizer's composition root, wired by hand on purpose. It has two collaborators, and the
 * DI container (inversify + reflect-metadata, ~90 KB minified) would more than double a bundle that
 * API Gateway cold-starts for every new caller; the hook, with a real graph, keeps the container.
 * The bundle also carries no AWS SDK client.
 */
export function composeAuthorizer(
  config: AuthorizerConfig,
  logger: Logger,
  // Epoch milliseconds; tests drive key-set and token ages with a fake clock.
  now: () => number = Date.now,
): AuthorizeHookCall {
  const verifier: TokenVerifier =
    config.mode === 'oauth'
      ? new JoseTokenVerifier({
          policy: config.policy,
          jwksUrl: config.jwksUrl,
          keySetMaxAgeMs: config.keySetMaxAgeMs,
          allowLoopbackHttp: config.allowLoopbackHttp,
          now,
        })
      : config.mode === 'header-secret'
        ? new HeaderSecretVerifier({ secret: config.secret, now })
        : REFUSES_EVERY_TOKEN;
  return new AuthorizeHookCall(verifier, logger);
}

/** The verifier of a switched-off IdP's route (AUTH_MODE=disabled): nothing passes, whatever it carries. */
const REFUSES_EVERY_TOKEN: TokenVerifier = {
  verify: async () => {
    throw new TokenRejectedError('idp-disabled');
  },
};

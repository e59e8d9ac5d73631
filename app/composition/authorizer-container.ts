import { Container } from 'inversify';
import { HeaderSecretVerifier } from '../../adapters/okta/header-secret-verifier';
import { JoseTokenVerifier } from '../../adapters/okta/jose-token-verifier';
import type { Logger } from '../../ports/logger';
import type { TokenVerifier } from '../../ports/token-verifier';
import { AuthorizeHookCall } from '../authorize-hook-call';
import type { AuthorizerConfig } from '../config/authorizer-config';
import { TOKENS } from '../tokens';

/**
 * The authorizer's composition root. Kept apart from the hook's so its bundle carries jose and
 * nothing from the AWS SDK: a small bundle is a fast cold start on every new API Gateway caller.
 */
export function buildAuthorizerContainer(config: AuthorizerConfig, logger: Logger): Container {
  const container = new Container({ defaultScope: 'Singleton' });
  const verifier: TokenVerifier =
    config.mode === 'jwt'
      ? new JoseTokenVerifier({ policy: config.policy, jwksUrl: config.jwksUrl })
      : new HeaderSecretVerifier({ secret: config.secret });
  container.bind<TokenVerifier>(TOKENS.TokenVerifier).toConstantValue(verifier);
  container.bind<Logger>(TOKENS.Logger).toConstantValue(logger);
  container.bind(AuthorizeHookCall).toSelf();
  return container;
}

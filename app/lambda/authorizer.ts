import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import { loadJwksTransport } from '../../adapters/okta/jwks-over-http';
import { PowertoolsLoggerAdapter } from '../../adapters/powertools/powertools-logger';
import { composeAuthorizer } from '../composition/authorizer-composition';
import { loadAuthorizerConfig } from '../config/authorizer-config';

// Built once per execution environment: config is validated and the JWKS cache lives across invocations.
const config = loadAuthorizerConfig(process.env);
// Built on its first line: an allowed call logs nothing at INFO, so most instances never build it.
const logger = new PowertoolsLoggerAdapter({
  serviceName: 'otp-courier-authorizer',
  level: config.logLevel,
  buildOnFirstLine: true,
});
const authorize = composeAuthorizer(config, logger);
// OAuth: a cold instance's first request always fetches the key set, so the HTTPS client module is
// loaded here, in init (off the request path with provisioned concurrency), and only in that mode.
if (config.mode === 'oauth') await loadJwksTransport(new URL(config.jwksUrl).protocol);

export const handler = (event: APIGatewayTokenAuthorizerEvent): Promise<APIGatewayAuthorizerResult> =>
  authorize.handle(event);

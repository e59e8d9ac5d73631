import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import { PowertoolsLoggerAdapter } from '../../adapters/powertools/powertools-logger';
import { composeAuthorizer } from '../composition/authorizer-composition';
import { loadAuthorizerConfig } from '../config/authorizer-config';

// Built once per execution environment: config is validated and the JWKS cache lives across invocations.
const config = loadAuthorizerConfig(process.env);
const logger = new PowertoolsLoggerAdapter({ serviceName: 'otp-courier-authorizer', level: config.logLevel });
const authorize = composeAuthorizer(config, logger);

export const handler = (event: APIGatewayTokenAuthorizerEvent): Promise<APIGatewayAuthorizerResult> =>
  authorize.handle(event);

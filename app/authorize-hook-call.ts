import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import { TokenRejectedError } from '../domain/errors';
import type { Logger } from '../ports/logger';
import type { TokenVerifier } from '../ports/token-verifier';

/** API Gateway turns exactly this error message into a 401; anything else would be a 500. */
const UNAUTHORIZED = 'Unauthorized';

/**
 * The Lambda TOKEN authorizer's use case: bad tokens stop here, so the hook code only ever sees
 * authenticated calls. Deliberately not an inversify class: see authorizer-composition.ts.
 */
export class AuthorizeHookCall {
  constructor(
    private readonly verifier: TokenVerifier,
    private readonly logger: Logger,
  ) {}

  async handle(event: APIGatewayTokenAuthorizerEvent): Promise<APIGatewayAuthorizerResult> {
    const header = typeof event.authorizationToken === 'string' ? event.authorizationToken.trim() : '';
    // Okta's OAuth mode sends "Bearer <jwt>"; its HTTP-header mode sends the bare secret.
    const token = header.replace(/^bearer(?:\s+|$)/i, '');
    if (token.length === 0) {
      this.logger.warn('hook call rejected', { reason: 'missing-token' });
      throw new Error(UNAUTHORIZED);
    }

    let claims: Awaited<ReturnType<TokenVerifier['verify']>>;
    try {
      claims = await this.verifier.verify(token);
    } catch (error) {
      if (error instanceof TokenRejectedError) {
        this.logger.warn('hook call rejected', { reason: error.reason });
      } else {
        // Not the message: an unexpected error's text is not known to be free of the token.
        this.logger.error('token verification failed unexpectedly', {
          reason: 'verifier-error',
          errorName: error instanceof Error ? error.name : typeof error,
        });
      }
      throw new Error(UNAUTHORIZED);
    }

    // Debug: API Gateway's access log already records every allowed call; one line less per request.
    this.logger.debug('hook call authorised', { sub: claims.sub, cid: claims.cid ?? null });
    return {
      principalId: claims.sub,
      policyDocument: {
        Version: '2012-10-17',
        Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: event.methodArn }],
      },
      context: { cid: claims.cid ?? '' },
    };
  }
}

import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { inject, injectable } from 'inversify';
import { OktaInbound } from '../adapters/okta/okta-inbound';
import type { Clock } from '../ports/clock';
import type { Logger } from '../ports/logger';
import { DeliverOtp } from './deliver-otp';
import type { HookSettings } from './hook-settings';
import { HttpHookEndpoint } from './http-hook-endpoint';
import { TOKENS } from './tokens';

/**
 * Okta's telephony inline hook: the generic HTTP hook endpoint with the Okta adapter behind it. Kept as
 * a class of its own so callers that only speak Okta (tests, benchmarks) keep one name for it.
 */
@injectable()
export class TelephonyHookHandler {
  private readonly endpoint: HttpHookEndpoint;

  constructor(
    @inject(DeliverOtp) deliverOtp: DeliverOtp,
    @inject(TOKENS.Clock) clock: Clock,
    @inject(TOKENS.Logger) logger: Logger,
    @inject(TOKENS.HookSettings) settings: HookSettings,
  ) {
    this.endpoint = new HttpHookEndpoint(deliverOtp, clock, logger, settings, new OktaInbound());
  }

  handle(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
    return this.endpoint.handle(event);
  }
}

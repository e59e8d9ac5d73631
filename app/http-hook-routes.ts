import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { inject, injectable } from 'inversify';
import { Auth0Inbound, DEFAULT_AUTH0_CODE_VALIDITY_MINUTES } from '../adapters/auth0/auth0-inbound';
import { OktaInbound } from '../adapters/okta/okta-inbound';
import type { Clock } from '../ports/clock';
import type { Fingerprinter } from '../ports/fingerprinter';
import type { HttpInboundIdp } from '../ports/inbound-idp';
import type { Logger } from '../ports/logger';
import type { TokenProfileName } from './config/token-profiles';
import { DeliverOtp } from './deliver-otp';
import type { HookSettings } from './hook-settings';
import { HttpHookEndpoint } from './http-hook-endpoint';
import { TOKENS } from './tokens';

/** What an HTTP IdP's adapter may be built from. */
export interface HttpIdpParts {
  readonly fingerprinter: Fingerprinter;
  readonly settings: HookSettings;
}

/**
 * One IdP that calls us over HTTP: the path it posts to, its adapter, and the token profile its route's
 * authorizer checks (template.yaml gives each route its authorizer; the local stack does the same).
 */
export interface HttpHookRoute {
  readonly path: string;
  readonly tokenProfile: TokenProfileName;
  readonly idp: (parts: HttpIdpParts) => HttpInboundIdp;
}

export const OKTA_HOOK_PATH = '/okta/telephony-hook';
export const AUTH0_PHONE_MESSAGE_PATH = '/auth0/phone-message';

/**
 * The bindings of every HTTP IdP, one line each. The hook Lambda serves them all (template.yaml routes
 * each path to it, behind the authorizer) and the local stack serves the same list; a new HTTP IdP is a
 * line here, its adapter folder, and its route in template.yaml.
 */
export const HTTP_HOOK_ROUTES: readonly HttpHookRoute[] = [
  { path: OKTA_HOOK_PATH, tokenProfile: 'okta', idp: () => new OktaInbound() },
  {
    path: AUTH0_PHONE_MESSAGE_PATH,
    tokenProfile: 'auth0',
    idp: ({ fingerprinter, settings }) =>
      new Auth0Inbound(fingerprinter, {
        codeValidityMinutes: settings.auth0CodeValidityMinutes ?? DEFAULT_AUTH0_CODE_VALIDITY_MINUTES,
      }),
  },
];

const NOT_FOUND: APIGatewayProxyResult = {
  statusCode: 404,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ message: 'Not Found' }),
};

/** Dispatches an API Gateway event to the endpoint of its route (`resource` is the route's path template). */
@injectable()
export class HttpHooks {
  private readonly endpoints: ReadonlyMap<string, HttpHookEndpoint>;

  constructor(
    @inject(DeliverOtp) deliverOtp: DeliverOtp,
    @inject(TOKENS.Clock) clock: Clock,
    @inject(TOKENS.Logger) logger: Logger,
    @inject(TOKENS.HookSettings) settings: HookSettings,
    @inject(TOKENS.Fingerprinter) fingerprinter: Fingerprinter,
  ) {
    this.endpoints = new Map(
      HTTP_HOOK_ROUTES.map((route) => [
        route.path,
        new HttpHookEndpoint(deliverOtp, clock, logger, settings, route.idp({ fingerprinter, settings })),
      ]),
    );
  }

  get paths(): readonly string[] {
    return [...this.endpoints.keys()];
  }

  async handle(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
    const endpoint = this.endpoints.get(event.resource) ?? this.endpoints.get(event.path);
    return endpoint ? endpoint.handle(event) : { ...NOT_FOUND };
  }
}

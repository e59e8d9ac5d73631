import type { CountryCode } from 'libphonenumber-js';
import type { DeliveryOutcome } from '../domain/delivery-outcome';
import type { DeliveryRequest } from '../domain/delivery-request';

/**
 * Why a caller's input was turned away before anything was delivered. Typed, so each IdP adapter shows it
 * in its own words (Okta: a 400/413 with its error object) and the edge logs it the same way for all.
 * `issues` name fields and rules ("data.messageProfile.otpCode: must be 4 to 10 digits"), never values.
 */
export type InboundRejection =
  | { readonly kind: 'invalid-request'; readonly issues: readonly string[] }
  | { readonly kind: 'body-too-large'; readonly maxBytes: number };

/** What an IdP adapter made of one input: a delivery to run, or a rejection to answer. */
export type InboundDecision =
  | { readonly ok: true; readonly request: DeliveryRequest }
  | { readonly ok: false; readonly rejection: InboundRejection };

/** What every IdP adapter may need from the deployment to read its input. */
export interface InboundContext {
  /** Region assumed for phone numbers sent without "+". */
  readonly defaultPhoneRegion: CountryCode;
  /** Epoch ms the input reached our edge: adapters that must derive an expiry count from here. */
  readonly receivedAt: number;
  /** Aborted at the request's deadline: an adapter that calls out (decrypting a code) stops then. */
  readonly signal?: AbortSignal;
}

/**
 * The inbound port: one identity provider's codec. It turns the IdP's input into an IdP-neutral
 * DeliveryRequest (or a typed rejection) and a DeliveryOutcome into the IdP's own reply. It owns nothing
 * the IdPs share — body limits, arrival time, the deadline, the safety net, logging belong to the edge in
 * app/ that drives it (the generic HTTP hook endpoint, or an event-driven IdP's thin entry point).
 *
 * `read` never throws for bad input: it returns a rejection. It throws only when it could not read the
 * input at all for a reason that may pass (a KMS call failing while decrypting a code), so the edge can
 * let the IdP's own retry do its work.
 */
export interface InboundIdp<Input, Reply> {
  /** Names the IdP in requests, logs and dead letters, e.g. "okta". */
  readonly idp: string;
  read(input: Input, context: InboundContext): InboundDecision | Promise<InboundDecision>;
  reply(outcome: DeliveryOutcome): Reply;
  rejected(rejection: InboundRejection): Reply;
}

/** The reply of an IdP that calls us over HTTP: a status code and a JSON body. */
export interface HttpReply {
  readonly statusCode: number;
  readonly body: unknown;
}

/** An IdP that calls an HTTP route: it reads the decoded JSON object of the request body. */
export type HttpInboundIdp = InboundIdp<Readonly<Record<string, unknown>>, HttpReply>;

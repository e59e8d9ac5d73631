/** How the passcode reaches the phone. */
export type Channel = 'sms' | 'voice';

/** Why the identity provider issued the passcode; templates may differ per purpose. */
export type Purpose = 'enrollment' | 'verification' | 'account-unlock' | 'password-reset';

export const PURPOSES: readonly Purpose[] = [
  'enrollment',
  'verification',
  'account-unlock',
  'password-reset',
];
export const CHANNELS: readonly Channel[] = ['sms', 'voice'];

/**
 * One passcode to deliver, independent of the identity provider that asked for it.
 * Inbound adapters (Okta, later Cognito and Auth0) map their payloads onto this shape.
 */
export interface DeliveryRequest {
  /** The IdP's id for this event; a resend carries a new one. */
  readonly eventId: string;
  /** Which IdP adapter produced the request, e.g. "okta". */
  readonly idp: string;
  readonly purpose: Purpose;
  readonly channel: Channel;
  /** E.164, e.g. "+14155550123". */
  readonly phone: string;
  /** The passcode itself: digits only. Never log it. */
  readonly code: string;
  readonly expiresAt: Date;
  /** The locale as the IdP sent it, unnormalised (the domain normalises it). */
  readonly requestedLocale: string;
  readonly firstName?: string;
  /** The IdP's own rendered, localised SMS text (Okta's msgTemplate), a last-resort template. */
  readonly idpMessage?: string;
  /** The end user's client IP as the IdP saw it (Okta: data.context.request.ipAddress), for the brakes. */
  readonly clientIp?: string;
  /** The IdP's id of the user (Okta: data.userProfile.userId), for the brakes; never shown in a message. */
  readonly userId?: string;
}

/** How the passcode reaches the phone. */
export type Channel = 'sms' | 'voice';

/**
 * Why the identity provider issued the secret; templates may differ per purpose. Every purpose but one
 * carries a numeric passcode; `temporary-password` carries a password an administrator's new user signs
 * in with once (Cognito's AdminCreateUser): letters, digits and symbols, to be shown exactly as issued.
 */
export type Purpose =
  | 'enrollment'
  | 'verification'
  | 'account-unlock'
  | 'password-reset'
  | 'temporary-password';

export const PURPOSES: readonly Purpose[] = [
  'enrollment',
  'verification',
  'account-unlock',
  'password-reset',
  'temporary-password',
];

/**
 * Whether a generic template ("your verification code is …") may serve this purpose. A temporary password
 * is not a verification code: calling it one misleads the reader, so it falls back along the locale chain
 * to the default language's temporary-password template instead, never to a generic one.
 */
export function acceptsGenericTemplate(purpose: Purpose): boolean {
  return purpose !== 'temporary-password';
}
export const CHANNELS: readonly Channel[] = ['sms', 'voice'];

/** Whether a purpose is ever delivered on a channel: a temporary password is typed, so it goes by SMS only. */
export function purposeUsesChannel(purpose: Purpose, channel: Channel): boolean {
  return purpose !== 'temporary-password' || channel === 'sms';
}

/**
 * One passcode to deliver, independent of the identity provider that asked for it.
 * Inbound adapters (Okta, Cognito, later Auth0) map their payloads onto this shape.
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
  /**
   * The secret itself: a numeric passcode, or for `temporary-password` the password as issued (any
   * printable characters; never assume digits). Never log it.
   */
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

import type { Channel } from './delivery-request';

/**
 * A user proved they received a passcode: the IdP reports a successful verification of a phone factor.
 * It confirms the latest message we sent that user on that channel, if its code was still valid then.
 */
export interface PhoneVerification {
  /** Which IdP reported it, e.g. "okta". */
  readonly idp: string;
  /** The IdP's own id for the report, for logs (Okta's System Log event uuid). */
  readonly reportId: string;
  /** The IdP's user id, the same one its telephony request carried. */
  readonly userId: string;
  /** SMS or voice; undefined when the IdP does not say (the latest message on any channel matches). */
  readonly channel?: Channel;
  /** When the verification happened, epoch ms. */
  readonly at: number;
}

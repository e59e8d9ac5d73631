/**
 * What is known about whether a message reached the provider. One word, one meaning, read by every
 * consumer (the sender's retry loop, the reply to the IdP, dead letters, redrive):
 *
 * | certainty   | on the wire                                                  | retry | fail over | redrive             |
 * | ----------- | ------------------------------------------------------------ | ----- | --------- | ------------------- |
 * | `not-sent`  | refused by the provider, or never reached it                 | yes   | yes       | yes                 |
 * | `uncertain` | the request may have reached the provider; no answer came    | never | never     | only when asked     |
 * | `sent`      | the provider accepted it                                     | —     | —         | —                   |
 *
 * A send API without an idempotency token (End User Messaging has none) makes `uncertain` the
 * expensive case: sending again may put a second message on the phone.
 */
export type DeliveryCertainty = 'not-sent' | 'uncertain' | 'sent';

/** What a failure can be: a failure is never `sent`. */
export type FailureCertainty = Exclude<DeliveryCertainty, 'sent'>;

export const FAILURE_CERTAINTIES: readonly FailureCertainty[] = ['not-sent', 'uncertain'];

import {
  PinpointSMSVoiceV2Client,
  type PinpointSMSVoiceV2ClientConfig,
} from '@aws-sdk/client-pinpoint-sms-voice-v2';

/**
 * The client EndUserMessagingSender expects: no SDK retries (the sender retries within the request's
 * deadline, and never after a timeout, since the send APIs have no idempotency token) and a short
 * connect timeout so a dead endpoint fails fast instead of eating Okta's 3 s.
 */
export function createEndUserMessagingClient(
  config: PinpointSMSVoiceV2ClientConfig = {},
): PinpointSMSVoiceV2Client {
  return new PinpointSMSVoiceV2Client({
    requestHandler: { connectionTimeout: 500 },
    ...config,
    maxAttempts: 1,
  });
}

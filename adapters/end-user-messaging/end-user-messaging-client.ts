import {
  PinpointSMSVoiceV2Client,
  type PinpointSMSVoiceV2ClientConfig,
} from '@aws-sdk/client-pinpoint-sms-voice-v2';

/**
 * The client EndUserMessagingSender expects: no SDK retries (the sender retries within the request's
 * deadline, and never after a timeout, since the send APIs have no idempotency token). The composition
 * passes its shared bounded `requestHandler`; the default here is bounded too, so no caller can build a
 * client whose request waits forever (without `throwOnRequestTimeout`, `requestTimeout` only warns).
 */
export function createEndUserMessagingClient(
  config: PinpointSMSVoiceV2ClientConfig = {},
): PinpointSMSVoiceV2Client {
  return new PinpointSMSVoiceV2Client({
    requestHandler: { connectionTimeout: 300, requestTimeout: 2_000, throwOnRequestTimeout: true },
    ...config,
    maxAttempts: 1,
  });
}

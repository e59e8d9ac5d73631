import {
  PinpointSMSVoiceV2Client,
  type PinpointSMSVoiceV2ClientConfig,
} from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { wireObservingAgents } from './wire-observation';

/**
 * The client EndUserMessagingSender expects: no SDK retries (the sender retries within the request's
 * deadline, and only what never reached the provider, since the send APIs have no idempotency token),
 * a short connect timeout so a dead endpoint fails fast instead of eating Okta's 3 s, and agents that
 * tell the sender whether each attempt ever had a connection (wire-observation.ts).
 */
export function createEndUserMessagingClient(
  config: PinpointSMSVoiceV2ClientConfig = {},
): PinpointSMSVoiceV2Client {
  return new PinpointSMSVoiceV2Client({
    requestHandler: { connectionTimeout: 500, ...wireObservingAgents() },
    ...config,
    maxAttempts: 1,
  });
}

import {
  PinpointSMSVoiceV2Client,
  type PinpointSMSVoiceV2ClientConfig,
} from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { wireObservingAgents } from './wire-observation';

/**
 * The client EndUserMessagingSender expects: no SDK retries (the sender retries within the request's
 * deadline, and only what never reached the provider, since the send APIs have no idempotency token),
 * bounded by default (a short connect timeout, and `throwOnRequestTimeout`: without it `requestTimeout`
 * only warns), and agents that tell the sender whether each attempt ever had a connection
 * (wire-observation.ts).
 *
 * Pass `requestHandler` as handler options (they are merged with the agents). A ready handler instance is
 * used as is: its sockets cannot be watched, so its failures are classified by error shape alone, the
 * conservative way (a connect timeout or an abort while connecting then counts as uncertain).
 */
export function createEndUserMessagingClient(
  config: PinpointSMSVoiceV2ClientConfig = {},
): PinpointSMSVoiceV2Client {
  const given = config.requestHandler as { handle?: unknown } | Record<string, unknown> | undefined;
  const requestHandler =
    given && typeof given.handle === 'function'
      ? config.requestHandler
      : {
          connectionTimeout: 300,
          requestTimeout: 2_000,
          throwOnRequestTimeout: true,
          ...given,
          ...wireObservingAgents(),
        };
  return new PinpointSMSVoiceV2Client({ ...config, requestHandler, maxAttempts: 1 });
}

import {
  PinpointSMSVoiceV2Client,
  type PinpointSMSVoiceV2ClientConfig,
} from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { wireObservingAgents } from './wire-observation';

/** A ready request handler (e.g. a NodeHttpHandler the composition built with its bounds). */
interface RequestHandlerInstance {
  handle: (...args: never[]) => unknown;
  updateHttpClientConfig?: (key: never, value: never) => void;
}

/**
 * The client EndUserMessagingSender expects: no SDK retries (the sender retries within the request's
 * deadline, and only what never reached the provider, since the send APIs have no idempotency token),
 * bounded by default (a short connect timeout, and `throwOnRequestTimeout`: without it `requestTimeout`
 * only warns), and
 * agents that tell the sender whether each attempt ever had a connection (wire-observation.ts).
 *
 * `config.requestHandler` may be handler options (merged) or a ready handler: its agents are replaced
 * through the handler's own config update. A handler that cannot take them still works; its failures
 * are then classified by error shape alone, the conservative way.
 */
export function createEndUserMessagingClient(
  config: PinpointSMSVoiceV2ClientConfig = {},
): PinpointSMSVoiceV2Client {
  const given = config.requestHandler as RequestHandlerInstance | Record<string, unknown> | undefined;
  const agents = wireObservingAgents();
  let requestHandler: PinpointSMSVoiceV2ClientConfig['requestHandler'];
  if (given && typeof given.handle === 'function') {
    const handler = given as RequestHandlerInstance;
    const update = handler.updateHttpClientConfig as ((key: string, value: unknown) => void) | undefined;
    update?.call(handler, 'httpAgent', agents.httpAgent);
    update?.call(handler, 'httpsAgent', agents.httpsAgent);
    requestHandler = config.requestHandler;
  } else {
    requestHandler = {
      connectionTimeout: 300,
      requestTimeout: 2_000,
      throwOnRequestTimeout: true,
      ...given,
      ...agents,
    };
  }
  return new PinpointSMSVoiceV2Client({ ...config, requestHandler, maxAttempts: 1 });
}

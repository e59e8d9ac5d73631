import type { Logger } from '../../ports/logger';
import type { EventTriggerEndpoint } from '../event-trigger-endpoint';
import type { LocalRoute } from './local-server';

/** The function name the local stack gives the Cognito trigger in its Invoke path. */
export const COGNITO_FUNCTION_NAME = 'cognito-sms-sender';
export const COGNITO_INVOKE_PATH = `/2015-03-31/functions/${COGNITO_FUNCTION_NAME}/invocations`;

/**
 * Lambda's Invoke API for the trigger, as Cognito calls it: the body is the event. `X-Amz-Invocation-Type:
 * Event` (Cognito's way) answers 202 at once and runs the handler after; the default (RequestResponse)
 * waits and returns what the handler returned, so `npm run send` can print it. A handler that throws is
 * answered as Lambda does: 200 with X-Amz-Function-Error and the error's type and message.
 */
export function cognitoInvokeRoute(
  trigger: Pick<EventTriggerEndpoint<unknown>, 'handle'>,
  logger: Logger,
): LocalRoute {
  return {
    path: COGNITO_INVOKE_PATH,
    authorized: false,
    async handle(body, headers) {
      let event: unknown;
      try {
        event = JSON.parse(body);
      } catch {
        return {
          statusCode: 400,
          body: JSON.stringify({ Type: 'User', message: 'Could not parse request body into json' }),
        };
      }
      const run = trigger.handle(event);
      if (String(headers['x-amz-invocation-type'] ?? '').toLowerCase() === 'event') {
        run.catch((error: unknown) =>
          logger.error('asynchronous invocation failed', {
            error: error instanceof Error ? error.name : 'unknown',
          }),
        );
        return { statusCode: 202, body: '' };
      }
      try {
        return { statusCode: 200, body: JSON.stringify((await run) ?? null) };
      } catch (error) {
        const failure = error instanceof Error ? error : new Error(String(error));
        return {
          statusCode: 200,
          headers: { 'x-amz-function-error': 'Unhandled' },
          body: JSON.stringify({ errorType: failure.name, errorMessage: failure.message }),
        };
      }
    },
  };
}

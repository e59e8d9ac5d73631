import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { composeTwilioStatus } from '../composition/feedback-composition';
import { logLevel, readEnv } from '../config/env-readers';
import { loadTwilioStatusConfig } from '../config/telemetry-config';

const { LOG_LEVEL } = readEnv(process.env, { LOG_LEVEL: logLevel() });
// Top-level await (the bundle is ESM): the auth token is fetched during init, once per environment.
const twilioStatus = await composeTwilioStatus(loadTwilioStatusConfig(process.env), LOG_LEVEL);

export const handler = (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> =>
  twilioStatus.handle(event);

import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { composeEventHook } from '../composition/feedback-composition';
import { logLevel, readEnv } from '../config/env-readers';
import { loadEventHookConfig } from '../config/telemetry-config';

const { LOG_LEVEL } = readEnv(process.env, { LOG_LEVEL: logLevel() });
// Top-level await (the bundle is ESM): the secret is fetched during init, once per environment.
const eventHook = await composeEventHook(loadEventHookConfig(process.env), LOG_LEVEL);

export const handler = (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> =>
  eventHook.handle(event);

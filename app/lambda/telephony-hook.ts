import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { awsHookAdapters } from '../composition/aws-hook-adapters';
import { buildHookContainer } from '../composition/hook-container';
import { loadAwsConfig } from '../config/aws-config';
import { loadDeliveryConfig } from '../config/delivery-config';
import { logLevel, readEnv } from '../config/env-readers';
import { loadHookTelemetryConfig } from '../config/telemetry-config';
import { HttpHooks } from '../http-hook-routes';

// Built once per execution environment, at init (which Lambda does not bill against the 3 s the
// way it bills a first request's own work): config validated, SDK clients and caches reused across invocations.
const { delivery, hook } = loadDeliveryConfig(process.env);
const { LOG_LEVEL } = readEnv(process.env, { LOG_LEVEL: logLevel() });
const container = buildHookContainer(
  awsHookAdapters(loadAwsConfig(process.env), {
    delivery,
    hook,
    logLevel: LOG_LEVEL,
    telemetry: loadHookTelemetryConfig(process.env),
  }),
);
// Every HTTP IdP's route (app/http-hook-routes.ts) is served by this one function.
const hooks = container.get(HttpHooks);

export const handler = (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => hooks.handle(event);

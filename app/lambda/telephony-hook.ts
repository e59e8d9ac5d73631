import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { awsHookAdapters } from '../composition/aws-hook-adapters';
import { buildHookContainer } from '../composition/hook-container';
import { initIsOffRequestPath, warmUpHookAdapters } from '../composition/hook-warm-up';
import { loadAwsConfig } from '../config/aws-config';
import { loadDeliveryConfig } from '../config/delivery-config';
import { logLevel, readEnv } from '../config/env-readers';
import { loadHookTelemetryConfig } from '../config/telemetry-config';
import { HttpHooks } from '../http-hook-routes';

// Built once per execution environment, at init: config validated, SDK clients and caches reused across
// invocations.
const { delivery, hook } = loadDeliveryConfig(process.env);
const { LOG_LEVEL } = readEnv(process.env, { LOG_LEVEL: logLevel() });
const adapters = awsHookAdapters(loadAwsConfig(process.env), {
  delivery,
  hook,
  logLevel: LOG_LEVEL,
  telemetry: loadHookTelemetryConfig(process.env),
});
// Every HTTP IdP's route (app/http-hook-routes.ts) is served by this one function.
const hooks = buildHookContainer(adapters).get(HttpHooks);

// Lambda finishes a module's top-level await before the first invoke (and before any traffic with
// provisioned concurrency): the KMS-derived fingerprint key and the default language's templates are
// fetched here, so the first request pays neither round trip; with provisioned concurrency or SnapStart
// (init before any traffic), the first request's SDK operations are primed too, without sending anything
// (sdk-call-primes.ts). Bounded by each client's own bounds; a failure is logged, never thrown — the first
// request then does that work itself.
await warmUpHookAdapters(adapters, {
  defaultLocale: delivery.defaultLocale,
  defaultPhoneRegion: hook.defaultPhoneRegion,
  prime: initIsOffRequestPath(process.env),
});

export const handler = (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => hooks.handle(event);

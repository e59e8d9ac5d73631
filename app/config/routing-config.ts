import * as v from 'valibot';
import bundledTable from '../../config/message-routes.json';
import { CHANNELS, PURPOSES } from '../../domain/delivery-request';
import { SENDER_TYPES } from '../../domain/provider-capabilities';
import { type Route, routeTableProblems } from '../../domain/route-table';
import type { ProviderPolicy } from '../provider-policies';
import { ConfigError } from './env-readers';

/** The route table and the policies of the providers this deployment has, validated. */
export interface RoutingConfig {
  /** Every route, each naming only configured providers, in order; the last is the catch-all. */
  readonly routes: readonly Route[];
  readonly minAttemptMs: number;
  /** By provider name, for the configured providers. */
  readonly policies: Readonly<Record<string, ProviderPolicy>>;
}

const int = (min: number, max: number) => v.pipe(v.number(), v.integer(), v.minValue(min), v.maxValue(max));

const breakerSchema = v.pipe(
  v.strictObject({
    consecutiveFailures: v.optional(int(1, 100)),
    failureRate: v.optional(
      v.pipe(
        v.strictObject({
          // cockatiel's CountBreaker takes a rate strictly between 0 and 1.
          threshold: v.pipe(v.number(), v.minValue(0.01), v.maxValue(0.99)),
          windowCalls: int(2, 1000),
          minimumCalls: int(1, 1000),
        }),
        v.check((rate) => rate.minimumCalls <= rate.windowCalls, 'minimumCalls must not exceed windowCalls'),
      ),
    ),
    halfOpenAfterMs: int(100, 600_000),
  }),
  v.check(
    (breaker) => breaker.consecutiveFailures !== undefined || breaker.failureRate !== undefined,
    'a breaker needs consecutiveFailures, failureRate or both',
  ),
);

const policySchema = v.strictObject({
  // Okta's whole budget is 3 s: a call bound longer than that is a typo.
  attemptTimeoutMs: int(100, 2_900),
  maxAttempts: int(1, 5),
  backoff: v.pipe(
    v.strictObject({ baseMs: int(0, 1_000), maxMs: int(0, 2_000) }),
    v.check((backoff) => backoff.maxMs >= backoff.baseMs, 'backoff maxMs must be at least baseMs'),
  ),
  breaker: breakerSchema,
});

const routeSchema = v.strictObject({
  comment: v.optional(v.string()),
  countries: v.array(v.string()),
  channels: v.optional(v.array(v.picklist(CHANNELS))),
  purposes: v.optional(v.array(v.picklist(PURPOSES))),
  providers: v.array(v.string()),
  failoverOnUncertain: v.optional(v.boolean()),
  senderType: v.optional(v.picklist(SENDER_TYPES)),
});

// Strict objects throughout: a misspelt key ("failoverOnUncertian") must stop the start, not be ignored.
const tableSchema = v.strictObject({
  comment: v.optional(v.string()),
  version: v.literal(1),
  minAttemptMs: int(50, 1_000),
  providers: v.record(v.string(), policySchema),
  routes: v.array(routeSchema),
});

/**
 * Reads the route table (config/message-routes.json unless `table` is given) and keeps, in every route,
 * only the providers this deployment has configured (`configured`, by name). Every problem is reported
 * at once, as the environment readers do: a table that names an unknown provider, a route after the
 * catch-all, a route none of whose providers is configured, a configured provider without a policy.
 */
export function loadRoutingConfig(
  configured: readonly string[],
  table: unknown = bundledTable,
): RoutingConfig {
  const parsed = v.safeParse(tableSchema, table);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.issues.map((issue) => `route table ${v.getDotPath(issue) ?? '(root)'}: ${issue.message}`),
    );
  }
  const { routes, providers, minAttemptMs } = parsed.output;
  const problems = routeTableProblems(
    routes.map(({ comment: _, ...route }) => route),
    Object.keys(providers),
  ).map((problem) => `route table: ${problem}`);
  for (const name of configured) {
    if (!providers[name]) problems.push(`route table: provider "${name}" is configured but has no policy`);
  }
  const kept: Route[] = routes.map(({ comment: _, ...route }, i) => {
    const here = route.providers.filter((name) => configured.includes(name));
    if (here.length === 0 && route.providers.length > 0) {
      problems.push(
        `route table: route ${i + 1} has none of its providers (${route.providers.join(', ')}) configured here`,
      );
    }
    return { ...route, providers: here };
  });
  if (problems.length > 0) throw new ConfigError(problems);
  const policies: Record<string, ProviderPolicy> = {};
  for (const name of configured) policies[name] = providers[name] as ProviderPolicy;
  return { routes: kept, minAttemptMs, policies };
}

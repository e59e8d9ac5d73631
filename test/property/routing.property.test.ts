import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../app/config/env-readers';
import { loadRoutingConfig } from '../../app/config/routing-config';
import type { ProviderPolicy } from '../../app/provider-policies';
import { ProviderRouter } from '../../app/provider-router';
import { Deadline } from '../../domain/deadline';
import { CHANNELS, type Channel, PURPOSES, type Purpose } from '../../domain/delivery-request';
import { DeliveryError } from '../../domain/errors';
import type { OutboundMessage } from '../../domain/outbound-message';
import { ANY_COUNTRY, type Route, routeTableProblems, selectRoute } from '../../domain/route-table';
import { RecordingLogger } from '../support/recording-logger';
import { accept, hang, lose, refuse, ScriptedProvider, type Step } from '../support/scripted-provider';

const PROVIDERS = ['eum', 'twilio', 'third'];
const COUNTRIES = ['US', 'GB', 'IN', 'FR', 'BR'];

const route = (catchAll: boolean): fc.Arbitrary<Route> =>
  fc.record(
    {
      countries: catchAll ? fc.constant([ANY_COUNTRY]) : fc.subarray(COUNTRIES, { minLength: 1 }),
      channels: catchAll
        ? fc.constant(undefined)
        : fc.option(fc.subarray([...CHANNELS], { minLength: 1 }), { nil: undefined }),
      purposes: catchAll
        ? fc.constant(undefined)
        : fc.option(fc.subarray([...PURPOSES], { minLength: 1 }), { nil: undefined }),
      providers: fc.shuffledSubarray(PROVIDERS, { minLength: 1 }),
      failoverOnUncertain: fc.boolean(),
    },
    { requiredKeys: ['countries', 'providers'] },
  );

const table = fc
  .tuple(fc.array(route(false), { maxLength: 6 }), route(true))
  .map(([specific, last]) => [...specific, last]);

const query = fc.record({
  countries: fc.subarray(COUNTRIES, { minLength: 1, maxLength: 2 }),
  channel: fc.constantFrom<Channel>(...CHANNELS),
  purpose: fc.constantFrom<Purpose>(...PURPOSES),
});

describe('route table', () => {
  it('a table ending in a catch-all is valid and always has a route: the first that matches', () => {
    fc.assert(
      fc.property(table, query, (routes, q) => {
        expect(routeTableProblems(routes, PROVIDERS)).toEqual([]);
        const chosen = selectRoute(routes, q);
        expect(chosen).toBeDefined();
        const index = routes.indexOf(chosen as Route);
        const matches = (r: Route) =>
          (r.countries.includes(ANY_COUNTRY) || q.countries.some((c) => r.countries.includes(c))) &&
          (r.channels === undefined || r.channels.includes(q.channel)) &&
          (r.purposes === undefined || r.purposes.includes(q.purpose));
        expect(matches(chosen as Route)).toBe(true);
        expect(routes.slice(0, index).some(matches)).toBe(false);
      }),
    );
  });

  it('anything after the catch-all, an unknown provider, or no catch-all is refused', () => {
    fc.assert(
      fc.property(
        table,
        route(false),
        fc.string({ minLength: 1, maxLength: 8 }),
        (routes, extra, unknown) => {
          expect(routeTableProblems([...routes, extra], PROVIDERS).join()).toMatch(/never used|catch-all/);
          fc.pre(!PROVIDERS.includes(unknown));
          const withUnknown = routes.map((r, i) =>
            i === 0 ? { ...r, providers: [...r.providers, unknown] } : r,
          );
          expect(routeTableProblems(withUnknown, PROVIDERS).join()).toContain('unknown provider');
          expect(routeTableProblems(routes.slice(0, -1).concat(extra), PROVIDERS).join()).toContain(
            'catch-all',
          );
        },
      ),
    );
  });

  it('the config keeps only configured providers and refuses a route left with none', () => {
    const base = {
      version: 1,
      minAttemptMs: 250,
      providers: Object.fromEntries(
        PROVIDERS.map((p) => [
          p,
          {
            attemptTimeoutMs: 1000,
            maxAttempts: 2,
            backoff: { baseMs: 10, maxMs: 100 },
            breaker: { consecutiveFailures: 3, halfOpenAfterMs: 1000 },
          },
        ]),
      ),
    };
    fc.assert(
      fc.property(table, fc.subarray(PROVIDERS, { minLength: 1 }), (routes, configured) => {
        const file = { ...base, routes };
        const orphan = routes.some((r) => !r.providers.some((p) => configured.includes(p)));
        if (orphan) {
          expect(() => loadRoutingConfig(configured, file)).toThrow(ConfigError);
          return;
        }
        const config = loadRoutingConfig(configured, file);
        for (const [i, r] of config.routes.entries()) {
          expect(r.providers).toEqual((routes[i] as Route).providers.filter((p) => configured.includes(p)));
        }
        expect(Object.keys(config.policies).sort()).toEqual([...configured].sort());
      }),
    );
  });
});

const POLICY: ProviderPolicy = {
  attemptTimeoutMs: 100,
  maxAttempts: 3,
  backoff: { baseMs: 0, maxMs: 0 },
  breaker: { consecutiveFailures: 1_000, halfOpenAfterMs: 1_000 },
};

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.constant(accept),
  fc.constantFrom(
    refuse('throttled'),
    refuse('provider-unavailable'),
    refuse('network'),
    refuse('destination-blocked'),
    refuse('opted-out'),
  ),
  fc.constantFrom(lose('network'), lose('timeout')),
  fc.constant(hang),
);

function message(eventId: string): OutboundMessage {
  return {
    eventId,
    purpose: 'verification',
    channel: 'sms',
    to: '+14155550123',
    locale: 'en',
    templateSource: 'catalogue',
    body: 'Your code is 123456',
    bodyType: 'text',
    expiresAt: new Date(Date.now() + 300_000),
  };
}

describe('router invariants, whatever the providers do', () => {
  it('at most one message on a phone; never a second provider after an uncertain failure; every call counted', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(step, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 3 }),
        fc.boolean(),
        async (scripts, failoverOnUncertain) => {
          const providers = scripts.map((script, i) => new ScriptedProvider(PROVIDERS[i] as string, script));
          const router = new ProviderRouter(
            providers.map((provider) => ({ provider, policy: POLICY })),
            {
              routes: [{ countries: ['*'], providers: providers.map((p) => p.name), failoverOnUncertain }],
              minAttemptMs: 10,
            },
            { now: () => Date.now() },
            new RecordingLogger(),
          );
          const outcome = await router
            .send(message('evt'), {
              signal: new AbortController().signal,
              deadline: Deadline.after(Date.now(), 300),
            })
            .then(
              (receipt) => ({ receipt }),
              (error: unknown) => ({ error: error as DeliveryError }),
            );
          const calls = providers.flatMap((p) => p.calls.map((c) => ({ ...c, provider: p.name })));
          const accepted = calls.filter((c) => c.step === 'accept');
          const uncertainAt = calls.findIndex((c) => c.outcome === 'uncertain');
          // One message at most, whatever the scripts.
          expect(accepted.length).toBeLessThanOrEqual(1);
          if ('receipt' in outcome) {
            expect(accepted).toHaveLength(1);
            expect(outcome.receipt.attempts).toBe(calls.length);
            expect(outcome.receipt.tries?.at(-1)?.outcome).toBe('sent');
          } else {
            expect(outcome.error).toBeInstanceOf(DeliveryError);
            expect(accepted).toHaveLength(0);
            expect(outcome.error.attempts).toBe(calls.length);
            // Uncertain exactly when some call may have reached a provider.
            expect(outcome.error.certainty).toBe(uncertainAt >= 0 ? 'uncertain' : 'not-sent');
          }
          if (uncertainAt >= 0 && !failoverOnUncertain) {
            // Nothing after the first call that may have arrived.
            expect(calls).toHaveLength(uncertainAt + 1);
          }
        },
      ),
      { numRuns: 60 },
    );
  }, 60_000);
});

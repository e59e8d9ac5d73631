import { loadBrakesConfig } from '../../app/config/brakes-config';
import type { BrakePolicy, CountryRule, VelocityLimit } from '../../domain/brake-policy';

/** The shipped default policy (loadBrakesConfig({})), for tests that vary one part of it. */
export const DEFAULT_POLICY: BrakePolicy = loadBrakesConfig({}).policy;

/** The default policy with other limits and country rules, nothing else changed. */
export function policyWith(
  overrides: {
    limits?: readonly VelocityLimit[];
    countries?: BrakePolicy['countries'];
    sms?: CountryRule;
    voice?: CountryRule;
  } & Partial<Omit<BrakePolicy, 'limits' | 'countries'>>,
): BrakePolicy {
  const { sms, voice, ...rest } = overrides;
  return {
    ...DEFAULT_POLICY,
    ...rest,
    countries: {
      ...DEFAULT_POLICY.countries,
      ...(overrides.countries ?? {}),
      ...(sms ? { sms } : {}),
      ...(voice ? { voice } : {}),
    },
  };
}

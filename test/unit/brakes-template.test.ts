import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { COUNTRY_POLICY } from '../../app/config/country-policy';
import { HIGH_RISK_EXAMPLE } from '../../app/config/high-risk-destinations';
import { protectCountryRuleSet, protectCountryRuleSetYaml } from '../../app/protect-country-rules';
import { knownRegions } from '../../domain/phone-destination';
import { loadTemplate } from '../../scripts/cloudformation-yaml';

const root = fileURLToPath(new URL('../../', import.meta.url));

describe('one country policy, two enforcement points', () => {
  it('template.yaml protects with exactly the rules of app/config/country-policy.ts (npm run brakes -- protect-rules)', () => {
    const template = loadTemplate(`${root}template.yaml`);
    const protect = template.Resources.BrakesProtectConfiguration;
    expect(protect?.Type).toBe('AWS::SMSVOICE::ProtectConfiguration');
    const actual = (protect?.Properties?.CountryRuleSet ?? {}) as Record<string, unknown>;
    expect(actual).toEqual(protectCountryRuleSet(COUNTRY_POLICY));
  });

  it('a block list blocks only its ISO codes; an allow list blocks every other region', () => {
    const set = protectCountryRuleSet({
      sms: { mode: 'block', countries: ['JM', 'CU', '001', 'JM'] },
      voice: { mode: 'allow', countries: ['US', 'CA'] },
    });
    expect(set.SMS).toEqual([
      { CountryCode: 'CU', ProtectStatus: 'BLOCK' },
      { CountryCode: 'JM', ProtectStatus: 'BLOCK' },
    ]);
    expect(set.VOICE).toHaveLength(knownRegions().length - 3); // AC, TA, XK are not ISO 3166-1
    expect(set.VOICE?.filter((r) => r.ProtectStatus === 'ALLOW').map((r) => r.CountryCode)).toEqual([
      'CA',
      'US',
    ]);
    expect(protectCountryRuleSet({ sms: { mode: 'allow-all' }, voice: { mode: 'allow-all' } })).toEqual({});
  });

  it('prints YAML that reads back as the same rule set', async () => {
    const { parse } = await import('yaml');
    const countries = {
      sms: { mode: 'block' as const, countries: [...HIGH_RISK_EXAMPLE, 'NO'] },
      voice: { mode: 'allow-all' as const },
    };
    const yaml = protectCountryRuleSetYaml(countries);
    expect(parse(yaml.replace(/^ {6}/gm, '')).CountryRuleSet).toEqual(protectCountryRuleSet(countries));
    // Norway stays a string under YAML 1.1, which cfn-lint speaks.
    expect(yaml).toContain('CountryCode: "NO"');
  });

  it('the example high-risk list holds real ISO regions, each once', () => {
    const regions = new Set(knownRegions());
    expect(HIGH_RISK_EXAMPLE.filter((code) => !regions.has(code))).toEqual([]);
    expect(new Set(HIGH_RISK_EXAMPLE).size).toBe(HIGH_RISK_EXAMPLE.length);
  });
});

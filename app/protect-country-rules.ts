import type { CountryRule } from '../domain/brake-policy';
import { CHANNELS, type Channel } from '../domain/delivery-request';
import { knownRegions } from '../domain/phone-destination';

export interface ProtectCountryRule {
  readonly CountryCode: string;
  readonly ProtectStatus: 'ALLOW' | 'BLOCK';
}

/** AWS::SMSVOICE::ProtectConfiguration's CountryRuleSet keys, per channel. */
const NOT_ISO_3166 = new Set(['AC', 'TA', 'XK']);

const CAPABILITY: Readonly<Record<Channel, 'SMS' | 'VOICE'>> = { sms: 'SMS', voice: 'VOICE' };

/**
 * The country policy as End User Messaging Protect expresses it, so one configuration has two
 * enforcement points. Protect allows every country unless told otherwise, so "block" lists the blocked
 * ones and "allow" blocks every other region the numbering plan knows; "allow-all" needs no rule.
 * Non-geographic numbers ("001") have no ISO code Protect accepts: only the hook enforces those.
 */
export function protectCountryRuleSet(
  countries: Readonly<Record<Channel, CountryRule>>,
): Partial<Record<'SMS' | 'VOICE', ProtectCountryRule[]>> {
  const set: Partial<Record<'SMS' | 'VOICE', ProtectCountryRule[]>> = {};
  for (const channel of CHANNELS) {
    const rule = countries[channel];
    if (rule.mode === 'allow-all') continue;
    const listed = [...new Set(rule.countries.filter((code) => /^[A-Z]{2}$/.test(code)))].sort();
    set[CAPABILITY[channel]] =
      rule.mode === 'block'
        ? listed.map((CountryCode) => ({ CountryCode, ProtectStatus: 'BLOCK' as const }))
        : knownRegions()
            // Codes libphonenumber uses that are not ISO 3166-1 countries (Ascension, Tristan da Cunha,
            // Kosovo): Protect has no rules for them.
            .filter((code) => !NOT_ISO_3166.has(code))
            .sort()
            .map((CountryCode) => ({
              CountryCode,
              ProtectStatus: listed.includes(CountryCode) ? ('ALLOW' as const) : ('BLOCK' as const),
            }));
  }
  return set;
}

/** The YAML to paste under BrakesProtectConfiguration's Properties in template.yaml. */
export function protectCountryRuleSetYaml(countries: Readonly<Record<Channel, CountryRule>>): string {
  const set = protectCountryRuleSet(countries);
  const keys = Object.keys(set) as ('SMS' | 'VOICE')[];
  if (keys.length === 0)
    return '      # Every country allowed on both channels (app/config/country-policy.ts): no CountryRuleSet.\n';
  const lines = ['      CountryRuleSet:'];
  for (const key of keys) {
    lines.push(`        ${key}:`);
    // Quoted: YAML 1.1 parsers (cfn-lint among them) read a bare NO (Norway) as false.
    for (const rule of set[key] ?? [])
      lines.push(`          - { CountryCode: "${rule.CountryCode}", ProtectStatus: ${rule.ProtectStatus} }`);
  }
  return `${lines.join('\n')}\n`;
}

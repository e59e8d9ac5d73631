import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { screenDestination } from '../../domain/brake-rules';
import { CHANNELS, type Channel } from '../../domain/delivery-request';
import { destinationOf } from '../../domain/phone-destination';
import { loadBrakesConfig } from '../config/brakes-config';
import { COUNTRY_POLICY } from '../config/country-policy';
import { protectCountryRuleSetYaml } from '../protect-country-rules';

const USAGE = `usage: npm run brakes -- <command>

  protect-rules [--write]
                       print the CountryRuleSet of template.yaml's BrakesProtectConfiguration, made
                       from app/config/country-policy.ts; --write puts it into template.yaml between
                       its "generated country rules" markers (a test checks they agree).
  check <+E.164> [--channel sms|voice]
                       what the brakes make of a number: its kind, its country, and whether the
                       number and country rules refuse it (velocity and spend need live counters).
  config               the effective brake policy from BRAKES_* in the environment, as JSON.`;

function main(argv: string[]): number {
  const [command, ...rest] = argv;
  const brakes = loadBrakesConfig(process.env);
  if (command === 'protect-rules') {
    const yaml = protectCountryRuleSetYaml(COUNTRY_POLICY);
    if (!rest.includes('--write')) {
      process.stdout.write(yaml);
      return 0;
    }
    const file = new URL('../../template.yaml', import.meta.url);
    const template = readFileSync(file, 'utf8');
    const marked = /( *# BEGIN generated country rules\n)[\s\S]*?( *# END generated country rules\n)/;
    if (!marked.test(template)) {
      process.stderr.write('template.yaml has no "# BEGIN/END generated country rules" markers\n');
      return 1;
    }
    writeFileSync(
      file,
      template.replace(marked, (_, begin: string, end: string) => `${begin}${yaml}${end}`),
    );
    process.stdout.write('template.yaml: BrakesProtectConfiguration country rules updated\n');
    return 0;
  }
  if (command === 'config') {
    process.stdout.write(`${JSON.stringify(brakes, null, 2)}\n`);
    return 0;
  }
  if (command === 'check') {
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: { channel: { type: 'string', default: 'sms' } },
    });
    const phone = positionals[0];
    const channel = values.channel as Channel;
    if (!phone || !/^\+[1-9]\d{5,14}$/.test(phone) || !CHANNELS.includes(channel)) {
      process.stderr.write(`${USAGE}\n`);
      return 2;
    }
    const destination = destinationOf(phone);
    const refusal = screenDestination(brakes.policy, channel, destination);
    process.stdout.write(
      `${JSON.stringify({ ...destination, channel, refusal: refusal ?? null }, null, 2)}\n`,
    );
    return refusal ? 1 : 0;
  }
  process.stderr.write(`${USAGE}\n`);
  return 2;
}

process.exitCode = main(process.argv.slice(2));

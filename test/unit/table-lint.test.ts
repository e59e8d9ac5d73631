import { describe, expect, it } from 'vitest';
import { bundledTemplates } from '../../adapters/i18n/i18next-template-store';
import { lintTableTemplates } from '../../app/table-lint';
import type { MessageTemplate } from '../../domain/message-template';

const sms = (locale: string, purpose: MessageTemplate['purpose'], body: string): MessageTemplate => ({
  locale,
  channel: 'sms',
  purpose,
  body,
  source: 'dynamodb',
});

describe('lintTableTemplates: the lint rules, for what operators wrote', () => {
  const catalogue = bundledTemplates();

  it('a purpose-specific template needs a generic one only where the catalogue has none', () => {
    const report = lintTableTemplates(
      [sms('fr-CA', 'verification', 'Code {{code}}'), sms('cy', 'verification', 'Cod {{code}}')],
      catalogue,
    );
    expect(report.problems.map((p) => `${p.locale}/${p.purpose}`)).toEqual(['cy/*']);
    expect(report.summary.problems).toBe(1);
  });

  it("keeps every other rule, and voices heard in the catalogue's fallback language pass", () => {
    const report = lintTableTemplates(
      [
        sms('en', 'generic', 'No code'),
        {
          locale: 'hi',
          channel: 'voice',
          purpose: 'generic',
          body: 'Code {{code}}, {{code}}.',
          voiceId: 'RAVEENA',
          source: 'dynamodb',
        },
      ],
      catalogue,
    );
    expect(report.problems.map((p) => p.message)).toEqual(['no {{code}} placeholder']);
  });
});

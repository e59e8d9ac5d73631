import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderVoiceSsml } from '../../domain/render-message';
import { spokenText } from '../../domain/spoken-text';
import { templateProblems } from '../../domain/template-validation';

// Words around the placeholders: no digits (the test finds the code's), no braces, no markup.
const words = fc.string({
  unit: fc.constantFrom('a', 'é', ' ', ',', '.', '中', 'ש', '&', "'", '"'),
  maxLength: 30,
});

describe('spokenText of any valid voice template', () => {
  it('contains the code, spelled, twice, and never the markup', () => {
    fc.assert(
      fc.property(
        words,
        words,
        words,
        fc.stringMatching(/^\d{4,10}$/),
        fc.string({ maxLength: 30 }).map((name) => name.replaceAll('<', '')),
        (a, b, c, code, name) => {
          const template = {
            locale: 'en',
            channel: 'voice' as const,
            purpose: 'generic' as const,
            source: 'dynamodb' as const,
            body: `${a.replaceAll('&', '&amp;')}{{code}}${b.replace(/[&<>]/g, '')} {{firstName}} {{code}}${c.replaceAll('&', 'and')}`,
            voiceId: 'JOANNA',
          };
          fc.pre(templateProblems(template).length === 0);
          const spoken = spokenText(
            renderVoiceSsml(template, { code, minutes: 5, brand: 'Acme', firstName: name }),
          );
          expect(spoken).toBeDefined();
          const spelled = Array.from(code).join(' ');
          expect(spoken?.split(spelled).length).toBe(3);
          // No markup of the document is ever read out (values are text: a "<" in them would be spoken).
          expect(spoken).not.toContain('<');
        },
      ),
    );
  });
});

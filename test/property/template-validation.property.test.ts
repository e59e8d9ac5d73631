import fc from 'fast-check';
import { XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { CHANNELS } from '../../domain/delivery-request';
import { TemplateError } from '../../domain/errors';
import { renderVoiceSsml } from '../../domain/render-message';
import { templateProblems, validateTemplate } from '../../domain/template-validation';

const piece = fc.constantFrom(
  '{{code}}',
  '{{ code }}',
  '{{minutes}}',
  '{{brand}}',
  '{{firstName}}',
  '{{x}}',
  '{',
  '}',
  '<speak>',
  '</speak>',
  '<break time="1s"/>',
  '&',
  '&amp;',
  '<p>',
  '</p>',
  'text ',
);
const body = fc.oneof(
  fc.string(),
  fc.array(piece, { maxLength: 12 }).map((p) => p.join('')),
);

describe('template validation properties', () => {
  it('classifies any body without throwing anything but TemplateError', () => {
    fc.assert(
      fc.property(body, fc.constantFrom(...CHANNELS), (b, channel) => {
        const template = {
          locale: 'en',
          channel,
          purpose: 'generic' as const,
          source: 'dynamodb' as const,
          body: b,
        };
        const problems = templateProblems(template);
        if (problems.length === 0) {
          expect(validateTemplate(template)).toBe(template);
          // Whatever passes validation renders to a document the provider accepts.
          if (channel === 'voice') {
            const ssml = renderVoiceSsml(template, {
              code: '12345678',
              minutes: 5,
              brand: 'A&B',
              firstName: '<x>',
            });
            expect(XMLValidator.validate(ssml)).toBe(true);
          }
        } else expect(() => validateTemplate(template)).toThrow(TemplateError);
      }),
      { numRuns: 3000 },
    );
  });
});

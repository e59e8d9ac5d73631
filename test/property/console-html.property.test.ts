import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeHtml, html } from '../../app/console/html';

describe("the console's html templates", () => {
  it('never let an interpolated string become markup, in text or in an attribute', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string({ unit: 'binary' }),
          fc.constantFrom('"><script>x</script>', "' onmouseover='x", '`back` ticks', '&lt;'),
        ),
        (text) => {
          const out = html`<p title="${text}">${text}</p><ul>${[text, [text]]}</ul>`.value;
          const escaped = escapeHtml(text);
          expect(escaped).not.toMatch(/[<>"'`]/);
          // Every & left in the output starts an entity this module wrote.
          expect(escaped.replace(/&(amp|lt|gt|quot|#39|#96);/g, '')).not.toContain('&');
          expect(out).toBe(`<p title="${escaped}">${escaped}</p><ul>${escaped}${escaped}</ul>`);
        },
      ),
    );
  });

  it('nests html fragments as they are and drops empty values', () => {
    const inner = html`<b>${'<i>'}</b>`;
    expect(html`<p>${inner}${undefined}${null}${false}${0}</p>`.value).toBe('<p><b>&lt;i&gt;</b>0</p>');
  });
});

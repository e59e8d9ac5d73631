/**
 * HTML built from template literals where every interpolated value is escaped unless it is already
 * SafeHtml (the output of `html` itself). Template text is operator- or file-supplied: it must never be
 * able to become markup in the console's own page.
 */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

/** Text and attribute values alike: attributes are always written in double quotes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => ESCAPES[c] ?? c);
}

function render(value: HtmlValue): string {
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === null || value === undefined || value === false || value === true) return '';
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? '');
  });
  return new SafeHtml(out);
}

/** An attribute present or absent: `<input${attr('disabled', busy)}>`. */
export function attr(name: string, value: string | boolean | undefined): SafeHtml {
  if (value === undefined || value === false) return new SafeHtml('');
  return new SafeHtml(value === true ? ` ${name}` : ` ${name}="${escapeHtml(value)}"`);
}

import { describe, expect, it } from 'vitest';
import { diffTemplateFields } from '../../app/template-diff';
import {
  draftFromForm,
  draftFromTemplate,
  editableFields,
  fieldLabels,
  fileItemFromDraft,
  flattenFields,
  parseTemplateKey,
  templateFromDraft,
} from '../../app/template-fields';

const key = { locale: 'fr', channel: 'voice', purpose: 'generic' } as const;

describe("template fields: the one place that knows a template's shape", () => {
  it("shows the known fields for the channel, in the template's language", () => {
    const fields = editableFields({
      ...key,
      body: 'Code {{code}} {{code}}',
      voiceId: 'LEA',
      version: 3,
      updatedBy: 'x',
    });
    expect(fields.map((f) => [f.name, f.kind, f.value, f.inTemplateLanguage])).toEqual([
      ['field.body', 'text', 'Code {{code}} {{code}}', true],
      ['field.voiceId', 'voice', 'LEA', false],
    ]);
    expect(editableFields({ ...key, channel: 'sms', body: 'x' }).map((f) => f.name)).toEqual(['field.body']);
  });

  it('shows and keeps a field it does not know, such as a phrase per plural category', () => {
    const item = {
      ...key,
      body: 'Code {{code}} {{code}}',
      voiceId: 'LEA',
      expiry: { one: '{{minutes}} minute', other: '{{minutes}} minutes' },
    };
    const fields = editableFields(item);
    expect(fields.filter((f) => f.group).map((f) => [f.name, f.group?.category])).toEqual([
      ['field.expiry.one', 'one'],
      ['field.expiry.other', 'other'],
    ]);
    const form = Object.fromEntries(fields.map((f) => [f.name, f.value]));
    expect(draftFromForm(key, form)).toEqual(item);
    expect(fileItemFromDraft({ ...item, updatedAt: 'then', version: 2 }, 3)).toEqual({ ...item, version: 3 });
  });

  it('round-trips a value of a shape it does not know as JSON, never dropping it', () => {
    const item = { ...key, body: 'B {{code}} {{code}}', voiceId: 'LEA', ssmlOptions: [{ rate: 'slow' }, 2] };
    const fields = editableFields(item);
    expect(fields.at(-1)).toMatchObject({ name: 'json.ssmlOptions', kind: 'json' });
    expect(draftFromForm(key, Object.fromEntries(fields.map((f) => [f.name, f.value])))).toEqual(item);
    expect(draftFromForm(key, { 'field.body': 'x', 'json.ssmlOptions': '[oops' })).toMatchObject({
      ssmlOptions: '[oops',
    });
  });

  it('reads a form: CRLF as LF, no empty optional fields, no key or metadata from fields', () => {
    const draft = draftFromForm(key, {
      'field.body': 'Line one\r\nline two {{code}} {{code}}',
      'field.voiceId': '',
      'field.locale': 'de',
      'field.version': '99',
      'field.a.b.c': 'too deep',
      'field.expiry.one': '',
      csrf: 'x',
    });
    expect(draft).toEqual({ ...key, body: 'Line one\nline two {{code}} {{code}}' });
  });

  it('round-trips a template, and renders a draft however wrong it is', () => {
    const template = { ...key, body: 'B {{code}} {{code}}', voiceId: 'LEA', source: 'catalogue' as const };
    expect(templateFromDraft(draftFromTemplate(template))).toEqual({ ...template, source: 'dynamodb' });
    expect(templateFromDraft({ ...key, body: 42 })).toMatchObject({ body: '' });
  });

  it('accepts only a real key', () => {
    expect(parseTemplateKey({ locale: 'pt-BR', channel: 'sms', purpose: 'verification' })).toEqual({
      locale: 'pt-BR',
      channel: 'sms',
      purpose: 'verification',
    });
    for (const bad of [
      { locale: 'fr', channel: 'fax', purpose: 'generic' },
      { locale: 'fr', channel: 'sms', purpose: 'marketing' },
      { locale: '<fr>', channel: 'sms', purpose: 'generic' },
      { locale: undefined, channel: 'sms', purpose: 'generic' },
    ]) {
      expect(parseTemplateKey(bad)).toBeUndefined();
    }
  });

  it('diffs two versions field by field, words as the language splits them', () => {
    const before = { ...key, body: 'Votre code est {{code}}. {{code}}', voiceId: 'LEA' };
    const after = { ...key, body: 'Votre code Acme est {{code}}. {{code}}', voiceId: 'LEA' };
    const diff = diffTemplateFields(flattenFields(before), flattenFields(after), fieldLabels(after), 'fr');
    expect(diff.map((d) => [d.label, d.changed])).toEqual([
      ['Message', true],
      ['Voice', false],
    ]);
    expect(diff[0]?.parts.filter((p) => p.change !== 'same')).toEqual([{ text: 'Acme ', change: 'added' }]);
    const spaces = diffTemplateFields(new Map([['b', 'a  b']]), new Map([['b', 'a b']]), new Map(), 'en');
    expect(spaces[0]?.parts).toContainEqual({ text: ' ', change: 'removed' });
    const chinese = diffTemplateFields(
      new Map([['b', '您的验证码是{{code}}。']]),
      new Map([['b', '您的登录验证码是{{code}}。']]),
      new Map(),
      'zh-Hans',
    );
    expect(chinese[0]?.parts.filter((p) => p.change === 'added')).toEqual([
      { text: '登录', change: 'added' },
    ]);
  });
});

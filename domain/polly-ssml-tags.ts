/**
 * The SSML Amazon Polly speaks behind End User Messaging's SendVoiceMessage: tags, attributes, values.
 *
 * SendVoiceMessage has no engine parameter and accepts standard-engine voices (MIZUKI, CELINE,
 * CONCHITA… exist only as standard voices), so the allowlist below is Polly's SSML for the standard
 * engine (https://docs.aws.amazon.com/polly/latest/dg/supportedtags.html): every tag except
 * `<amazon:domain name="news">`, which is neural-only. Polly answers an unsupported tag with an error
 * at send time, which would turn every call in that language into an Okta fallback; and markup it
 * ignores (processing instructions, comments) can hide text from the listener, so neither is accepted.
 * Neural voices would additionally drop `<emphasis>`, `<amazon:auto-breaths>`, `<amazon:breath>`,
 * `<amazon:effect phonation|vocal-tract-length|name="whispered">`, `<prosody amazon:max-duration>` and
 * prosody `pitch`; should End User Messaging ever speak with neural voices, this list must shrink.
 */

/** One attribute an element may carry: a test on its raw value and what a good value looks like. */
interface AttributeRule {
  readonly valid: (value: string) => boolean;
  readonly expected: string;
}

export interface SsmlElementRule {
  readonly attributes: Readonly<Record<string, AttributeRule>>;
  readonly required?: readonly string[];
  /** Elements whose content is not markup: say-as, sub, phoneme and w take text only. */
  readonly content: 'mixed' | 'text' | 'empty';
  /** prosody, amazon:effect: an element without any attribute does nothing and is a typo. */
  readonly needsAttribute?: boolean;
}

const oneOf = (...values: string[]): AttributeRule => ({
  valid: (value) => values.includes(value),
  expected: values.join(' | '),
});
const matching = (pattern: RegExp, expected: string, extra?: (value: string) => boolean): AttributeRule => ({
  valid: (value) => pattern.test(value) && (extra === undefined || extra(value)),
  expected,
});
const anyText: AttributeRule = {
  valid: (value) => value.trim().length > 0,
  expected: 'non-empty text',
};

/** Milliseconds of "3s", "250ms", "1.5s"; NaN when it is neither. */
function durationMs(value: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s)$/.exec(value);
  if (!match) return Number.NaN;
  return Number(match[1]) * (match[2] === 's' ? 1000 : 1);
}
const DURATION = /^\d+(\.\d+)?(ms|s)$/;
const LANGUAGE_TAG = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;
const BREATH_VOLUME = oneOf('default', 'x-soft', 'soft', 'medium', 'loud', 'x-loud');
const BREATH_DURATION = oneOf('default', 'x-short', 'short', 'medium', 'long', 'x-long');

export const SSML_ELEMENTS: Readonly<Record<string, SsmlElementRule>> = {
  speak: { attributes: {}, content: 'mixed' },
  break: {
    attributes: {
      strength: oneOf('none', 'x-weak', 'weak', 'medium', 'strong', 'x-strong'),
      // Polly's limit: a longer pause is an error.
      time: matching(DURATION, '"3s" or "250ms", at most 10s', (v) => durationMs(v) <= 10_000),
    },
    content: 'empty',
  },
  emphasis: { attributes: { level: oneOf('strong', 'moderate', 'reduced') }, content: 'mixed' },
  lang: {
    attributes: { 'xml:lang': matching(LANGUAGE_TAG, 'a language tag such as fr-FR') },
    required: ['xml:lang'],
    content: 'mixed',
  },
  mark: { attributes: { name: anyText }, required: ['name'], content: 'empty' },
  p: { attributes: {}, content: 'mixed' },
  s: { attributes: {}, content: 'mixed' },
  phoneme: {
    attributes: { alphabet: oneOf('ipa', 'x-sampa'), ph: anyText },
    required: ['alphabet', 'ph'],
    content: 'text',
  },
  prosody: {
    attributes: {
      volume: matching(
        /^(default|silent|x-soft|soft|medium|loud|x-loud|[+-]\d+(\.\d+)?dB)$/,
        'default | silent | x-soft | soft | medium | loud | x-loud | +ndB | -ndB',
      ),
      rate: matching(
        /^(x-slow|slow|medium|fast|x-fast|default|\d+%|[+-]\d+(\.\d+)?%)$/,
        'x-slow | slow | medium | fast | x-fast | n% (20% to 200%)',
        (v) => !/^\d+%$/.test(v) || (Number.parseInt(v, 10) >= 20 && Number.parseInt(v, 10) <= 200),
      ),
      pitch: matching(
        /^(default|x-low|low|medium|high|x-high|[+-]\d+(\.\d+)?%)$/,
        'default | x-low | low | medium | high | x-high | +n% | -n%',
      ),
      'amazon:max-duration': matching(DURATION, '"2s" or "2400ms"'),
    },
    content: 'mixed',
    needsAttribute: true,
  },
  'say-as': {
    attributes: {
      'interpret-as': oneOf(
        'characters',
        'spell-out',
        'cardinal',
        'number',
        'ordinal',
        'digits',
        'fraction',
        'unit',
        'date',
        'time',
        'address',
        'expletive',
        'telephone',
      ),
      format: oneOf('mdy', 'dmy', 'ymd', 'md', 'dm', 'ym', 'my', 'd', 'm', 'y', 'yyyymmdd'),
    },
    required: ['interpret-as'],
    content: 'text',
  },
  sub: { attributes: { alias: anyText }, required: ['alias'], content: 'text' },
  w: {
    attributes: {
      role: oneOf(
        'amazon:VB',
        'amazon:VBD',
        'amazon:DT',
        'amazon:IN',
        'amazon:JJ',
        'amazon:NN',
        'amazon:DEFAULT',
        'amazon:SENSE_1',
      ),
    },
    required: ['role'],
    content: 'text',
  },
  'amazon:auto-breaths': {
    attributes: {
      volume: BREATH_VOLUME,
      frequency: oneOf('default', 'x-low', 'low', 'medium', 'high', 'x-high'),
      duration: BREATH_DURATION,
    },
    content: 'mixed',
  },
  'amazon:breath': { attributes: { volume: BREATH_VOLUME, duration: BREATH_DURATION }, content: 'empty' },
  'amazon:effect': {
    attributes: {
      name: oneOf('drc', 'whispered'),
      phonation: oneOf('soft'),
      'vocal-tract-length': matching(/^[+-]?\d+(\.\d+)?%$/, '+n% | -n% | n%'),
    },
    content: 'mixed',
    needsAttribute: true,
  },
};

export const NOT_FOR_THESE_VOICES: Readonly<Record<string, string>> = {
  'amazon:domain': 'neural voices only; End User Messaging speaks with standard voices',
};

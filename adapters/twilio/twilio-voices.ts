/**
 * The Amazon Polly standard voices Twilio's <Say> speaks ("Polly.Joanna"), by the upper-case id our
 * templates use ("JOANNA"). From the voice list of Twilio's own TwiML types (twilio-node, SayVoice); every
 * voice End User Messaging speaks is among them, so a voice template reads the same through either.
 * Neural and generative variants ("Polly.Joanna-Neural") exist too, at a higher price; templates name
 * standard voices, and so does this list.
 */
const NAMES = (
  'Aditi Amy Astrid Bianca Brian Camila Carla Carmen Celine Chantal Conchita Cristiano Dora Emma ' +
  'Enrique Ewa Filiz Geraint Giorgio Gwyneth Hans Ines Ivy Jacek Jan Joanna Joey Justin Karl Kendra ' +
  'Kevin Kimberly Lea Liv Lotte Lucia Lupe Mads Maja Marlene Mathieu Matthew Maxim Mia Miguel Mizuki ' +
  'Naja Nicole Penelope Raveena Ricardo Ruben Russell Salli Seoyeon Takumi Tatyana Vicki Vitoria Zeina ' +
  'Zhiyu'
).split(' ');

export const TWILIO_POLLY_VOICES: ReadonlyMap<string, string> = new Map(
  NAMES.map((name) => [name.toUpperCase(), `Polly.${name}`]),
);

/**
 * The SSML elements Twilio accepts inside <Say> with Polly voices (twilio-node's Say: break, emphasis,
 * lang, p, phoneme, prosody, s, say-as, sub, w). Polly's own `mark` and `amazon:*` extensions are not
 * among them; a template using them is routed to a provider that speaks them.
 */
export const TWILIO_SSML_ELEMENTS: ReadonlySet<string> = new Set([
  'speak',
  'break',
  'emphasis',
  'lang',
  'p',
  'phoneme',
  'prosody',
  's',
  'say-as',
  'sub',
  'w',
]);

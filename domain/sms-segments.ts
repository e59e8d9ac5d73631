/**
 * How a text travels over SMS (3GPP TS 23.038 GSM-7 or UCS-2) and how many billed segments it takes.
 * Operators pay per segment, so one stray curly quote that forces UCS-2 can triple the cost.
 */
export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SmsAnalysis {
  readonly encoding: SmsEncoding;
  readonly segments: number;
  /** Septets for GSM-7, UTF-16 code units for UCS-2. */
  readonly units: number;
  /** Distinct characters outside GSM-7, in order of first appearance; empty for GSM-7. */
  readonly ucs2Characters: string[];
}

// GSM 03.38 default alphabet. ESC (0x1B) is left out: it introduces the extension table, it is not text.
const GSM7_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
    '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
// Extension table: each is sent as ESC + char, two septets.
const GSM7_EXTENSION = new Set('\f^{}\\[~]|€');

const LIMITS: Readonly<Record<SmsEncoding, { single: number; part: number }>> = {
  // A multipart message spends 6 octets of each part on the concatenation header (UDH).
  'GSM-7': { single: 160, part: 153 },
  'UCS-2': { single: 70, part: 67 },
};

export function analyseSms(text: string): SmsAnalysis {
  const characters = Array.from(text);
  const ucs2 = new Set(characters.filter((c) => !GSM7_BASIC.has(c) && !GSM7_EXTENSION.has(c)));
  const encoding: SmsEncoding = ucs2.size === 0 ? 'GSM-7' : 'UCS-2';
  // Per-character cost: an escape pair or a surrogate pair cannot be split across two parts.
  const costs = characters.map((c) => (encoding === 'GSM-7' ? (GSM7_EXTENSION.has(c) ? 2 : 1) : c.length));
  const units = costs.reduce((sum, cost) => sum + cost, 0);
  return {
    encoding,
    segments: countSegments(costs, units, LIMITS[encoding]),
    units,
    ucs2Characters: [...ucs2],
  };
}

function countSegments(
  costs: readonly number[],
  units: number,
  limit: { single: number; part: number },
): number {
  if (units <= limit.single) return 1;
  let segments = 1;
  let used = 0;
  for (const cost of costs) {
    if (used + cost > limit.part) {
      segments += 1;
      used = 0;
    }
    used += cost;
  }
  return segments;
}

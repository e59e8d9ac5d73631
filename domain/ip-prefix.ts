/**
 * The unit a per-client limit counts: an IPv4 address as is, an IPv6 address by its /64 (one customer
 * line or subnet; an attacker gets a whole /64 for the price of one address and rotates within it).
 * Anything that is not an IP address gives undefined: the limit then does not apply, rather than all
 * odd values sharing one counter.
 */
export function ipSubject(raw: string | undefined): string | undefined {
  if (typeof raw !== 'string') return undefined;
  const value = raw.trim();
  if (value.length === 0 || value.length > 45) return undefined;
  if (isIpv4(value)) return value;
  const groups = expandIpv6(value);
  if (!groups) return undefined;
  const mapped = ipv4Mapped(groups);
  if (mapped) return mapped;
  return `${groups.slice(0, 4).join(':')}::/64`;
}

function isIpv4(value: string): boolean {
  const parts = value.split('.');
  return parts.length === 4 && parts.every((part) => /^(0|[1-9]\d{0,2})$/.test(part) && Number(part) <= 255);
}

/** Eight lower-case 16-bit groups without leading zeros, or undefined if it is not IPv6. */
function expandIpv6(value: string): string[] | undefined {
  let text = value.toLowerCase();
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  const lastColon = text.lastIndexOf(':');
  if (lastColon < 0) return undefined;
  // A dotted IPv4 tail ("::ffff:192.0.2.1") stands for the last two groups.
  let tail: string[] = [];
  const last = text.slice(lastColon + 1);
  if (last.includes('.')) {
    if (!isIpv4(last)) return undefined;
    const [a, b, c, d] = last.split('.').map(Number) as [number, number, number, number];
    tail = [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
    text = text.slice(0, lastColon + 1);
    if (!text.endsWith('::')) text = text.slice(0, -1);
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const rest = halves[1] ? halves[1].split(':') : [];
  const explicit = head.length + rest.length + tail.length;
  let groups: string[];
  if (halves.length === 1) {
    if (explicit !== 8) return undefined;
    groups = [...head, ...tail];
  } else {
    if (explicit > 7) return undefined;
    groups = [...head, ...Array<string>(8 - explicit).fill('0'), ...rest, ...tail];
  }
  if (!groups.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return undefined;
  return groups.map((g) => Number.parseInt(g, 16).toString(16));
}

function ipv4Mapped(groups: string[]): string | undefined {
  if (groups.slice(0, 5).every((g) => g === '0') && groups[5] === 'ffff') {
    const hi = Number.parseInt(groups[6] ?? '0', 16);
    const lo = Number.parseInt(groups[7] ?? '0', 16);
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  return undefined;
}

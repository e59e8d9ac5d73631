/**
 * Summarises EMF documents (one JSON object per line, as the local stack writes them and as CloudWatch
 * Logs holds them) the way the dashboard would show them: requests by outcome, reply-time percentiles,
 * delivery rate, conversion rate and cost by country. Each document carries its dimension values flat,
 * so counting documents per metric name never counts a request twice, whatever its dimension sets.
 */
export interface EmfDocument {
  readonly timestamp: number;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly values: Readonly<Record<string, readonly number[]>>;
}

export function parseEmfLine(line: string): EmfDocument | undefined {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!json || typeof json !== 'object') return undefined;
  const doc = json as Record<string, unknown>;
  const aws = doc._aws as
    | { Timestamp?: number; CloudWatchMetrics?: { Metrics?: { Name: string }[]; Dimensions?: string[][] }[] }
    | undefined;
  const directive = aws?.CloudWatchMetrics?.[0];
  if (!aws || !directive) return undefined;
  const metricNames = new Set((directive.Metrics ?? []).map((m) => m.Name));
  const dimensionNames = new Set((directive.Dimensions ?? []).flat());
  const dimensions: Record<string, string> = {};
  const values: Record<string, number[]> = {};
  for (const [key, value] of Object.entries(doc)) {
    if (metricNames.has(key)) {
      const list = (Array.isArray(value) ? value : [value]).filter((x): x is number => typeof x === 'number');
      values[key] = list;
    } else if (dimensionNames.has(key) && typeof value === 'string') {
      dimensions[key] = value;
    }
  }
  return { timestamp: aws.Timestamp ?? 0, dimensions, values };
}

interface Rate {
  samples: number;
  sum: number;
}

export interface CountryRow {
  country: string;
  sent: number;
  refused: number;
  failed: number;
  segments: number;
  estimatedCost: number;
  delivery: Rate;
  billedCost: number;
  conversion: Rate;
}

export interface MetricsSummary {
  readonly documents: number;
  readonly requests: Readonly<Record<string, number>>;
  readonly byChannelProvider: Readonly<Record<string, number>>;
  readonly byLocaleSource: Readonly<Record<string, number>>;
  readonly reasons: Readonly<Record<string, number>>;
  readonly replyTime: {
    readonly p50?: number;
    readonly p90?: number;
    readonly p99?: number;
    readonly max?: number;
  };
  readonly receipts: Readonly<Record<string, number>>;
  readonly verifications: Readonly<Record<string, number>>;
  readonly delivery: Rate;
  readonly conversion: Rate;
  readonly countries: readonly CountryRow[];
}

export function summariseMetrics(documents: readonly EmfDocument[]): MetricsSummary {
  const inc = (table: Record<string, number>, key: string, by = 1) => {
    table[key] = (table[key] ?? 0) + by;
  };
  const requests: Record<string, number> = {};
  const byChannelProvider: Record<string, number> = {};
  const byLocaleSource: Record<string, number> = {};
  const reasons: Record<string, number> = {};
  const receipts: Record<string, number> = {};
  const verifications: Record<string, number> = {};
  const replyTimes: number[] = [];
  const delivery: Rate = { samples: 0, sum: 0 };
  const conversion: Rate = { samples: 0, sum: 0 };
  const countries = new Map<string, CountryRow>();
  const country = (code: string) => {
    let row = countries.get(code);
    if (!row) {
      row = {
        country: code,
        sent: 0,
        refused: 0,
        failed: 0,
        segments: 0,
        estimatedCost: 0,
        delivery: { samples: 0, sum: 0 },
        billedCost: 0,
        conversion: { samples: 0, sum: 0 },
      };
      countries.set(code, row);
    }
    return row;
  };
  const total = (values: readonly number[] | undefined) => (values ?? []).reduce((a, b) => a + b, 0);

  for (const { dimensions: d, values: v } of documents) {
    if (v.Requests) {
      const n = total(v.Requests);
      inc(requests, d.outcome ?? 'other', n);
      inc(byChannelProvider, `${d.channel ?? '?'} via ${d.provider ?? '?'}`, n);
      if (d.outcome === 'sent') inc(byLocaleSource, d.localeSource ?? '?', n);
      if (d.outcome === 'refused' || d.outcome === 'failed')
        inc(reasons, `${d.outcome}: ${d.reason ?? '?'}`, n);
      replyTimes.push(...(v.ReplyTime ?? []));
    }
    if (v.CountryRequests && d.country) {
      const row = country(d.country);
      const n = total(v.CountryRequests);
      if (d.outcome === 'sent') row.sent += n;
      if (d.outcome === 'refused') row.refused += n;
      if (d.outcome === 'failed') row.failed += n;
      row.segments += total(v.SmsSegments);
      row.estimatedCost += total(v.EstimatedCost);
    }
    if (v.Receipts) inc(receipts, `${d.channel ?? '?'} ${d.status ?? '?'}`, total(v.Receipts));
    if (v.Delivered) {
      for (const x of v.Delivered) {
        delivery.samples += 1;
        delivery.sum += x;
        if (d.country) {
          country(d.country).delivery.samples += 1;
          country(d.country).delivery.sum += x;
        }
      }
      if (d.country) country(d.country).billedCost += total(v.Cost);
    }
    if (v.Converted) {
      for (const x of v.Converted) {
        conversion.samples += 1;
        conversion.sum += x;
        if (d.country) {
          country(d.country).conversion.samples += 1;
          country(d.country).conversion.sum += x;
        }
      }
    }
    if (v.Verifications) inc(verifications, d.result ?? '?', total(v.Verifications));
  }
  replyTimes.sort((a, b) => a - b);
  const pct = (p: number) =>
    replyTimes.length === 0
      ? undefined
      : replyTimes[Math.min(replyTimes.length - 1, Math.ceil(p * replyTimes.length) - 1)];
  return {
    documents: documents.length,
    requests,
    byChannelProvider,
    byLocaleSource,
    reasons,
    replyTime: { p50: pct(0.5), p90: pct(0.9), p99: pct(0.99), max: replyTimes.at(-1) },
    receipts,
    verifications,
    delivery,
    conversion,
    countries: [...countries.values()].sort((a, b) => b.sent - a.sent || a.country.localeCompare(b.country)),
  };
}

const rate = (r: Rate) =>
  r.samples === 0 ? '—' : `${((100 * r.sum) / r.samples).toFixed(1)} % of ${r.samples}`;
const table = (t: Readonly<Record<string, number>>) =>
  Object.entries(t)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ${n}`)
    .join(', ') || '—';

export function formatMetricsSummary(s: MetricsSummary): string {
  const lines = [
    `${s.documents} EMF documents`,
    `requests        ${table(s.requests)}`,
    `  by channel    ${table(s.byChannelProvider)}`,
    `  templates     ${table(s.byLocaleSource)}`,
    `  not sent      ${table(s.reasons)}`,
    `reply time      p50 ${s.replyTime.p50 ?? '—'} ms, p90 ${s.replyTime.p90 ?? '—'} ms, p99 ${s.replyTime.p99 ?? '—'} ms, max ${s.replyTime.max ?? '—'} ms`,
    `receipts        ${table(s.receipts)}`,
    `delivery rate   ${rate(s.delivery)}`,
    `verifications   ${table(s.verifications)}`,
    `conversion rate ${rate(s.conversion)}`,
    '',
    'country  sent  refused  failed  segments  est. $    billed $  delivery          conversion',
  ];
  for (const c of s.countries) {
    lines.push(
      [
        c.country.padEnd(7),
        String(c.sent).padStart(5),
        String(c.refused).padStart(8),
        String(c.failed).padStart(7),
        String(c.segments).padStart(9),
        c.estimatedCost.toFixed(4).padStart(9),
        c.billedCost.toFixed(4).padStart(9),
        rate(c.delivery).padStart(17),
        rate(c.conversion).padStart(17),
      ].join('  '),
    );
  }
  return lines.join('\n');
}

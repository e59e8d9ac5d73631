import type { BrakesLatencyResult } from '../sections/brakes';
import type { ColdStartResult } from '../sections/cold-start';
import { renderFailover } from '../sections/failover';
import type { LocalStackLoadResult } from '../sections/local-stack-load';
import type { ProviderStressResult } from '../sections/provider-stress';
import type { PumpingResult } from '../sections/pumping';
import type { ShippedPathResult } from '../sections/shipped-path';
import type { TemplateScalingResult } from '../sections/template-scaling';
import type { WarmPathResult } from '../sections/warm-path';
import type { BudgetCheck } from './budgets';
import { SECTION_NAMES, type SectionName, type SectionResults } from './sections';

export interface MachineInfo {
  readonly node: string;
  readonly platform: string;
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryGb: number;
  readonly loadAverageBefore: readonly number[];
  /** machine-speed.ts's fixed workload, CPU ms, before and after the run: lower is faster. */
  readonly speedIndexMs?: readonly number[];
  readonly loadAverageAfter: readonly number[];
}

export interface BenchReport {
  readonly generatedAt: string;
  /** git commit measured, "-dirty" when the working tree had changes. */
  readonly commit: string;
  readonly durationSeconds: number;
  readonly machine: MachineInfo;
  readonly results: Partial<SectionResults>;
  readonly errors: Partial<Record<SectionName, string>>;
  readonly budgets: readonly BudgetCheck[];
}

type Align = 'left' | 'right';

/** A plain-text table: what the terminal shows and what the README can quote in a code block. */
function table(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  align?: readonly Align[],
): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) =>
        (align?.[i] ?? 'right') === 'left' ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0),
      )
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)]
    .map((l) => `  ${l}`)
    .join('\n');
}

const num = (value: number, digits = 0) =>
  value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

function statuses(counts: Readonly<Record<string, number>>): string {
  return Object.entries(counts)
    .map(([status, n]) => `${n} ${status}`)
    .join(', ');
}

function shippedPath(shipped: ShippedPathResult): string[] {
  return [
    table(
      [
        'concurrency',
        'req/s',
        'CPU ms/req',
        'p50 ms',
        'p99 ms',
        'max ms',
        'rounds (req/s · CPU ms · p50)',
        'replies',
      ],
      shipped.levels.map((l) => [
        num(l.concurrency),
        num(l.requestsPerSecond),
        num(l.cpuMsPerRequest, 3),
        num(l.latencyMs.p50, 3),
        num(l.latencyMs.p99, 3),
        num(l.latencyMs.max, 3),
        l.rounds
          .map((r) => `${num(r.requestsPerSecond)} · ${num(r.cpuMsPerRequest, 2)} · ${num(r.p50, 2)}`)
          .join(' | '),
        statuses(l.statuses),
      ]),
      ['right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'left', 'left'],
    ),
    `  per request: ${num(shipped.sdkCallsPerRequest)} SDK calls in ${num(shipped.roundTripsPerRequest)} sequential round ` +
      `trips: ${shipped.callSequence}`,
    `  bundle ${num(shipped.bundleBytes / 1024, 1)} KB as sam build makes it, NODE_OPTIONS=${shipped.nodeOptions || '(none)'}, ` +
      `LOG_LEVEL=INFO, template cache on; medians of ${shipped.rounds} rounds × ${num(shipped.requestsPerRound)} requests ` +
      'per level; CPU is the function process alone (dynalite and the fake endpoint run in another)',
    ...(shipped.profile
      ? [
          `  CPU profile of one more run's measured pass (${num(shipped.profile.requests)} requests one at a time, ` +
            `${num(shipped.profile.cpuMsPerRequest, 2)} ms CPU per request with the profiler on; ${shipped.profile.file}):`,
          '  µs of CPU per request by source (kernel: measured; user CPU shared out by busy samples):',
          ...shipped.profile.usPerRequest.map((c) => `    ${num(c.us).padStart(6)} µs  ${c.name}`),
          '  heaviest functions (self time), µs per request:',
          ...shipped.profile.framesUsPerRequest.map((c) => `    ${num(c.us).padStart(6)} µs  ${c.name}`),
        ]
      : []),
  ];
}

function warmPath(warm: WarmPathResult): string[] {
  const row = (path: string, d: WarmPathResult['latencyMs'], requests = '', perSecond = '') => [
    path,
    requests,
    perSecond,
    num(d.p50, 3),
    num(d.p99, 3),
    num(d.max, 3),
  ];
  return [
    table(
      ['path', 'requests', 'req/s', 'p50 ms', 'p99 ms', 'max ms'],
      [
        row('authorizer + hook', warm.latencyMs, num(warm.iterations), num(warm.requestsPerSecond)),
        row('  authorizer alone', warm.authorizerMs),
        row('  hook alone', warm.hookMs),
      ],
      ['left'],
    ),
    `  one request in flight, after ${num(warm.warmup)} warm-up requests; ${num(warm.requestsPerCpuSecond)} requests per ` +
      `CPU-second (all threads); JWKS fetched ${warm.jwksFetches}×; DynamoDB calls while measuring: ` +
      `${warm.dynamoCallsMeasured}; ${num(warm.successful)}/${num(warm.iterations)} SUCCESSFUL`,
  ];
}

function localStack(load: LocalStackLoadResult): string[] {
  return [
    table(
      [
        'connections',
        'requests',
        'req/s',
        'p50 ms',
        'p99 ms',
        'max ms',
        'non-2xx',
        'errors',
        'not SUCCESSFUL',
      ],
      load.levels.map((l) => [
        num(l.connections),
        num(l.requests),
        num(l.requestsPerSecond),
        num(l.latencyMs.p50, 1),
        num(l.latencyMs.p99, 1),
        num(l.latencyMs.max, 1),
        num(l.non2xx),
        num(l.errors),
        num(l.notSuccessful),
      ]),
    ),
    `  ${load.levels[0]?.durationSeconds ?? 0} s per level after a warm-up; valid tokens; SMS and voice across 10 locales; ` +
      'a fresh event id and code per request',
  ];
}

function coldStart(cold: ColdStartResult): string[] {
  const lines = [
    table(
      [
        'function',
        'init KB',
        'all files KB',
        'init ms (range)',
        'first invoke ms',
        'init + first ms',
        'CPU ms: init + first',
        'peak RSS MB',
        'first events',
      ],
      cold.bundles.map((b) => [
        b.functionName,
        num(b.bundleBytes / 1024, 1),
        num(b.shippedBytes / 1024, 1),
        `${num(b.initMs, 1)} (${num(b.initMsRange[0], 0)}–${num(b.initMsRange[1], 0)})`,
        num(b.firstInvokeMs, 1),
        num(b.initPlusFirstInvokeMs, 1),
        `${num(b.initCpuMs, 1)} + ${num(b.firstInvokeCpuMs, 1)} = ${num(b.initPlusFirstInvokeCpuMs, 1)}`,
        num(b.maxRssMb, 1),
        statuses(b.outcomes),
      ]),
      ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'left'],
    ),
    "  CPU ms: the probe process's CPU time (every thread), steadier than wall time on a shared machine",
    '  init KB: the handler module and the chunks it imports statically; all files: what sam deploy uploads',
    '  floor rows: bundles with nothing of otp-courier (bench/floor/), built with the settings of the function',
    '  they stand under and started in the same rounds: a budget below its floor cannot be met on this machine',
    `  medians of ${cold.bundles[0]?.runs ?? 0} fresh processes per bundle; NODE_OPTIONS=` +
      `${cold.bundles[0]?.nodeOptions.trim() || '(none)'} as sam build sets it; node's own start-up ` +
      `(${num(cold.bundles[0]?.nodeBootMs ?? 0, 0)} ms) not included`,
  ];
  for (const b of cold.bundles) {
    if (!b.profile) continue;
    lines.push(
      `  ${b.functionName}: CPU profile of one more cold start, by source (${b.profile.file})`,
      ...b.profile.bySource.slice(0, 20).map((c) => `    ${num(c.ms, 1).padStart(7)} ms  ${c.name}`),
      '    of which the first request, by source / top frames:',
      ...b.profile.firstInvoke.bySource
        .slice(0, 12)
        .map((c) => `    ${num(c.ms, 1).padStart(7)} ms  ${c.name}`),
      '    --',
      ...b.profile.firstInvoke.topFrames
        .slice(0, 12)
        .map((c) => `    ${num(c.ms, 1).padStart(7)} ms  ${c.name}`),
    );
  }
  return lines;
}

function templateScaling(scaling: TemplateScalingResult): string[] {
  return [
    table(
      [
        'items',
        'store p50 ms',
        'store p99 ms',
        'cold cache p50 ms',
        'cold cache p99 ms',
        'warm cache p50 µs',
        'warm cache p99 µs',
        'calls when warm',
      ],
      scaling.sizes.map((s) => [
        num(s.items),
        num(s.storeMs.p50, 2),
        num(s.storeMs.p99, 2),
        num(s.cacheMissMs.p50, 2),
        num(s.cacheMissMs.p99, 2),
        num(s.cacheHitMs.p50 * 1000, 1),
        num(s.cacheHitMs.p99 * 1000, 1),
        num(s.dynamoCallsOnHits),
      ]),
    ),
    `  20 queries (10 locales × SMS/voice, one purpose + generic), ${scaling.sizes[0]?.templatesPerQuery ?? 0} templates ` +
      `found per query; store p50 at the largest table / the smallest: ${scaling.growth}×`,
  ];
}

function providerStress(stress: ProviderStressResult): string[] {
  return [
    table(
      [
        'provider',
        'requests',
        'min ms',
        'p50 ms',
        'p99 ms',
        'max ms',
        'over budget',
        'replies',
        'provider calls',
        'dead letters',
      ],
      stress.scenarios.map((s) => [
        s.provider,
        num(s.requests),
        num(s.replyMs.min, 0),
        num(s.replyMs.p50, 0),
        num(s.replyMs.p99, 0),
        num(s.replyMs.max, 0),
        num(s.overBudget),
        statuses(s.statuses),
        num(s.providerCalls),
        num(s.deadLetters),
      ]),
      ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'left'],
    ),
    `  deadline ${num(stress.budgetMs)} ms; 10 requests at a time in one process, sharing one dynalite whose queueing ` +
      'adds ~100–150 ms here (one at a time: ~12 ms)',
  ];
}

function brakes(result: BrakesLatencyResult): string[] {
  const { cpu, dynamo, roundTrips } = result;
  return [
    table(
      ['brakes', 'p50 ms', 'p99 ms', 'max ms'],
      [
        [
          'off',
          num(roundTrips.without.p50, 2),
          num(roundTrips.without.p99, 2),
          num(roundTrips.without.max, 2),
        ],
        [
          'on (defaults)',
          num(roundTrips.with.p50, 2),
          num(roundTrips.with.p99, 2),
          num(roundTrips.with.max, 2),
        ],
      ],
      ['left'],
    ),
    `  ${num(roundTrips.requests)} sequential deliveries each, DynamoDB stand-in answering every call after ${roundTrips.roundTripMs} ms ` +
      `and doing no work (round trips on the critical path): brakes add ${num(roundTrips.addedP50Ms, 2)} ms at p50`,
    table(
      ['brakes', 'p50 ms', 'p99 ms', 'max ms', 'DynamoDB calls / request', 'CPU µs / request'],
      [
        [
          'off',
          num(dynamo.without.p50, 2),
          num(dynamo.without.p99, 2),
          num(dynamo.without.max, 2),
          num(dynamo.callsPerRequestWithout, 1),
          num(cpu.withoutUs),
        ],
        [
          'on (defaults)',
          num(dynamo.with.p50, 2),
          num(dynamo.with.p99, 2),
          num(dynamo.with.max, 2),
          num(dynamo.callsPerRequestWith, 1),
          num(cpu.withUs),
        ],
      ],
      ['left'],
    ),
    `  ${num(dynamo.requests)} sequential deliveries through dynalite (in this process) behind a proxy adding ${dynamo.roundTripMs} ms ` +
      `to every call: brakes add ${num(dynamo.addedP50Ms, 2)} ms at p50, dynalite's own CPU for the extra writes included; ` +
      `${num(dynamo.refused)} refused. CPU in-process with in-memory stores over ${num(cpu.requests)} requests: ` +
      `+${num(cpu.addedUs)} µs per request`,
  ];
}

function pumping(result: PumpingResult): string[] {
  const { attack, legit, size } = result;
  const rules = (counts: Readonly<Record<string, number>>) =>
    Object.entries(counts)
      .sort((a, b) => b[1] - a[1])
      .map(([rule, n]) => `${rule} ${num(n)}`)
      .join(', ') || 'none';
  return [
    table(
      [
        'traffic',
        'requests',
        'sent',
        'sent %',
        'refused: fail (to Okta)',
        'refused: absorbed',
        'users refused',
      ],
      [
        [
          'attack',
          num(attack.requests),
          num(attack.sent),
          num(attack.sentPercent, 2),
          num(attack.toOktaFallback),
          num(attack.absorbed),
          '',
        ],
        [
          'real users',
          num(legit.requests),
          num(legit.sent),
          num((legit.sent / Math.max(1, legit.requests)) * 100, 2),
          '',
          '',
          `${num(legit.usersRefused)} of ${num(legit.users)}`,
        ],
      ],
      ['left'],
    ),
    `  ${num(size.attackRequests)} attack requests over ${num(size.attackNumbers)} sequential numbers (premium and mobile) from ` +
      `${size.attackIps} IPs and ${num(size.legitUsers)} real users, one simulated hour, local stack over HTTP with dynalite counters; ` +
      `${num(result.requestsPerSecond)} req/s, ${num(result.wallMs / 1000, 0)} s`,
    `  attack refused by: ${rules(attack.byRule)}; sent while its counters failed open (timeout): ${num(attack.sentWhileFailedOpen)}`,
    `  real users refused by: ${rules(legit.byRule)}; not sent for other reasons: ${rules(legit.notSentOther)}`,
    `  duplicates ${num(result.duplicates.requests)}, sent again ${num(result.duplicates.sentAgain)}; ` +
      `counter failures: ${rules(result.counterFailures)}`,
  ];
}

const TITLES: { readonly [K in SectionName]: string } = {
  'shipped-path':
    '0. As shipped: the hook bundle in-process, real SDK v3 clients → dynalite (idempotency, templates) and the fake AWS endpoint',
  'warm-path':
    '1. Warm path in-process (secondary): authorizer (RS256 JWT) + hook handler, in-memory idempotency, zero-latency provider',
  'local-stack':
    '2. Local stack over HTTP (npm start: dynalite behind templates and idempotency), autocannon',
  'cold-start': '3. Cold start: each bundle as sam build makes it, a fresh node process, one first event',
  'template-scaling': '4. Template resolution vs table size (dynalite; one BatchGetItem per fallback chain)',
  'provider-stress': '5. Provider under stress: production adapters, real SDK clients → fake endpoint',
  brakes: '6. Brakes (issue 14): added latency and CPU per request',
  pumping: '7. SMS pumping simulation (issue 14), full size',
  failover: '8. Failover to Twilio: End User Messaging refused or hanging, Twilio (stand-in) behind it',
};

const RENDER: { readonly [K in SectionName]: (result: SectionResults[K]) => string[] } = {
  'shipped-path': shippedPath,
  'warm-path': warmPath,
  'local-stack': localStack,
  'cold-start': coldStart,
  'template-scaling': templateScaling,
  'provider-stress': providerStress,
  brakes,
  pumping,
  failover: renderFailover,
};

function section<K extends SectionName>(name: K, result: SectionResults[K]): string[] {
  const render: (result: SectionResults[K]) => string[] = RENDER[name];
  return render(result);
}

export function renderReport(report: BenchReport): string {
  const { machine } = report;
  const out = [
    `otp-courier bench — ${report.generatedAt}, commit ${report.commit}, ${num(report.durationSeconds, 0)} s`,
    `node ${machine.node} on ${machine.platform}, ${machine.cpus} × ${machine.cpuModel}, ${num(machine.memoryGb, 1)} GB; ` +
      `load average ${machine.loadAverageBefore.map((l) => l.toFixed(2)).join('/')} before, ` +
      `${machine.loadAverageAfter.map((l) => l.toFixed(2)).join('/')} after` +
      (machine.speedIndexMs
        ? `; speed index ${machine.speedIndexMs.map((ms) => num(ms, 1)).join(' → ')} ms ` +
          '(a fixed CPU workload, bench/support/machine-speed.ts: lower is faster; compare runs by it)'
        : ''),
    '',
  ];
  for (const name of SECTION_NAMES) {
    const result = report.results[name];
    const error = report.errors[name];
    if (result === undefined && error === undefined) continue;
    out.push(TITLES[name], ...(result === undefined ? [] : section(name, result)));
    if (error !== undefined) out.push(`  FAILED: ${error.split('\n')[0]}`);
    out.push('');
  }
  out.push(
    'Budgets (issues 6 and 10)',
    table(
      ['budget', 'limit', 'this run', 'result'],
      report.budgets.map((b) => [
        b.budget,
        b.limit,
        b.actual === undefined
          ? '—'
          : `${num(b.actual, b.unit === 'req/s' || b.unit === '' ? 0 : b.unit === 'KB' ? 1 : 2)} ${b.unit}`.trim(),
        b.status,
      ]),
      ['left', 'left', 'right', 'left'],
    ),
  );
  return out.join('\n');
}

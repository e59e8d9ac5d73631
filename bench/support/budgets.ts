import type { SectionResults } from './sections';

export interface BudgetCheck {
  readonly budget: string;
  readonly limit: string;
  /** undefined when its measurement did not run or failed. */
  readonly actual?: number;
  readonly unit: string;
  readonly status: 'PASS' | 'MISS' | 'NOT RUN';
}

/** Template lookups may vary with noise, but not with the table: 5,000 items may cost at most this much more than 50. */
const MAX_TABLE_GROWTH = 1.5;

/**
 * The budgets of issues 6 and 10 (README lists them next to the latest figures), checked against one run.
 * `npm run bench` exits non-zero when one is missed.
 */
export function checkBudgets(results: Partial<SectionResults>): BudgetCheck[] {
  const shipped = results['shipped-path'];
  const one = shipped?.levels.find((l) => l.concurrency === 1);
  const cold = results['cold-start']?.bundles;
  const authorizer = cold?.find((b) => b.functionName === 'AuthorizerFunction');
  const hook = cold?.find((b) => b.functionName === 'TelephonyHookFunction');
  const cognito = cold?.find((b) => b.functionName === 'CognitoSmsSenderFunction');
  const warm = results['warm-path'];
  const stress = results['provider-stress'];
  const scaling = results['template-scaling'];
  const brakes = results.brakes?.roundTrips;
  const worstReply = stress ? Math.max(...stress.scenarios.map((s) => s.replyMs.max)) : undefined;
  return [
    check('shipped: CPU per request', '<= 1.1 ms', one?.cpuMsPerRequest, 'ms', (v) => v <= 1.1),
    check('shipped: p50, one at a time', '<= 1.5 ms', one?.latencyMs.p50, 'ms', (v) => v <= 1.5),
    check(
      'shipped: sequential round trips per request',
      '<= 3',
      shipped?.roundTripsPerRequest,
      '',
      (v) => v <= 3,
    ),
    check('authorizer init (median)', '<= 15 ms', authorizer?.initMs, 'ms', (v) => v <= 15),
    check('authorizer bundle', '< 100 KB', kb(authorizer?.bundleBytes), 'KB', (v) => v < 100),
    check(
      'hook init + first request (median)',
      '<= 80 ms',
      hook?.initPlusFirstInvokeMs,
      'ms',
      (v) => v <= 80,
    ),
    // The trigger carries the AWS Encryption SDK; its init stays within the hook's budget (SDK loaded lazily).
    check('cognito trigger init (median)', '< 150 ms', cognito?.initMs, 'ms', (v) => v < 150),
    check('warm path p99', '<= 0.5 ms', warm?.latencyMs.p99, 'ms', (v) => v <= 0.5),
    check(
      'warm path throughput, one core',
      '>= 5,000 req/s',
      warm?.requestsPerSecond,
      'req/s',
      (v) => v >= 5000,
    ),
    check(
      'reply time, provider slow or hanging',
      `<= ${stress?.budgetMs ?? 2500} ms`,
      worstReply,
      'ms',
      (v) => v <= (stress?.budgetMs ?? 2500),
    ),
    check(
      'template lookup, 5,000 vs 50 items (p50 ratio)',
      `<= ${MAX_TABLE_GROWTH}x`,
      scaling?.growth,
      'x',
      (v) => v <= MAX_TABLE_GROWTH,
    ),
    // Issue 14: the counters overlap the idempotency claim; at most one extra round trip.
    check(
      'brakes: added p50 latency, DynamoDB round trips',
      `< ${brakes?.roundTripMs ?? 8} ms (one round trip)`,
      brakes?.addedP50Ms,
      'ms',
      (v) => v < (brakes?.roundTripMs ?? 8),
    ),
  ];
}

function check(
  budget: string,
  limit: string,
  actual: number | undefined,
  unit: string,
  passes: (value: number) => boolean,
): BudgetCheck {
  if (actual === undefined || !Number.isFinite(actual)) return { budget, limit, unit, status: 'NOT RUN' };
  return { budget, limit, actual, unit, status: passes(actual) ? 'PASS' : 'MISS' };
}

function kb(bytes: number | undefined): number | undefined {
  return bytes === undefined ? undefined : Math.round((bytes / 1024) * 10) / 10;
}

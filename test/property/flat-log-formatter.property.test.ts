import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FlatLogFormatter } from '../../adapters/powertools/flat-log-formatter';
import { PowertoolsLoggerAdapter } from '../../adapters/powertools/powertools-logger';

/** What `write` prints, one string per stdout/stderr write (Powertools writes one line at a time). */
function printed(write: () => void): string[] {
  const lines: string[] = [];
  const capture = (chunk: unknown) => {
    lines.push(String(chunk));
    return true;
  };
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  try {
    write();
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  return lines;
}

const context: Context = {
  callbackWaitsForEmptyEventLoop: true,
  functionName: 'otp-courier-hook',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:otp-courier-hook',
  memoryLimitInMB: '512',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  logGroupName: '/aws/lambda/otp-courier-hook',
  logStreamName: '2026/11/29/[$LATEST]abc',
  getRemainingTimeInMillis: () => 1_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
};

// Field names as our callers write them, the standard keys (some reserved: Powertools drops and warns)
// and the keys deepMerge refuses; values of every LogFields type, empty ones included.
const key = fc.oneof(
  fc.constantFrom('eventId', 'to', 'durationMs', 'providers', 'price', 'error', 'state', 'cutShort'),
  fc.constantFrom('level', 'message', 'timestamp', 'service', 'sampling_rate'),
  fc.constantFrom('cold_start', 'function_name', 'function_request_id', 'xray_trace_id', 'tenant_id'),
  fc.constantFrom('__proto__', 'constructor', 'toString', ''),
  fc.string({ maxLength: 12 }),
);
const value = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.constant(''),
  fc.double(),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
);
const fields = fc.array(fc.tuple(key, value), { maxLength: 16 }).map((entries) => {
  const object: Record<string, string | number | boolean | null | undefined> = {};
  // defineProperty: "__proto__" as an own key, as JSON.parse or a computed key would make it.
  for (const [k, v] of entries)
    Object.defineProperty(object, k, { value: v, enumerable: true, writable: true, configurable: true });
  return object;
});

describe('FlatLogFormatter prints what Powertools’ default formatter prints', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-11-29T13:45:00.123Z') });
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllEnvs();
  });

  it('for any fields, level, message, Lambda context and X-Ray trace', () => {
    fc.assert(
      fc.property(
        fields,
        fc.string({ maxLength: 30 }),
        fc.constantFrom('debug', 'info', 'warn', 'error') as fc.Arbitrary<
          'debug' | 'info' | 'warn' | 'error'
        >,
        fc.boolean(),
        fc.option(fc.constant('Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1')),
        (extra, message, level, withContext, trace) => {
          if (trace === null) vi.stubEnv('_X_AMZN_TRACE_ID', undefined);
          else vi.stubEnv('_X_AMZN_TRACE_ID', trace);
          const make = (flat: boolean) => {
            const logger = new Logger({
              serviceName: 'otp-courier-test',
              logLevel: 'DEBUG',
              ...(flat ? { logFormatter: new FlatLogFormatter() } : {}),
            });
            if (withContext) logger.addContext(context);
            return logger;
          };
          const defaults = make(false);
          const flat = make(true);
          expect(printed(() => flat[level](message, extra))).toEqual(
            printed(() => defaults[level](message, extra)),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('the adapter’s `otp sent` line keeps every field, in order', () => {
    const adapter = new PowertoolsLoggerAdapter({ serviceName: 'otp-courier-hook', level: 'INFO' });
    const [line] = printed(() =>
      adapter.info('otp sent', {
        eventId: 'evt-1',
        to: '+1********23',
        encoding: 'GSM-7',
        segments: 1,
        providers: undefined,
        price: undefined,
        durationMs: 12,
      }),
    );
    expect(JSON.parse(line as string)).toEqual({
      level: 'INFO',
      message: 'otp sent',
      timestamp: '2026-11-29T13:45:00.123Z',
      service: 'otp-courier-hook',
      sampling_rate: 0,
      eventId: 'evt-1',
      to: '+1********23',
      encoding: 'GSM-7',
      segments: 1,
      durationMs: 12,
    });
    expect(Object.keys(JSON.parse(line as string))).toEqual([
      'level',
      'message',
      'timestamp',
      'service',
      'sampling_rate',
      'eventId',
      'to',
      'encoding',
      'segments',
      'durationMs',
    ]);
  });
});

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type LogLevel, PowertoolsLoggerAdapter } from '../../adapters/powertools/powertools-logger';

// The real Powertools Logger, counted as it is built: buildOnFirstLine must not build it before a line
// it would print, and must print exactly what an adapter built at once prints.
const powertools = vi.hoisted(() => ({ built: 0 }));
vi.mock('@aws-lambda-powertools/logger', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@aws-lambda-powertools/logger')>();
  class CountedLogger extends actual.Logger {
    constructor(...args: ConstructorParameters<typeof actual.Logger>) {
      super(...args);
      powertools.built += 1;
    }
  }
  return { ...actual, Logger: CountedLogger };
});

const OVERRIDES = ['AWS_LAMBDA_LOG_LEVEL', 'POWERTOOLS_LOGGER_SAMPLE_RATE', 'POWERTOOLS_DEV'] as const;
let written: string[];
const saved: Record<string, string | undefined> = {};

beforeEach(() => {
  powertools.built = 0;
  written = [];
  for (const name of OVERRIDES) {
    saved[name] = process.env[name];
    delete process.env[name];
  }
  // Powertools writes through a Console of its own on process.stdout / process.stderr.
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
  }
});

afterEach(() => {
  vi.restoreAllMocks();
  for (const name of OVERRIDES) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

/** The JSON lines written, without their timestamps (the only field that differs run to run). */
const lines = () =>
  written
    .filter((l) => l.startsWith('{'))
    .map((l) => {
      const { timestamp: _, ...rest } = JSON.parse(l) as Record<string, unknown>;
      return rest;
    });

function logEveryLevel(logger: PowertoolsLoggerAdapter): void {
  logger.debug('d', { n: 1 });
  logger.info('i', { n: 2 });
  logger.warn('w', { n: 3 });
  logger.error('e', { n: 4 });
  logger.debug('d again');
}

describe('PowertoolsLoggerAdapter, buildOnFirstLine', () => {
  it('lines below the level build nothing and print nothing; the first printed line builds the logger once', () => {
    const logger = new PowertoolsLoggerAdapter({ serviceName: 's', level: 'WARN', buildOnFirstLine: true });
    logger.debug('not printed');
    logger.info('not printed either', { n: 1 });
    expect(powertools.built).toBe(0);
    expect(written).toEqual([]);
    logger.warn('printed', { reason: 'r' });
    logger.error('printed too');
    expect(powertools.built).toBe(1);
    expect(lines()).toEqual([
      { level: 'WARN', message: 'printed', sampling_rate: 0, service: 's', reason: 'r' },
      { level: 'ERROR', message: 'printed too', sampling_rate: 0, service: 's' },
    ]);
  });

  it.each<LogLevel>(['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT'])(
    'at %s it prints exactly what a logger built at once prints',
    (level) => {
      logEveryLevel(new PowertoolsLoggerAdapter({ serviceName: 's', level }));
      const eager = lines();
      written = [];
      logEveryLevel(new PowertoolsLoggerAdapter({ serviceName: 's', level, buildOnFirstLine: true }));
      expect(lines()).toEqual(eager);
      if (level === 'SILENT') expect(eager).toEqual([]);
    },
  );

  it('an allowed call of the authorizer (one debug line at INFO) never builds it', () => {
    const logger = new PowertoolsLoggerAdapter({ serviceName: 's', level: 'INFO', buildOnFirstLine: true });
    for (let i = 0; i < 3; i++) logger.debug('hook call authorised', { sub: 'x' });
    expect(powertools.built).toBe(0);
  });

  it.each([
    ['AWS_LAMBDA_LOG_LEVEL', 'DEBUG'],
    ['POWERTOOLS_LOGGER_SAMPLE_RATE', '1'],
  ])('with %s set, Powertools may choose another level: built at once, and it decides', (name, value) => {
    process.env[name] = value;
    const logger = new PowertoolsLoggerAdapter({ serviceName: 's', level: 'INFO', buildOnFirstLine: true });
    expect(powertools.built).toBe(1);
    logger.debug('shown: the level was lowered to DEBUG');
    expect(lines().map((l) => l.message)).toContain('shown: the level was lowered to DEBUG');
  });
});

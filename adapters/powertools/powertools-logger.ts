import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import type { LogAttributes } from '@aws-lambda-powertools/logger/types';
import type { LogFields, Logger } from '../../ports/logger';
import { FlatLogFormatter } from './flat-log-formatter';

const NO_FIELDS: LogFields = Object.freeze({});

export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT';

// Powertools' own thresholds (LogLevelThreshold): a line is printed when its level is at least the logger's.
const THRESHOLD: Readonly<Record<LogLevel, number>> = { DEBUG: 8, INFO: 12, WARN: 16, ERROR: 20, SILENT: 28 };

/**
 * What makes Powertools choose another level than the one it is given: Lambda's Advanced Logging Controls
 * (AWS_LAMBDA_LOG_LEVEL replaces it) and debug sampling (POWERTOOLS_LOGGER_SAMPLE_RATE may lower it to
 * DEBUG). Any value counts, valid or not: then Powertools decides every line itself, as it always has.
 */
function levelMayBeOverridden(env: NodeJS.ProcessEnv): boolean {
  return (
    (env.AWS_LAMBDA_LOG_LEVEL ?? '').trim() !== '' || (env.POWERTOOLS_LOGGER_SAMPLE_RATE ?? '').trim() !== ''
  );
}

export interface PowertoolsLoggerSettings {
  serviceName: string;
  level: LogLevel;
  /**
   * Build Powertools' logger when the first line it would print arrives, not now. Building it costs a
   * few milliseconds of a cold start (its configuration, a Console on process.stdout, which makes Node
   * set up the stdout stream); the authorizer writes no line for an allowed call at INFO, so most of its
   * instances never pay it. Lines below `level` are dropped here, exactly as Powertools would drop
   * them; when the level may be overridden (see levelMayBeOverridden) the logger is built at once.
   */
  buildOnFirstLine?: boolean;
}

/**
 * Structured JSON logs through Powertools for AWS Lambda: CloudWatch-friendly keys, the Lambda
 * request id when running in Lambda, and log-level control by LOG_LEVEL / POWERTOOLS_LOG_LEVEL.
 */
export class PowertoolsLoggerAdapter implements Logger {
  private built: PowertoolsLogger | undefined;
  private readonly settings: PowertoolsLoggerSettings;
  /** Lines below this are dropped without building the logger; undefined: Powertools decides. */
  private readonly threshold: number | undefined;

  constructor(settings: PowertoolsLoggerSettings) {
    this.settings = settings;
    const lazy = settings.buildOnFirstLine === true && !levelMayBeOverridden(process.env);
    this.threshold = lazy ? THRESHOLD[settings.level] : undefined;
    if (!lazy) this.built = this.build();
  }

  private build(): PowertoolsLogger {
    return new PowertoolsLogger({
      serviceName: this.settings.serviceName,
      logLevel: this.settings.level,
      // The same lines as Powertools' default formatter, for less CPU per line (flat-log-formatter.ts).
      logFormatter: new FlatLogFormatter(),
    });
  }

  private logger(level: number): PowertoolsLogger | undefined {
    if (this.threshold !== undefined && level < this.threshold) return undefined;
    this.built ??= this.build();
    return this.built;
  }

  // Fields are handed over as they are: Powertools copies their entries into the log item and never
  // keeps or changes the object, so a copy of our own per line (one every request) bought nothing.
  debug(message: string, fields?: LogFields): void {
    this.logger(THRESHOLD.DEBUG)?.debug(message, (fields ?? NO_FIELDS) as LogAttributes);
  }
  info(message: string, fields?: LogFields): void {
    this.logger(THRESHOLD.INFO)?.info(message, (fields ?? NO_FIELDS) as LogAttributes);
  }
  warn(message: string, fields?: LogFields): void {
    this.logger(THRESHOLD.WARN)?.warn(message, (fields ?? NO_FIELDS) as LogAttributes);
  }
  error(message: string, fields?: LogFields): void {
    this.logger(THRESHOLD.ERROR)?.error(message, (fields ?? NO_FIELDS) as LogAttributes);
  }
}

import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import type { LogAttributes } from '@aws-lambda-powertools/logger/types';
import type { LogFields, Logger } from '../../ports/logger';
import { FlatLogFormatter } from './flat-log-formatter';

const NO_FIELDS: LogFields = Object.freeze({});

export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT';

/**
 * Structured JSON logs through Powertools for AWS Lambda: CloudWatch-friendly keys, the Lambda
 * request id when running in Lambda, and log-level control by LOG_LEVEL / POWERTOOLS_LOG_LEVEL.
 */
export class PowertoolsLoggerAdapter implements Logger {
  private readonly logger: PowertoolsLogger;

  constructor(settings: { serviceName: string; level: LogLevel }) {
    this.logger = new PowertoolsLogger({
      serviceName: settings.serviceName,
      logLevel: settings.level,
      // The same lines as Powertools' default formatter, for less CPU per line (flat-log-formatter.ts).
      logFormatter: new FlatLogFormatter(),
    });
  }

  // Fields are handed over as they are: Powertools copies their entries into the log item and never
  // keeps or changes the object, so a copy of our own per line (one every request) bought nothing.
  debug(message: string, fields?: LogFields): void {
    this.logger.debug(message, (fields ?? NO_FIELDS) as LogAttributes);
  }
  info(message: string, fields?: LogFields): void {
    this.logger.info(message, (fields ?? NO_FIELDS) as LogAttributes);
  }
  warn(message: string, fields?: LogFields): void {
    this.logger.warn(message, (fields ?? NO_FIELDS) as LogAttributes);
  }
  error(message: string, fields?: LogFields): void {
    this.logger.error(message, (fields ?? NO_FIELDS) as LogAttributes);
  }
}

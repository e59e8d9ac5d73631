import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import type { LogFields, Logger } from '../../ports/logger';

export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT';

/**
 * Structured JSON logs through Powertools for AWS Lambda: CloudWatch-friendly keys, the Lambda
 * request id when running in Lambda, and log-level control by LOG_LEVEL / POWERTOOLS_LOG_LEVEL.
 */
export class PowertoolsLoggerAdapter implements Logger {
  private readonly logger: PowertoolsLogger;

  constructor(settings: { serviceName: string; level: LogLevel }) {
    this.logger = new PowertoolsLogger({ serviceName: settings.serviceName, logLevel: settings.level });
  }

  debug(message: string, fields?: LogFields): void {
    this.logger.debug(message, { ...fields });
  }
  info(message: string, fields?: LogFields): void {
    this.logger.info(message, { ...fields });
  }
  warn(message: string, fields?: LogFields): void {
    this.logger.warn(message, { ...fields });
  }
  error(message: string, fields?: LogFields): void {
    this.logger.error(message, { ...fields });
  }
}

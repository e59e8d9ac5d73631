import type { LogFields, Logger } from '../../ports/logger';

/** A Logger that keeps every line, so tests can read what would have been logged. */
export class RecordingLogger implements Logger {
  readonly lines: { level: string; message: string; fields: LogFields }[] = [];

  debug(message: string, fields: LogFields = {}): void {
    this.lines.push({ level: 'debug', message, fields });
  }
  info(message: string, fields: LogFields = {}): void {
    this.lines.push({ level: 'info', message, fields });
  }
  warn(message: string, fields: LogFields = {}): void {
    this.lines.push({ level: 'warn', message, fields });
  }
  error(message: string, fields: LogFields = {}): void {
    this.lines.push({ level: 'error', message, fields });
  }

  /** The warn lines, for tests about skipped or suspicious input. */
  get warnings(): { message: string; fields: LogFields }[] {
    return this.lines
      .filter((line) => line.level === 'warn')
      .map(({ message, fields }) => ({ message, fields }));
  }

  /** Everything logged, as one string, for leak scans. */
  text(): string {
    return this.lines
      .map((line) => `${line.level} ${line.message} ${JSON.stringify(line.fields)}`)
      .join('\n');
  }
}

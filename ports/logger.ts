/**
 * Structured logging. Callers pass only safe fields: never a passcode or a rendered body, and
 * phone numbers only through `maskPhone` from the domain.
 */
export type LogFields = Readonly<Record<string, string | number | boolean | null | undefined>>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

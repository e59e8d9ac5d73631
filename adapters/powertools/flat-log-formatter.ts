import { LogFormatter, LogItem } from '@aws-lambda-powertools/logger';
import type { LogAttributes, UnformattedAttributes } from '@aws-lambda-powertools/logger/types';

/** A log item built without empty values: nothing left for prepareForPrint to drop. */
class CleanLogItem extends LogItem {
  override prepareForPrint(): void {}
}

/** What Powertools drops from a line (LogItem.removeEmptyKeys): undefined, null and ''. */
function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

/** The standard keys, in the order PowertoolsLogFormatter writes them. */
const BASE_KEYS = [
  'level',
  'message',
  'timestamp',
  'service',
  'cold_start',
  'function_arn',
  'function_memory_size',
  'function_name',
  'function_request_id',
  'sampling_rate',
  'xray_trace_id',
  'tenant_id',
] as const;
const IS_BASE_KEY = new Set<string>(BASE_KEYS);
// deepMerge skips these (prototype pollution); so do we.
const UNSAFE_KEYS = new Set(['__proto__', 'constructor']);

/**
 * Powertools' own line (PowertoolsLogFormatter: the same keys, in the same order, with the same values),
 * built as one flat object in one pass. Its formatter deep-merges each line's fields into the standard
 * keys (`deepMerge`, cloning as it goes), then copies the result once more to drop empty values; our
 * fields are flat scalars by type (ports/logger.ts), for which that comes to the plain copy made here.
 * A field named like a standard key takes its place, as with deepMerge (Powertools itself drops the
 * reserved ones: level, message, timestamp, service, sampling_rate). Plugged in through Powertools'
 * documented `logFormatter` option; test/property/flat-log-formatter.property.test.ts proves the
 * printed lines equal the default formatter's.
 */
export class FlatLogFormatter extends LogFormatter {
  override formatAttributes(attributes: UnformattedAttributes, additional: LogAttributes): LogItem {
    const context = attributes.lambdaContext;
    const standard: Record<(typeof BASE_KEYS)[number], unknown> = {
      level: attributes.logLevel,
      message: attributes.message,
      timestamp: this.formatTimestamp(attributes.timestamp),
      service: attributes.serviceName,
      cold_start: context?.coldStart,
      function_arn: context?.invokedFunctionArn,
      function_memory_size: context?.memoryLimitInMB,
      function_name: context?.functionName,
      function_request_id: context?.awsRequestId,
      sampling_rate: attributes.sampleRateValue,
      xray_trace_id: attributes.xRayTraceId,
      tenant_id: context?.tenantId,
    };
    const line: LogAttributes = {};
    for (const key of BASE_KEYS) {
      const field = Object.hasOwn(additional, key) ? additional[key] : undefined;
      const value = field === undefined ? standard[key] : field;
      if (!isEmpty(value)) line[key] = value;
    }
    for (const key of Object.keys(additional)) {
      if (IS_BASE_KEY.has(key) || UNSAFE_KEYS.has(key)) continue;
      const value = additional[key];
      if (!isEmpty(value)) line[key] = value;
    }
    return new CleanLogItem({ attributes: line });
  }
}

import { Metrics as PowertoolsMetrics } from '@aws-lambda-powertools/metrics';
import type { Measurement, Metrics } from '../../ports/metrics';

export interface PowertoolsMetricsSettings {
  /** CloudWatch namespace; unset: Powertools reads POWERTOOLS_METRICS_NAMESPACE. */
  readonly namespace?: string;
  /** The `service` dimension every metric carries. */
  readonly serviceName: string;
  /**
   * Where each EMF document goes. Unset: Powertools' own flush to standard output, which Lambda ships to
   * CloudWatch Logs, where EMF becomes metrics. Set: the local stack's JSONL file.
   */
  readonly sink?: (emfLine: string) => void;
  /** Powertools' own warnings (an invalid dimension, a metric-name collision). Default: stderr. */
  readonly warn?: (message: string) => void;
}

// Powertools warns whenever two dimension sets share a dimension name, whatever the values. Ours always
// do ([channel] and [country, channel]) and always with one value, as they are projections of one record:
// that warning would be a log line per request saying nothing. Every other warning passes.
const OVERLAPPING_SETS = /is defined as both a dimension set and dimension set/;

/**
 * Metrics as CloudWatch embedded metric format, through Powertools for AWS Lambda. Each measurement is
 * one EMF document, published immediately: nothing is buffered across requests, so a Lambda that freezes
 * after the reply has nothing left to flush, and concurrent requests in the local stack never mix their
 * dimensions (publish is synchronous from the first dimension to the flush).
 */
export class PowertoolsMetricsAdapter implements Metrics {
  private readonly metrics: PowertoolsMetrics;

  constructor(private readonly settings: PowertoolsMetricsSettings) {
    const warn = settings.warn ?? ((message: string) => process.stderr.write(`${message}\n`));
    const say = (...content: unknown[]) => {
      const message = content.map(String).join(' ');
      if (!OVERLAPPING_SETS.test(message)) warn(message);
    };
    this.metrics = new PowertoolsMetrics({
      ...(settings.namespace ? { namespace: settings.namespace } : {}),
      serviceName: settings.serviceName,
      logger: { debug: () => {}, info: () => {}, warn: say, error: say },
    });
  }

  publish(measurement: Measurement): void {
    if (measurement.values.length === 0) return;
    const metrics = this.metrics;
    try {
      for (const set of measurement.sets) {
        const dimensions: Record<string, string> = {};
        for (const name of set) {
          const value = measurement.dimensions[name];
          if (value !== undefined) dimensions[name] = value;
        }
        metrics.addDimensions(dimensions);
      }
      for (const { name, unit, value } of measurement.values) {
        if (Number.isFinite(value)) metrics.addMetric(name, unit, value);
      }
      if (this.settings.sink) {
        if (metrics.hasStoredMetrics()) this.settings.sink(JSON.stringify(metrics.serializeMetrics()));
      } else {
        metrics.publishStoredMetrics();
      }
    } finally {
      // publishStoredMetrics clears too; the sink path (and a throw half-way) must not leak into the next.
      metrics.clearMetrics();
      metrics.clearDimensions();
      metrics.clearMetadata();
    }
  }
}

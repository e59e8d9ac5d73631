import type { Measurement, Metrics } from '../../ports/metrics';

/** A Metrics port that keeps every measurement, for tests. */
export class RecordingMetrics implements Metrics {
  readonly measurements: Measurement[] = [];

  publish(measurement: Measurement): void {
    this.measurements.push(measurement);
  }

  /** Every value of `name`, with the dimensions of its measurement. */
  values(name: string): { value: number; dimensions: Measurement['dimensions'] }[] {
    return this.measurements.flatMap((m) =>
      m.values.filter((v) => v.name === name).map((v) => ({ value: v.value, dimensions: m.dimensions })),
    );
  }
}

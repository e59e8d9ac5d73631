import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbMessageLedger } from '../../adapters/dynamodb/dynamodb-message-ledger';
import { PowertoolsMetricsAdapter } from '../../adapters/powertools/powertools-metrics';
import type { PriceTable } from '../../domain/brake-policy';
import type { Clock } from '../../ports/clock';
import type { Fingerprinter } from '../../ports/fingerprinter';
import type { Logger } from '../../ports/logger';
import type { Metrics } from '../../ports/metrics';
import type { HookTelemetryConfig } from '../config/telemetry-config';
import type { DeliveryTelemetry } from '../delivery-telemetry';
import { RecordedDeliveryTelemetry } from '../recorded-delivery-telemetry';

/** Every function publishes under one service name, so the dashboard reads one `service` dimension. */
export const METRICS_SERVICE = 'otp-courier';

/** EMF on standard output; the namespace comes from POWERTOOLS_METRICS_NAMESPACE (the stack sets it). */
export function awsMetrics(): Metrics {
  return new PowertoolsMetricsAdapter({ serviceName: METRICS_SERVICE });
}

export function awsDeliveryTelemetry(
  config: HookTelemetryConfig,
  prices: PriceTable | undefined,
  parts: {
    readonly dynamo: DynamoDBClient;
    readonly fingerprinter: Fingerprinter;
    readonly clock: Clock;
    readonly logger: Logger;
  },
): DeliveryTelemetry {
  const ledger = config.messagesTable
    ? new DynamoDbMessageLedger(parts.dynamo, { tableName: config.messagesTable }, parts.clock)
    : undefined;
  return new RecordedDeliveryTelemetry(awsMetrics(), ledger, parts.fingerprinter, parts.clock, parts.logger, {
    conversionIdps: config.conversionIdps,
    ...(prices ? { prices } : {}),
  });
}

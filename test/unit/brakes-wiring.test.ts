import { afterAll, describe, expect, it } from 'vitest';
import { DynamoDbRateCounterStore } from '../../adapters/dynamodb/dynamodb-rate-counter-store';
import { Brakes } from '../../app/brakes';
import { awsHookAdapters } from '../../app/composition/aws-hook-adapters';
import { buildHookContainer } from '../../app/composition/hook-container';
import { loadAwsConfig } from '../../app/config/aws-config';
import { loadDeliveryConfig } from '../../app/config/delivery-config';
import { DeliverOtp } from '../../app/deliver-otp';
import { localHookEnvironment } from '../support/local-lambda-environment';

describe('brakes wiring', () => {
  const env = localHookEnvironment({ fakeAws: 'http://127.0.0.1:9', dynamo: 'http://127.0.0.1:9' });
  const saved = { ...process.env };
  Object.assign(process.env, env);
  afterAll(() => {
    process.env = saved;
  });

  it('the Lambda composition brakes every delivery, counting in the idempotency table by default', () => {
    const config = loadAwsConfig(env);
    expect(config.counterTable).toBe(config.idempotencyTable);
    const adapters = awsHookAdapters(config, { ...loadDeliveryConfig(env), logLevel: 'SILENT' });
    expect(adapters.brakes?.counters).toBeInstanceOf(DynamoDbRateCounterStore);
    const deliver = buildHookContainer(adapters).get(DeliverOtp) as unknown as { brakes: unknown };
    expect(deliver.brakes).toBeInstanceOf(Brakes);
    expect(loadAwsConfig({ ...env, COUNTER_TABLE: 'counters' }).counterTable).toBe('counters');
  });
});

/**
 * The environment template.yaml gives the hook function, pointed at local engines: DynamoDB at dynalite,
 * SMS-Voice v2, SQS and KMS at the fake AWS endpoint (AWS_ENDPOINT_URL* are honoured by SDK v3). Shared by
 * the Lambda entry-point tests and the benchmarks so both run the function as deployed.
 */
export function localHookEnvironment(endpoints: {
  readonly fakeAws: string;
  readonly dynamo: string;
}): Record<string, string> {
  return {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDFAKE',
    AWS_SECRET_ACCESS_KEY: 'fake-secret',
    AWS_ENDPOINT_URL: endpoints.fakeAws,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamo,
    BRAND_NAME: 'Acme',
    TEMPLATE_TABLE: 'templates',
    IDEMPOTENCY_TABLE: 'idempotency',
    DEAD_LETTER_QUEUE_URL: `${endpoints.fakeAws}/000000000000/otp-courier-dlq`,
    SEALING_KMS_KEY_ID: 'arn:aws:kms:us-east-1:000000000000:key/seal',
    FINGERPRINT_KMS_KEY_ID: 'arn:aws:kms:us-east-1:000000000000:key/hmac',
    ORIGINATION_IDENTITIES: 'GB=AcmeOTP',
    DEFAULT_ORIGINATION_IDENTITY: '+12065550100',
    LOG_LEVEL: 'INFO',
    // template.yaml sets it on every function; without it Powertools writes a warning line per metric.
    POWERTOOLS_METRICS_NAMESPACE: 'otp-courier/local',
  };
}

/**
 * The hook's environment with everything template.yaml also sets on the deployed function: the messages
 * table (each sent message recorded for receipts and conversion: one more DynamoDB write per request, in
 * the record's round trip), feedback, the configuration set and the protect configuration. What the
 * benchmarks run, so their call counts are the deployed function's; the caller creates MESSAGES_TABLE.
 */
export function deployedHookEnvironment(endpoints: {
  readonly fakeAws: string;
  readonly dynamo: string;
}): Record<string, string> {
  return {
    ...localHookEnvironment(endpoints),
    MESSAGES_TABLE: DEPLOYED_MESSAGES_TABLE,
    MESSAGE_FEEDBACK: 'true',
    CONFIGURATION_SET_NAME: 'otp-courier-bench',
    PROTECT_CONFIGURATION_ID: 'protect-otp-courier-bench',
  };
}

/** The messages table deployedHookEnvironment names. */
export const DEPLOYED_MESSAGES_TABLE = 'messages';

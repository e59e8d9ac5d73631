/** What the Lambda runtime sets, with credentials that work nowhere but on the local fakes. */
export const LAMBDA_ENV = {
  AWS_REGION: 'us-east-1',
  AWS_DEFAULT_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'AKIDBENCH',
  AWS_SECRET_ACCESS_KEY: 'bench-secret',
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024',
  TZ: ':UTC',
} as const;

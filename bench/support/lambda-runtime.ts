/** What the Lambda runtime sets, with credentials that work nowhere but on the local fakes. */
export const LAMBDA_ENV = {
  AWS_REGION: 'us-east-1',
  AWS_DEFAULT_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'AKIDBENCH',
  AWS_SECRET_ACCESS_KEY: 'bench-secret',
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024',
  TZ: ':UTC',
} as const;

/**
 * The environment of a process that runs `bundle` as its Lambda function would: only PATH of ours, what
 * the runtime sets, the function's name and its NODE_OPTIONS as deployed (sam build's rewrite included).
 * The function's own variables are the caller's to add.
 */
export function lambdaProcessEnv(bundle: {
  readonly functionName: string;
  readonly nodeOptions: string;
}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    ...LAMBDA_ENV,
    AWS_LAMBDA_FUNCTION_NAME: bundle.functionName,
    NODE_OPTIONS: bundle.nodeOptions,
  };
}

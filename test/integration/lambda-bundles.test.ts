import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildLambdas, formatSizes, type LambdaBundle } from '../../scripts/build-lambdas';

const run = promisify(execFile);

// Dummy configuration: enough for module initialisation; nothing here reaches AWS or Okta.
const ENV: Record<string, Record<string, string>> = {
  AuthorizerFunction: {
    AUTH_MODE: 'oauth',
    OKTA_ISSUER: 'https://example.okta.com/oauth2/aus1example',
    OKTA_AUDIENCE: 'api://otp-courier',
    OKTA_CLIENT_IDS: '0oa1example',
    OKTA_SCOPE: 'otp-courier.send',
    LOG_LEVEL: 'WARN',
  },
  TelephonyHookFunction: {
    BRAND_NAME: 'Example',
    DEFAULT_LOCALE: 'en',
    DEFAULT_PHONE_REGION: 'US',
    DEADLINE_MS: '2500',
    TEMPLATE_TABLE: 'templates',
    IDEMPOTENCY_TABLE: 'idempotency',
    TEMPLATE_CACHE_TTL_SECONDS: '300',
    DEAD_LETTER_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/dlq',
    SEALING_KMS_KEY_ID: 'arn:aws:kms:us-east-1:123456789012:key/11111111-1111-1111-1111-111111111111',
    FINGERPRINT_KMS_KEY_ID: 'arn:aws:kms:us-east-1:123456789012:key/22222222-2222-2222-2222-222222222222',
    ORIGINATION_IDENTITIES: 'US=+12065550100,GB=MySenderId',
    DEFAULT_ORIGINATION_IDENTITY: '+12065550100',
    LOG_LEVEL: 'WARN',
  },
};
ENV.CognitoSmsSenderFunction = {
  ...ENV.TelephonyHookFunction,
  COGNITO_KMS_KEY_ARN: 'arn:aws:kms:us-east-1:123456789012:key/33333333-3333-3333-3333-333333333333',
};

// What the Lambda runtime sets, with credentials that cannot work anywhere.
const LAMBDA_ENV = {
  AWS_REGION: 'us-east-1',
  AWS_DEFAULT_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'secret',
  AWS_SESSION_TOKEN: 'token',
  AWS_LAMBDA_FUNCTION_NAME: 'bundle-test',
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024',
};

let bundles: LambdaBundle[];

beforeAll(async () => {
  // A throwaway output folder: tests never overwrite a developer's dist/.
  bundles = await buildLambdas({ outRoot: mkdtempSync(join(tmpdir(), 'otp-courier-bundles-')) });
  console.log(`bundle sizes (handler module, minified):\n${formatSizes(bundles)}`);
}, 120_000);

function bundle(name: string): LambdaBundle {
  const found = bundles.find((b) => b.functionName === name);
  if (!found) throw new Error(`no bundle for ${name}`);
  return found;
}

describe('Lambda bundles built exactly as sam build would', () => {
  it('builds every function in template.yaml', () => {
    expect(bundles.map((b) => b.functionName).sort()).toEqual([
      'AuthorizerFunction',
      'CognitoSmsSenderFunction',
      'TelephonyHookFunction',
    ]);
  });

  it.each(['AuthorizerFunction', 'TelephonyHookFunction', 'CognitoSmsSenderFunction'])(
    '%s: a fresh node process imports the bundle and finds its handler',
    async (name) => {
      const b = bundle(name);
      const probe = `const m = await import(${JSON.stringify(pathToFileURL(b.handlerFile).href)});
        process.stdout.write(JSON.stringify({ type: typeof m[${JSON.stringify(b.handlerExport)}], arity: m[${JSON.stringify(b.handlerExport)}]?.length }));`;
      // No PATH-visible node_modules: the bundle must be self-contained, as on Lambda.
      const { stdout } = await run(process.execPath, ['--input-type=module', '-e', probe], {
        cwd: b.outdir,
        env: { PATH: process.env.PATH ?? '', ...LAMBDA_ENV, ...ENV[name] },
        timeout: 15_000,
      });
      expect(JSON.parse(stdout)).toMatchObject({ type: 'function' });
    },
  );

  it('authorizer bundle refuses a malformed token with "Unauthorized" (API Gateway → 401)', async () => {
    const b = bundle('AuthorizerFunction');
    const probe = `const { handler } = await import(${JSON.stringify(pathToFileURL(b.handlerFile).href)});
      const event = { type: 'TOKEN', authorizationToken: 'Bearer not.a.jwt',
        methodArn: 'arn:aws:execute-api:us-east-1:123456789012:abc123/v1/POST/okta/telephony-hook' };
      try { const r = await handler(event); process.stdout.write(JSON.stringify({ allowed: r })); }
      catch (e) { process.stdout.write(JSON.stringify({ thrown: e instanceof Error ? e.message : String(e) })); }`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', probe], {
      cwd: b.outdir,
      env: { PATH: process.env.PATH ?? '', ...LAMBDA_ENV, ...ENV.AuthorizerFunction },
      timeout: 15_000,
    });
    expect(JSON.parse(stdout)).toEqual({ thrown: 'Unauthorized' });
  });

  it('authorizer: no AWS SDK client inside, under 100 KB', () => {
    const b = bundle('AuthorizerFunction');
    const inputs = Object.keys(b.metafile.inputs);
    expect(inputs.filter((path) => path.includes('@aws-sdk/client-'))).toEqual([]);
    expect(inputs.filter((path) => path.includes('@smithy/'))).toEqual([]);
    expect(b.bytes).toBeLessThan(100 * 1024);
  });

  it('hook: bundles the SDK clients it needs (Lambda’s built-in SDK is not relied on)', () => {
    const inputs = Object.keys(bundle('TelephonyHookFunction').metafile.inputs).join('\n');
    for (const client of ['client-dynamodb', 'client-pinpoint-sms-voice-v2', 'client-sqs', 'client-kms']) {
      expect(inputs).toContain(`@aws-sdk/${client}/`);
    }
  });

  it('cognito trigger: the Encryption SDK’s decrypt side only, without its aggregated KMS and DynamoDB clients', () => {
    const inputs = Object.keys(bundle('CognitoSmsSenderFunction').metafile.inputs).join('\n');
    expect(inputs).toContain('@aws-crypto/decrypt-node/');
    expect(inputs).toContain('@aws-crypto/kms-keyring/');
    // kms-keyring-node imports the SDK's aggregated KMS client (every command) and the branch keystore
    // (a DynamoDB client): the trigger builds its keyring on our own bounded KMS client instead.
    expect(inputs).not.toContain('@aws-crypto/kms-keyring-node/');
    expect(inputs).not.toContain('@aws-crypto/branch-keystore-node/');
    expect(inputs).not.toContain('@aws-crypto/encrypt-node/');
  });

  it('bundles are ESM with linked source maps', () => {
    for (const b of bundles) {
      expect(b.handlerFile.endsWith('.mjs')).toBe(true);
      expect(Object.keys(b.metafile.outputs).some((o) => o.endsWith('.mjs.map'))).toBe(true);
    }
  });
});

import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  buildLambdas,
  filesLoadedAtInit,
  formatSizes,
  type LambdaBundle,
  loadSamBuild,
} from '../../scripts/build-lambdas';
import { loadTemplate } from '../../scripts/cloudformation-yaml';
import { rebuildMaps, symbolicate, withoutChunkHashes } from '../../scripts/symbolicate';
import { parseJsonFilterPattern } from '../support/cloudwatch-filter-pattern';
import { FakeAwsEndpoint } from '../support/fake-aws-endpoint';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

// `.ci/run` runs the real `sam build` (when the SAM CLI is beside the clone) and points this at its
// output, so the bundles probed below are then the very files `sam deploy` uploads.
const SAM_BUILD_DIR = process.env.OTP_COURIER_SAM_BUILD_DIR
  ? resolve(ROOT, process.env.OTP_COURIER_SAM_BUILD_DIR)
  : undefined;

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
  DeliveryReceiptsFunction: { MESSAGES_TABLE: 'messages', LOG_LEVEL: 'WARN' },
  SettleUnconfirmedFunction: { MESSAGES_TABLE: 'messages', LOG_LEVEL: 'WARN' },
  // Its init reads the secret: from the fake endpoint the test starts (AWS_ENDPOINT_URL, added below).
  OktaEventHookFunction: {
    MESSAGES_TABLE: 'messages',
    FINGERPRINT_KMS_KEY_ID: 'arn:aws:kms:us-east-1:123456789012:key/22222222-2222-2222-2222-222222222222',
    EVENT_HOOK_SECRET_ID: 'event-hook-secret',
    LOG_LEVEL: 'WARN',
  },
  // Its init reads the auth token from the Twilio secret, from the same fake endpoint.
  TwilioStatusFunction: {
    MESSAGES_TABLE: 'messages',
    TWILIO_CREDENTIALS_SECRET_ARN: 'twilio-secret',
    LOG_LEVEL: 'WARN',
  },
};
// EnableAuth0 "false", the default: the Auth0 route's authorizer is switched off.
ENV.Auth0AuthorizerFunction = { AUTH_MODE: 'disabled', TOKEN_PROFILE: 'auth0', LOG_LEVEL: 'WARN' };
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

let built: LambdaBundle[];
/** What ships: sam build's own output when CI ran it, else this repository's exact reproduction. */
let shipped: LambdaBundle[];

beforeAll(async () => {
  // A throwaway output folder: tests never overwrite a developer's dist/.
  built = await buildLambdas({ outRoot: mkdtempSync(join(tmpdir(), 'otp-courier-bundles-')) });
  shipped = SAM_BUILD_DIR ? loadSamBuild(SAM_BUILD_DIR) : built;
  console.log(
    `bundle sizes (handler module, minified${SAM_BUILD_DIR ? `, from ${SAM_BUILD_DIR}` : ''}):\n${formatSizes(shipped)}`,
  );
}, 120_000);

function find(list: LambdaBundle[], name: string): LambdaBundle {
  const found = list.find((b) => b.functionName === name);
  if (!found) throw new Error(`no bundle for ${name}`);
  return found;
}

async function runInBundleFolder(
  b: LambdaBundle,
  probe: string,
  env: Record<string, string>,
): Promise<{ stdout: string; stderr: string }> {
  // The bundle's own folder and no node_modules: the bundle must be self-contained, as on Lambda, and
  // started with the NODE_OPTIONS the deployed function has.
  return run(process.execPath, ['--input-type=module', '-e', probe], {
    cwd: b.outdir,
    env: { PATH: process.env.PATH ?? '', NODE_OPTIONS: b.nodeOptions, ...LAMBDA_ENV, ...env },
    timeout: 15_000,
  });
}

/** The handler's result (last stdout line) and every JSON log line (Powertools writes WARN/ERROR to stderr). */
function outcome(output: { stdout: string; stderr: string }): { result: unknown; logs: string[] } {
  const lines = output.stdout.trim().split('\n');
  const logs = [...lines.slice(0, -1), ...output.stderr.split('\n')].filter((l) => l.startsWith('{'));
  return { result: JSON.parse(lines.at(-1) ?? 'null'), logs };
}

const failuresFilter = () =>
  parseJsonFilterPattern(
    String(
      loadTemplate(join(ROOT, 'template.yaml')).Resources.AuthorizerFailuresMetricFilter?.Properties
        ?.FilterPattern,
    ),
  );

describe('Lambda bundles built exactly as sam build builds them', () => {
  it('builds every function in template.yaml', () => {
    expect(built.map((b) => b.functionName).sort()).toEqual([
      'Auth0AuthorizerFunction',
      'AuthorizerFunction',
      'CognitoSmsSenderFunction',
      'DeliveryReceiptsFunction',
      'OktaEventHookFunction',
      'SettleUnconfirmedFunction',
      'TelephonyHookFunction',
      'TwilioStatusFunction',
    ]);
  });

  it.runIf(SAM_BUILD_DIR)('sam build’s own output is byte-identical, with the same NODE_OPTIONS', () => {
    expect(shipped.map((b) => b.functionName).sort()).toEqual(built.map((b) => b.functionName).sort());
    for (const ours of built) {
      const sam = find(shipped, ours.functionName);
      const files = (dir: string) => readdirSync(dir).sort();
      expect(files(sam.outdir), ours.functionName).toEqual(files(ours.outdir));
      for (const file of files(ours.outdir)) {
        const a = readFileSync(join(ours.outdir, file));
        const b = readFileSync(join(sam.outdir, file));
        // A map names its sources relative to its folder, which differs; its mappings may not.
        if (file.endsWith('.map')) {
          const { mappings: ma, names: na } = JSON.parse(a.toString('utf8'));
          const { mappings: mb, names: nb } = JSON.parse(b.toString('utf8'));
          expect({ mappings: mb, names: nb }, file).toEqual({ mappings: ma, names: na });
        } else {
          expect(b.equals(a), `${ours.functionName}/${file} differs from sam build's`).toBe(true);
        }
      }
      expect(sam.nodeOptions, ours.functionName).toBe(ours.nodeOptions);
    }
  });

  it.each([
    'AuthorizerFunction',
    'Auth0AuthorizerFunction',
    'TelephonyHookFunction',
    'CognitoSmsSenderFunction',
    'DeliveryReceiptsFunction',
    'SettleUnconfirmedFunction',
    'OktaEventHookFunction',
    'TwilioStatusFunction',
  ])('%s: a fresh node process imports the shipped bundle and finds its handler', async (name) => {
    const b = find(shipped, name);
    const probe = `const m = await import(${JSON.stringify(pathToFileURL(b.handlerFile).href)});
        process.stdout.write(JSON.stringify({ type: typeof m[${JSON.stringify(b.handlerExport)}] }));`;
    const readsSecret = name === 'OktaEventHookFunction' || name === 'TwilioStatusFunction';
    const fake = readsSecret ? await FakeAwsEndpoint.start() : undefined;
    try {
      fake?.putSecret('event-hook-secret', 'a-secret-of-at-least-24-characters');
      fake?.putSecret(
        'twilio-secret',
        JSON.stringify({ accountSid: `AC${'0'.repeat(32)}`, authToken: 'twilio-token-for-the-bundle-test' }),
      );
      const { stdout } = await runInBundleFolder(b, probe, {
        ...(ENV[name] ?? {}),
        ...(fake ? { AWS_ENDPOINT_URL: fake.url } : {}),
      });
      expect(JSON.parse(stdout)).toEqual({ type: 'function' });
      if (fake) expect(fake.requestsFor('GetSecretValue')).toHaveLength(1);
    } finally {
      await fake?.close();
    }
  });

  const authorize = (b: LambdaBundle, authorization: string) => `
    const { handler } = await import(${JSON.stringify(pathToFileURL(b.handlerFile).href)});
    const event = { type: 'TOKEN', authorizationToken: ${JSON.stringify(authorization)},
      methodArn: 'arn:aws:execute-api:us-east-1:123456789012:abc123/v1/POST/okta/telephony-hook' };
    try { const r = await handler(event); process.stdout.write(JSON.stringify({ allowed: r }) + '\\n'); }
    catch (e) { process.stdout.write(JSON.stringify({ thrown: e instanceof Error ? e.message : String(e) }) + '\\n'); }`;

  it('authorizer bundle refuses a malformed token with "Unauthorized" (API Gateway → 401), no alarm', async () => {
    const b = find(shipped, 'AuthorizerFunction');
    const { result, logs } = outcome(
      await runInBundleFolder(b, authorize(b, 'Bearer not.a.jwt'), {
        ...ENV.AuthorizerFunction,
        LOG_LEVEL: 'INFO',
      }),
    );
    expect(result).toEqual({ thrown: 'Unauthorized' });
    expect(logs.map((l) => JSON.parse(l).reason)).toEqual(['malformed-token']);
    expect(logs.filter((l) => failuresFilter().matches(l))).toEqual([]);
  });

  it('authorizer bundle, Okta key set unreachable: the log line the failures alarm counts', async () => {
    const b = find(shipped, 'AuthorizerFunction');
    const token = [{ alg: 'RS256', kid: 'k1' }, { sub: 'x' }]
      .map((part) => Buffer.from(JSON.stringify(part)).toString('base64url'))
      .concat('c2ln')
      .join('.');
    const { result, logs } = outcome(
      await runInBundleFolder(b, authorize(b, `Bearer ${token}`), {
        ...ENV.AuthorizerFunction,
        // Nothing listens on port 1.
        OKTA_JWKS_URL: 'https://127.0.0.1:1/oauth2/aus1example/v1/keys',
        LOG_LEVEL: 'INFO',
      }),
    );
    expect(result).toEqual({ thrown: 'Unauthorized' });
    expect(logs.filter((l) => failuresFilter().matches(l))).toHaveLength(1);
  });

  it('Auth0 authorizer bundle, EnableAuth0 off: a well-formed token is refused too (idp-disabled)', async () => {
    const b = find(shipped, 'Auth0AuthorizerFunction');
    const token = [{ alg: 'RS256', kid: 'k1' }, { sub: 'x@clients' }]
      .map((part) => Buffer.from(JSON.stringify(part)).toString('base64url'))
      .concat('c2ln')
      .join('.');
    const { result, logs } = outcome(
      await runInBundleFolder(b, authorize(b, `Bearer ${token}`), {
        ...ENV.Auth0AuthorizerFunction,
        LOG_LEVEL: 'INFO',
      }),
    );
    expect(result).toEqual({ thrown: 'Unauthorized' });
    expect(logs.map((l) => JSON.parse(l).reason)).toEqual(['idp-disabled']);
  });

  it('authorizer: no AWS SDK client inside, under 100 KB', () => {
    const inputs = Object.keys(find(built, 'AuthorizerFunction').metafile?.inputs ?? {});
    expect(inputs.length).toBeGreaterThan(0);
    expect(inputs.filter((path) => path.includes('@aws-sdk/client-'))).toEqual([]);
    expect(inputs.filter((path) => path.includes('@smithy/'))).toEqual([]);
    expect(find(shipped, 'AuthorizerFunction').bytes).toBeLessThan(100 * 1024);
  });

  it('authorizers: nothing in them calls require(), so they carry no createRequire banner (no node:module)', () => {
    for (const name of ['AuthorizerFunction', 'Auth0AuthorizerFunction']) {
      const code = readFileSync(find(shipped, name).handlerFile, 'utf8');
      // A require() esbuild cannot resolve in ESM becomes a shim that throws this when called.
      expect(code, name).not.toContain('Dynamic require of');
      expect(code, name).not.toContain('require(');
      expect(code, name).not.toContain('node:module');
    }
  });

  // Which of Node's own modules a fresh process has loaded after the import (init) and after one call.
  const builtinsLoaded = (b: LambdaBundle, authorization?: string) => `
    const builtins = () => process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13));
    const { handler } = await import(${JSON.stringify(pathToFileURL(b.handlerFile).href)});
    const atInit = builtins();
    let outcome = 'not called';
    if (${JSON.stringify(authorization ?? null)} !== null) {
      const event = { type: 'TOKEN', authorizationToken: ${JSON.stringify(authorization ?? '')},
        methodArn: 'arn:aws:execute-api:us-east-1:123456789012:abc123/v1/POST/okta/telephony-hook' };
      outcome = await handler(event).then((r) => r.policyDocument.Statement[0].Effect, (e) => e.message);
    }
    const afterFirstCall = builtins();
    process.stdout.write(JSON.stringify({ atInit, afterFirstCall, outcome }) + '\\n');`;

  it('authorizer, header-secret mode: never loads node:http(s), and an allowed call builds no logger (no stdout stream)', async () => {
    const b = find(shipped, 'AuthorizerFunction');
    const secret = 'a-header-secret-of-at-least-24-characters';
    const { stdout, stderr } = await runInBundleFolder(b, builtinsLoaded(b, secret), {
      AUTH_MODE: 'header-secret',
      OKTA_HOOK_SECRET: secret,
      LOG_LEVEL: 'INFO',
    });
    const { atInit, afterFirstCall, outcome } = JSON.parse(stdout.trim());
    expect(outcome).toBe('Allow');
    expect(atInit).toContain('crypto');
    // http, https and tls are the key-set client's (oauth only); net is also what Node loads to make
    // process.stdout on a pipe, which Powertools' logger does when it is built.
    for (const module of ['http', 'https', 'tls', 'net', 'module']) {
      expect(afterFirstCall, module).not.toContain(module);
    }
    expect(stderr).toBe('');
  });

  it('authorizer, oauth mode: init loads the https client the first call needs (not left to that call), and not node:module', async () => {
    const b = find(shipped, 'AuthorizerFunction');
    const { stdout } = await runInBundleFolder(b, builtinsLoaded(b), ENV.AuthorizerFunction ?? {});
    const { atInit } = JSON.parse(stdout.trim());
    expect(atInit).toContain('https');
    expect(atInit).not.toContain('module');
  });

  it('hook: bundles the SDK clients it needs (Lambda’s built-in SDK is not relied on)', () => {
    const inputs = Object.keys(find(built, 'TelephonyHookFunction').metafile?.inputs ?? {}).join('\n');
    for (const client of ['client-dynamodb', 'client-pinpoint-sms-voice-v2', 'client-sqs', 'client-kms']) {
      expect(inputs).toContain(`@aws-sdk/${client}/`);
    }
  });

  it('cognito trigger: the Encryption SDK’s decrypt side only, without its aggregated KMS and DynamoDB clients', () => {
    const inputs = Object.keys(find(built, 'CognitoSmsSenderFunction').metafile?.inputs ?? {}).join('\n');
    expect(inputs).toContain('@aws-crypto/decrypt-node/');
    expect(inputs).toContain('@aws-crypto/kms-keyring/');
    // kms-keyring-node imports the SDK's aggregated KMS client (every command) and the branch keystore
    // (a DynamoDB client): the trigger builds its keyring on our own bounded KMS client instead.
    expect(inputs).not.toContain('@aws-crypto/kms-keyring-node/');
    expect(inputs).not.toContain('@aws-crypto/branch-keystore-node/');
    expect(inputs).not.toContain('@aws-crypto/encrypt-node/');
  });

  it('bundles are ESM; no map ships and nothing sets --enable-source-maps', () => {
    for (const b of shipped) {
      expect(b.handlerFile.endsWith('.mjs')).toBe(true);
      // The handler module, and the chunks of a function built with Splitting: ES modules only.
      const files = readdirSync(b.outdir);
      expect(files).toContain(basename(b.handlerFile));
      expect(
        files.filter((f) => !f.endsWith('.mjs')),
        b.functionName,
      ).toEqual([]);
      expect(b.nodeOptions).not.toContain('--enable-source-maps');
    }
    // The authorizer stays one file (no dynamic import); the hook's rarely used code is in chunks of its own.
    expect(readdirSync(find(shipped, 'AuthorizerFunction').outdir)).toEqual(['authorizer.mjs']);
    expect(readdirSync(find(shipped, 'TelephonyHookFunction').outdir).length).toBeGreaterThan(1);
  });

  it('init loads neither the Secrets Manager client (Twilio only) nor the Encryption SDK (first decryption)', () => {
    const atInit = (name: string) => filesLoadedAtInit(find(shipped, name).handlerFile);
    const all = (name: string) => readdirSync(find(shipped, name).outdir);
    for (const name of ['TelephonyHookFunction', 'CognitoSmsSenderFunction']) {
      const later = all(name).filter((f) => !atInit(name).includes(f));
      expect(
        later.some((f) => f.startsWith('secrets-manager-secret-source-')),
        name,
      ).toBe(true);
    }
    const cognitoLater = all('CognitoSmsSenderFunction').filter(
      (f) => !atInit('CognitoSmsSenderFunction').includes(f),
    );
    expect(cognitoLater.some((f) => f.startsWith('encryption-sdk-runtime-'))).toBe(true);
  });

  it('a map rebuilt offline describes the shipped code byte for byte, and reads a stack position', async () => {
    const outRoot = mkdtempSync(join(tmpdir(), 'otp-courier-maps-'));
    const maps = await rebuildMaps({ outRoot });
    for (const b of shipped) {
      // Every shipped file has a map, of code identical to it but for chunk names (same length, same
      // positions: a map changes the hash in a chunk's name); a one-file bundle, byte for byte.
      for (const file of readdirSync(b.outdir))
        expect(maps.has(file), `${b.functionName}/${file}`).toBe(true);
      const withMap = readFileSync(join(outRoot, 'mapped', b.functionName, basename(b.handlerFile)), 'utf8');
      const comment = `//# sourceMappingURL=${basename(b.handlerFile)}.map\n`;
      expect(withMap.endsWith(comment)).toBe(true);
      const shippedCode = readFileSync(b.handlerFile, 'utf8');
      const rebuilt = withMap.slice(0, -comment.length);
      expect(rebuilt.length, b.functionName).toBe(shippedCode.length);
      expect(withoutChunkHashes(rebuilt) === withoutChunkHashes(shippedCode), b.functionName).toBe(true);
      if (readdirSync(b.outdir).length === 1) expect(rebuilt === shippedCode, b.functionName).toBe(true);
    }
    // Where the authorizer's refusal message sits in the shipped bundle maps back to its source file.
    const authorizer = find(shipped, 'AuthorizerFunction');
    const code = readFileSync(authorizer.handlerFile, 'utf8');
    const at = code.indexOf('hook call rejected');
    const line = code.slice(0, at).split('\n').length;
    const column = at - code.lastIndexOf('\n', at - 1);
    const trace = `    at Ze (file:///var/task/authorizer.mjs:${line}:${column})`;
    expect(symbolicate(trace, maps)).toMatch(/\[app\/authorize-hook-call\.ts:\d+:\d+/);
    // And in a chunk (Splitting): the hook's Secrets Manager source, loaded on first use.
    const hook = find(shipped, 'TelephonyHookFunction');
    const chunk = readdirSync(hook.outdir).find((f) => f.startsWith('secrets-manager-secret-source-'));
    expect(chunk).toBeDefined();
    const chunkCode = readFileSync(join(hook.outdir, chunk as string), 'utf8');
    const inChunk = chunkCode.indexOf('secret has no string value');
    const chunkLine = chunkCode.slice(0, inChunk).split('\n').length;
    const chunkColumn = inChunk - chunkCode.lastIndexOf('\n', inChunk - 1);
    expect(symbolicate(`at r (file:///var/task/${chunk}:${chunkLine}:${chunkColumn})`, maps)).toMatch(
      /\[adapters\/secrets-manager\/secrets-manager-secret-source\.ts:\d+:\d+/,
    );
    expect(symbolicate('at x (file:///var/task/other.mjs:1:1)', maps)).toBe(
      'at x (file:///var/task/other.mjs:1:1)',
    );
  }, 60_000);

  it('refuses to bundle a devDependency (sam build installs production dependencies only)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'otp-courier-devdep-'));
    // scripts/cloudformation-yaml.ts imports `yaml`, a devDependency.
    writeFileSync(
      join(dir, 'template.yaml'),
      `Resources:
  DevDepFunction:
    Type: AWS::Serverless::Function
    Metadata:
      BuildMethod: esbuild
      BuildProperties: { EntryPoints: [scripts/cloudformation-yaml.ts], Format: esm }
    Properties: { CodeUri: ${JSON.stringify(ROOT)}, Handler: cloudformation-yaml.handler, Runtime: nodejs24.x }
`,
    );
    await expect(
      buildLambdas({ templatePath: join(dir, 'template.yaml'), outRoot: join(dir, 'out') }),
    ).rejects.toThrow(/dev-only packages that sam build does not install: node_modules\/yaml/);
  });
});

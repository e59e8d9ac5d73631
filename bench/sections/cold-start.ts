import { statSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbTemplateStore } from '../../adapters/dynamodb/dynamodb-template-store';
import { ensureIdempotencyTable } from '../../adapters/dynamodb/idempotency-table';
import { ensureMessageTable } from '../../adapters/dynamodb/message-table';
import { ensureTemplateTable } from '../../adapters/dynamodb/template-table';
import { bundledTemplates } from '../../adapters/i18n/i18next-template-store';
import { proxyEvent, tokenAuthorizerEvent } from '../../app/local/api-gateway-events';
import { cognitoSampleEvent } from '../../app/local/cognito-sample-event';
import {
  createDevIssuer,
  DEV_AUDIENCE,
  DEV_CLIENT_ID,
  DEV_SCOPE,
  loadOrCreateDevKey,
} from '../../app/local/dev-issuer';
import { startEmbeddedDynamo } from '../../app/local/embedded-dynamodb';
import { oktaSamplePayload } from '../../app/local/okta-sample-payload';
import {
  buildLambdas,
  bytesLoadedAtInit,
  bytesShipped,
  type LambdaBundle,
  loadSamBuild,
} from '../../scripts/build-lambdas';
import { FakeAwsEndpoint } from '../../test/support/fake-aws-endpoint';
import {
  DEPLOYED_MESSAGES_TABLE,
  deployedHookEnvironment,
} from '../../test/support/local-lambda-environment';
import { COGNITO_KEY_ARN, encryptUnderFakeKms } from '../support/cognito-ciphertext';
import { type ProfileSummary, summariseProfile } from '../support/cpu-profile-summary';
import { buildFloorBundles, isFloor } from '../support/floor-bundles';
import { startHttpsJwksServer } from '../support/jwks-server';
import { type ProbeReport, probeColdStart } from '../support/probe-cold-start';
import { median, round } from '../support/stats';

export interface ColdStartBundle {
  readonly functionName: string;
  /** What init loads: the handler module and the chunks it imports statically (Splitting). */
  readonly bundleBytes: number;
  /** Every file of the function (chunks loaded on first use included): what sam deploy uploads. */
  readonly shippedBytes: number;
  readonly sourceMapBytes: number;
  /** NODE_OPTIONS as the deployed function has it (sam build's rewrite included), applied to every run. */
  readonly nodeOptions: string;
  readonly runs: number;
  /** Medians over the runs. */
  readonly initMs: number;
  readonly firstInvokeMs: number;
  readonly initPlusFirstInvokeMs: number;
  /**
   * The same in CPU time (the process's, every thread): far steadier than wall time on a shared
   * machine, where a cold start mostly waits for the CPU. Medians over the runs.
   */
  readonly initCpuMs: number;
  readonly firstInvokeCpuMs: number;
  readonly initPlusFirstInvokeCpuMs: number;
  readonly maxRssMb: number;
  readonly initMsRange: readonly [number, number];
  /** Every run's init, in run order, to see variance and drift. */
  readonly initMsSamples: readonly number[];
  /** Node's own start-up before the import (Lambda's runtime replaces it with its own). */
  readonly nodeBootMs: number;
  /** How each run's first event ended, e.g. { "200 SUCCESSFUL": 11 }. */
  readonly outcomes: Readonly<Record<string, number>>;
  /** With --profile: where one extra run spent its CPU, by package or file. */
  readonly profile?: ProfileSummary & {
    readonly file: string;
    /** The same profile cut where the import ends: init's samples, then the first request's. */
    readonly init: ProfileSummary;
    readonly firstInvoke: ProfileSummary;
  };
}

export interface ColdStartResult {
  readonly bundles: readonly ColdStartBundle[];
}

const RUNS = 15;
const ISSUER = 'https://example.okta.com/oauth2/ausBench';

/**
 * Measurement 3: each bundle exactly as `sam build` makes it, imported by a fresh `node` process that
 * then handles one first event against local stand-ins — the authorizer fetches its JWKS from here, the
 * hook talks to dynalite and the fake AWS endpoint through AWS_ENDPOINT_URL*. Runs alternate between
 * the bundles so background load hits both alike.
 */
export interface ColdStartOptions {
  /** One extra run per bundle under `node --cpu-prof`, summarised by source. */
  readonly profile?: boolean;
  /** Another template.yaml to build from (to try build settings); default: the repository's. */
  readonly templatePath?: string;
  /** Measure the output of a finished `sam build` (e.g. .aws-sam/build) instead of building. */
  readonly samBuildDir?: string;
}

export async function runColdStart(options: ColdStartOptions = {}): Promise<ColdStartResult> {
  const outRoot = await mkdtemp(join(tmpdir(), 'otp-courier-bench-bundles-'));
  const dynamo = await startEmbeddedDynamo({});
  const fake = await FakeAwsEndpoint.start();
  const key = await loadOrCreateDevKey(undefined);
  // Over https, as Okta serves it: the authorizer's first request loads TLS and makes a handshake, and
  // its init loads node:https, as deployed (a plain-http loopback JWKS would let it skip both).
  const jwks = await startHttpsJwksServer({ keys: [key.publicJwk] });
  const client = new DynamoDBClient({
    endpoint: dynamo.endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    const templatePath =
      options.templatePath ?? fileURLToPath(new URL('../../template.yaml', import.meta.url));
    // The bundles exactly as sam build makes them: its own output, or the same esbuild command line.
    // The functions this section knows how to start (an environment and a first event each, below); others
    // in the template (the Auth0 authorizer, off unless configured) are left out rather than fail the run.
    const known = ['AuthorizerFunction', 'TelephonyHookFunction', 'CognitoSmsSenderFunction'];
    const bundles = (
      options.samBuildDir
        ? loadSamBuild(options.samBuildDir)
        : await buildLambdas({ outRoot, templatePath, only: known })
    ).filter((b) => known.includes(b.functionName));
    // Started in the same rounds as the real bundles: the cost of a cold start before any code of ours.
    bundles.push(...(await buildFloorBundles(templatePath, outRoot)));
    await ensureTemplateTable(client, 'templates');
    await ensureIdempotencyTable(client, 'idempotency');
    await ensureMessageTable(client, DEPLOYED_MESSAGES_TABLE);
    await new DynamoDbTemplateStore(client, { tableName: 'templates' }, silent).putTemplates(
      bundledTemplates(),
    );
    const issuer = await createDevIssuer(ISSUER, key);

    const envFor: Record<string, Record<string, string>> = {
      AuthorizerFunction: {
        AUTH_MODE: 'oauth',
        // The benchmark's JWKS server's self-signed certificate (read on the first TLS connection).
        NODE_EXTRA_CA_CERTS: jwks.certFile,
        OKTA_ISSUER: ISSUER,
        OKTA_AUDIENCE: DEV_AUDIENCE,
        OKTA_JWKS_URL: jwks.url,
        OKTA_CLIENT_IDS: DEV_CLIENT_ID,
        OKTA_SCOPE: DEV_SCOPE,
        LOG_LEVEL: 'INFO',
      },
      TelephonyHookFunction: deployedHookEnvironment({ fakeAws: fake.url, dynamo: dynamo.endpoint }),
      CognitoSmsSenderFunction: {
        ...deployedHookEnvironment({ fakeAws: fake.url, dynamo: dynamo.endpoint }),
        COGNITO_KMS_KEY_ARN: COGNITO_KEY_ARN,
      },
    };

    const floorEnv = { FLOOR_DYNAMODB_ENDPOINT: dynamo.endpoint, FLOOR_SMS_ENDPOINT: fake.url };

    async function firstEvent(b: LambdaBundle, i: number): Promise<unknown> {
      // The jose floor verifies the token against an empty key set: refused, as a token from nobody.
      if (isFloor(b.functionName)) return tokenAuthorizerEvent(`Bearer ${await issuer.mint()}`);
      if (b.functionName === 'AuthorizerFunction')
        return tokenAuthorizerEvent(`Bearer ${await issuer.mint()}`);
      if (b.functionName === 'CognitoSmsSenderFunction') {
        // As Cognito sends it: the code in an Encryption SDK message whose data key "KMS" (the fake) made.
        return cognitoSampleEvent({
          trigger: 'CustomSMSSender_ForgotPassword',
          ciphertext: await encryptUnderFakeKms(String(20_000_000 + i), fake.url),
          locale: 'de-DE',
          // A phone per run, as for the hook below (and not the hook's): the brakes count the trigger too.
          phone: `+49151123457${String(i % 100).padStart(2, '0')}`,
        });
      }
      return proxyEvent({
        path: '/okta/telephony-hook',
        headers: { 'content-type': 'application/json' },
        // A different user and phone per run, as cold starts meet real traffic: the runs share one
        // dynalite, and the brakes (issue 14) would rightly refuse one phone asked for 15 times a minute.
        body: JSON.stringify(
          withUser(
            oktaSamplePayload({
              code: String(20_000_000 + i),
              locale: 'de-DE',
              phone: `+49151123456${String(i % 100).padStart(2, '0')}`,
              channel: 'sms',
            }),
            `00uColdStart${i}`,
          ),
        ),
        sourceIp: '198.51.100.7',
        receivedAt: Date.now(),
        authorizer: { principalId: DEV_CLIENT_ID, policyDocument: { Version: '2012-10-17', Statement: [] } },
      });
    }

    async function probe(b: LambdaBundle, i: number, execArgv: string[] = []): Promise<ProbeReport> {
      return probeColdStart(b, await firstEvent(b, i), {
        env: envFor[b.functionName] ?? floorEnv,
        execArgv,
      });
    }

    const reports = new Map<string, ProbeReport[]>(bundles.map((b) => [b.functionName, []]));
    for (let i = 0; i < RUNS; i++) {
      for (const b of bundles) reports.get(b.functionName)?.push(await probe(b, i));
    }

    const results: ColdStartBundle[] = [];
    for (const b of bundles) {
      const runs = reports.get(b.functionName) ?? [];
      const inits = runs.map((r) => r.initMs);
      const outcomes: Record<string, number> = {};
      for (const r of runs) outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
      let profile: ColdStartBundle['profile'];
      if (options.profile && !isFloor(b.functionName)) {
        // The same code with its map beside it (no map ships), so the profile reads in source files; the
        // map is only read here, by the summary, never by the profiled process.
        // Kept with the profile (outside the build folder, which is removed), to read it again later.
        const dir = await mkdtemp(join(tmpdir(), `otp-courier-bench-profile-${b.functionName}-`));
        const [mapped] = await buildLambdas({
          outRoot: join(dir, 'bundle'),
          templatePath,
          only: [b.functionName],
          extraArgs: ['--sourcemap'],
        });
        const report = mapped && (await probe(mapped, RUNS, ['--cpu-prof', '--cpu-prof-dir', dir]));
        const [file] = (await readdir(dir)).filter((f) => f.endsWith('.cpuprofile'));
        if (file && mapped && report) {
          const path = join(dir, file);
          profile = {
            file: path,
            ...summariseProfile(path, mapped.handlerFile, 20),
            init: summariseProfile(path, mapped.handlerFile, 20, { toUs: report.importEndUs }),
            firstInvoke: summariseProfile(path, mapped.handlerFile, 20, { fromUs: report.importEndUs }),
          };
        }
      }
      results.push({
        functionName: b.functionName,
        bundleBytes: bytesLoadedAtInit(b.handlerFile),
        shippedBytes: bytesShipped(b.outdir),
        sourceMapBytes: sizeOrZero(`${b.handlerFile}.map`),
        nodeOptions: b.nodeOptions,
        runs: runs.length,
        initMs: round(median(inits), 1),
        firstInvokeMs: round(median(runs.map((r) => r.firstInvokeMs)), 1),
        initPlusFirstInvokeMs: round(median(runs.map((r) => r.initMs + r.firstInvokeMs)), 1),
        initCpuMs: round(median(runs.map((r) => r.initCpuMs)), 1),
        firstInvokeCpuMs: round(median(runs.map((r) => r.firstInvokeCpuMs)), 1),
        initPlusFirstInvokeCpuMs: round(median(runs.map((r) => r.initCpuMs + r.firstInvokeCpuMs)), 1),
        maxRssMb: round(median(runs.map((r) => r.maxRssKb / 1024)), 1),
        initMsRange: [round(Math.min(...inits), 1), round(Math.max(...inits), 1)],
        initMsSamples: inits.map((ms) => round(ms, 1)),
        nodeBootMs: round(median(runs.map((r) => r.bootMs)), 1),
        outcomes,
        ...(profile ? { profile } : {}),
      });
    }
    return { bundles: results };
  } finally {
    client.destroy();
    await jwks.close();
    await fake.close();
    await dynamo.close();
    await rm(outRoot, { recursive: true, force: true });
  }
}

function sizeOrZero(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

const silent = { debug() {}, info() {}, warn() {}, error() {} };

function withUser<T extends { data: { userProfile: { userId: string } } }>(payload: T, userId: string): T {
  payload.data.userProfile.userId = userId;
  return payload;
}

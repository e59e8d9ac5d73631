/**
 * Issue 10: the Lambda's init phase derives the fingerprint key and fetches the default language's
 * templates, so the first request pays neither round trip; a failed or hung warm-up never fails init.
 * The production composition (awsHookAdapters) with the real SDK clients: DynamoDB on dynalite behind a
 * recording proxy, KMS, SQS and End User Messaging on the fake AWS endpoint, or a black hole.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ensureIdempotencyTable } from '../../adapters/dynamodb/idempotency-table';
import { ensureTemplateTable } from '../../adapters/dynamodb/template-table';
import { worstCaseMs } from '../../app/composition/aws-call-bounds';
import { awsHookAdapters } from '../../app/composition/aws-hook-adapters';
import { buildHookContainer } from '../../app/composition/hook-container';
import {
  initIsOffRequestPath,
  PRIME_BOUND_MS,
  phoneNumberPrime,
  warmUpHook,
} from '../../app/composition/hook-warm-up';
import { loadHookCallBounds } from '../../app/config/aws-call-bounds-config';
import { loadAwsConfig } from '../../app/config/aws-config';
import { loadDeliveryConfig } from '../../app/config/delivery-config';
import { DeliverOtp } from '../../app/deliver-otp';
import { Deadline } from '../../domain/deadline';
import type { Channel, DeliveryRequest } from '../../domain/delivery-request';
import { BlackHoleServer } from '../support/black-hole-server';
import { DelayAnswerProxy } from '../support/delay-answer-proxy';
import { startTestDynamo, type TestDynamo } from '../support/dynalite';
import { FakeAwsEndpoint } from '../support/fake-aws-endpoint';
import { localHookEnvironment } from '../support/local-lambda-environment';
import { RecordingLogger } from '../support/recording-logger';
import { guardSecret } from '../support/secret-leak-guard';

const BOUNDS = loadHookCallBounds({});
// Timers on two busy cores fire late, never early.
const TIMER_SLACK_MS = 300;

let dynamo: TestDynamo;
let proxy: DelayAnswerProxy;
let fake: FakeAwsEndpoint;
let hole: BlackHoleServer;
let serial = 0;
const saved = { ...process.env };

function request(channel: Channel, requestedLocale: string): DeliveryRequest {
  serial += 1;
  return {
    eventId: `warm-up-${serial}`,
    idp: 'okta',
    purpose: 'verification',
    channel,
    phone: `+1415555${String(2000 + serial)}`,
    code: guardSecret(String(61_000_000 + serial * 7919)),
    expiresAt: new Date(Date.now() + 300_000),
    requestedLocale,
  };
}

/** The hook's composition as the Lambda module builds it, its clients sent to `endpoints` by env. */
function compose(endpoints: { dynamo: string; kms: string; aws?: string }) {
  Object.assign(process.env, {
    ...localHookEnvironment({ fakeAws: endpoints.aws ?? fake.url, dynamo: endpoints.dynamo }),
    AWS_ENDPOINT_URL_KMS: endpoints.kms,
  });
  const { delivery, hook } = loadDeliveryConfig(process.env);
  const logger = new RecordingLogger();
  const adapters = {
    ...awsHookAdapters(loadAwsConfig(process.env), { delivery, hook, logLevel: 'SILENT' }),
    logger,
  };
  const targets = {
    fingerprinter: adapters.fingerprinter,
    templateCache: adapters.templateCache,
    defaultLocale: delivery.defaultLocale,
    defaultPhoneRegion: hook.defaultPhoneRegion,
    clock: adapters.clock,
    logger,
  };
  return { adapters, targets, logger, deliverOtp: buildHookContainer(adapters).get(DeliverOtp), hook };
}

beforeAll(async () => {
  [dynamo, fake, hole] = await Promise.all([
    startTestDynamo(),
    FakeAwsEndpoint.start(),
    BlackHoleServer.start(),
  ]);
  await ensureTemplateTable(dynamo.client, 'templates');
  await ensureIdempotencyTable(dynamo.client, 'idempotency');
  proxy = await DelayAnswerProxy.start(dynamo.endpoint);
});
afterAll(async () => {
  process.env = saved;
  await Promise.all([proxy?.close(), fake?.close(), hole?.close()]);
  await dynamo?.close();
});

describe('the hook warmed up at init', () => {
  it('first requests in the default language pay no GenerateMac and no template read', async () => {
    fake.reset();
    proxy.requests.length = 0;
    const { targets, deliverOtp, hook, logger } = compose({ dynamo: proxy.url, kms: fake.url });
    const report = await warmUpHook(targets);
    expect(report.failures).toEqual([]);
    expect(report.fingerprintKeyMs).toBeGreaterThanOrEqual(0);
    expect(report.templatesMs).toBeGreaterThanOrEqual(0);
    expect(logger.lines.map((l) => l.message)).toContain('init warm-up done');
    // One key derivation and one BatchGetItem per channel, all during init.
    expect(fake.requestsFor('GenerateMac')).toHaveLength(1);
    expect(proxy.count('BatchGetItem')).toBe(2);

    proxy.requests.length = 0;
    for (const [channel, locale] of [
      ['sms', 'EN-US'],
      ['voice', 'en'],
      ['sms', 'en_US'],
    ] as const) {
      const outcome = await deliverOtp.execute(
        request(channel, locale),
        Deadline.after(Date.now(), hook.deadlineMs),
      );
      expect(outcome.status).toBe('SUCCESSFUL');
    }
    expect(fake.requestsFor('GenerateMac')).toHaveLength(1);
    expect(proxy.count('BatchGetItem')).toBe(0);
    // What the requests did pay on DynamoDB: their claims (two puts each) and updates (record, brake counters).
    expect(proxy.count('PutItem')).toBe(6);
  });

  it('primes the first request’s SDK operations and libphonenumber without sending anything; the first request then sends once', async () => {
    fake.reset();
    proxy.requests.length = 0;
    const { adapters, targets, deliverOtp, hook, logger } = compose({ dynamo: proxy.url, kms: fake.url });
    expect(adapters.primes.map((p) => p.name).sort()).toEqual([
      'PutItem',
      'SendTextMessage',
      'SendVoiceMessage',
      'UpdateItem',
    ]);
    const report = await warmUpHook({ ...targets, primes: [phoneNumberPrime('US'), ...adapters.primes] });
    expect(report.failures).toEqual([]);
    // The four SDK operations and the phone-number library.
    expect(report.primed).toBe(5);
    expect(logger.lines.map((l) => l.message)).toContain('init warm-up done');
    // Nothing but the warm-up's own round trips left the process: no send, no write.
    expect(fake.requests.map((r) => r.operation)).toEqual(['GenerateMac']);
    expect(proxy.requests.map((r) => r.target.split('.').pop())).toEqual(['BatchGetItem', 'BatchGetItem']);

    // The primed operations (their middleware stacks now cached) still send, each once, with live signals.
    for (const channel of ['sms', 'voice'] as const) {
      const outcome = await deliverOtp.execute(
        request(channel, 'en-US'),
        Deadline.after(Date.now(), hook.deadlineMs),
      );
      expect(outcome.status).toBe('SUCCESSFUL');
    }
    expect(fake.requestsFor('SendTextMessage')).toHaveLength(1);
    expect(fake.requestsFor('SendVoiceMessage')).toHaveLength(1);
    expect(proxy.count('PutItem')).toBe(4);
    expect(proxy.count('UpdateItem')).toBeGreaterThanOrEqual(2);
  });

  it('primes against a black hole end at once and open no connection: nothing is sent', async () => {
    // Every client (DynamoDB, End User Messaging, KMS) pointed at the black hole.
    const { adapters, targets } = compose({ dynamo: hole.url, kms: hole.url, aws: hole.url });
    const seen = hole.requests.length;
    const started = Date.now();
    const report = await warmUpHook({
      ...targets,
      fingerprinter: { fingerprint: () => Promise.resolve('not derived') },
      templateCache: undefined,
      primes: [phoneNumberPrime('US'), ...adapters.primes],
    });
    expect(report.failures).toEqual([]);
    expect(report.primed).toBe(5);
    // Well under any connect timeout: no call waited for the network.
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(hole.openConnections).toBe(0);
    expect(hole.requests.length).toBe(seen);
  });

  it('a prime that fails or hangs is reported and bounded, never thrown', async () => {
    const { targets, logger } = compose({ dynamo: proxy.url, kms: fake.url });
    const started = Date.now();
    const report = await warmUpHook({
      ...targets,
      templateCache: undefined,
      primes: [
        { name: 'fails', run: () => Promise.reject(new RangeError('no')) },
        {
          name: 'throws',
          run: () => {
            throw new TypeError('sync');
          },
        },
        { name: 'hangs', run: () => new Promise<void>(() => {}) },
      ],
    });
    expect(Date.now() - started).toBeLessThanOrEqual(PRIME_BOUND_MS + TIMER_SLACK_MS);
    expect([...report.failures].sort()).toEqual([
      'prime fails: RangeError',
      'prime hangs: TimeoutError',
      'prime throws: TypeError',
    ]);
    expect(report.primed).toBe(0);
    expect(logger.warnings.map((w) => w.message)).toEqual([
      'init warm-up incomplete; the first requests will do the rest',
    ]);
  });

  it('primes only when init is off the request path (provisioned concurrency, SnapStart)', () => {
    expect(initIsOffRequestPath({ AWS_LAMBDA_INITIALIZATION_TYPE: 'provisioned-concurrency' })).toBe(true);
    expect(initIsOffRequestPath({ AWS_LAMBDA_INITIALIZATION_TYPE: 'snap-start' })).toBe(true);
    expect(initIsOffRequestPath({ AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand' })).toBe(false);
    expect(initIsOffRequestPath({})).toBe(false);
  });

  it('KMS and DynamoDB hung: the warm-up ends within the clients’ bounds, says what failed, never throws', async () => {
    const { targets, logger } = compose({ dynamo: hole.url, kms: hole.url });
    const started = Date.now();
    const report = await warmUpHook(targets);
    const elapsed = Date.now() - started;
    // The KMS client's own timeouts, or the derivation's backstop just after them (timers on busy cores).
    expect([...report.failures].sort()).toEqual([
      expect.stringMatching(/^fingerprint key: (TimeoutError|KmsDerivationTimeoutError)$/),
      'templates: TimeoutError',
    ]);
    expect(elapsed).toBeLessThanOrEqual(
      Math.max(worstCaseMs(BOUNDS.kms) + 100, worstCaseMs(BOUNDS.dynamodb)) + TIMER_SLACK_MS,
    );
    expect(logger.warnings.map((w) => w.message)).toEqual([
      'init warm-up incomplete; the first requests will do the rest',
    ]);
    // Nothing of the warm-up is left running into the freeze.
    await expect.poll(() => hole.openConnections).toBe(0);
  }, 10_000);

  it('KMS hangs on the fake AWS endpoint at init: bounded, templates still primed, the first request derives the key itself', async () => {
    fake.reset();
    proxy.requests.length = 0;
    // Every attempt the KMS client makes hangs (the endpoint accepts the call and never answers).
    fake.failNext({ type: 'hang' }, { target: 'GenerateMac', times: BOUNDS.kms.maxAttempts });
    const { targets, deliverOtp, hook, logger } = compose({ dynamo: proxy.url, kms: fake.url });
    const started = Date.now();
    const report = await warmUpHook(targets);
    expect(Date.now() - started).toBeLessThanOrEqual(worstCaseMs(BOUNDS.kms) + 100 + TIMER_SLACK_MS);
    expect(report.failures).toEqual([
      expect.stringMatching(/^fingerprint key: (TimeoutError|KmsDerivationTimeoutError)$/),
    ]);
    expect(report.fingerprintKeyMs).toBeUndefined();
    // The template read went through (the table is empty here: the catalogue serves this language).
    expect(report.templatesMs).toBeGreaterThanOrEqual(0);
    expect(proxy.count('BatchGetItem')).toBe(2);
    expect(logger.warnings.map((w) => w.message)).toEqual([
      'init warm-up incomplete; the first requests will do the rest',
    ]);
    const hungCalls = fake.requestsFor('GenerateMac').length;
    expect(hungCalls).toBeGreaterThanOrEqual(1);
    expect(hungCalls).toBeLessThanOrEqual(BOUNDS.kms.maxAttempts);

    // The failure is not kept: the first request asks KMS again (now answering), and sends once.
    const outcome = await deliverOtp.execute(
      request('sms', 'en-US'),
      Deadline.after(Date.now(), hook.deadlineMs),
    );
    expect(outcome.status).toBe('SUCCESSFUL');
    expect(fake.requestsFor('GenerateMac')).toHaveLength(hungCalls + 1);
    expect(fake.requestsFor('SendTextMessage')).toHaveLength(1);
    expect(proxy.count('BatchGetItem')).toBe(2); // none more: the primed cache served the request
  }, 10_000);

  it('KMS failing with 5xx and DynamoDB silent at init: both reported; the first request claims nothing and sends nothing', async () => {
    fake.reset();
    fake.failNext({ type: 'server-error' }, { target: 'GenerateMac', times: BOUNDS.kms.maxAttempts });
    const { targets, deliverOtp, hook } = compose({ dynamo: hole.url, kms: fake.url });
    const report = await warmUpHook(targets);
    expect([...report.failures].sort()).toEqual([
      'fingerprint key: InternalServerException',
      'templates: TimeoutError',
    ]);
    // DynamoDB is a black hole for this composition, so the request's claim cannot be made: it must end
    // FAILED (parked as uncertain), never SUCCESSFUL without a claim. The point: init did not fail.
    const outcome = await deliverOtp.execute(
      request('sms', 'en-US'),
      Deadline.after(Date.now(), hook.deadlineMs),
    );
    expect(outcome.status).toBe('FAILED');
    expect(fake.requestsFor('SendTextMessage')).toHaveLength(0);
  }, 15_000);

  it('the Lambda module finishes its init when KMS hangs, and its handler is there', async () => {
    Object.assign(process.env, {
      ...localHookEnvironment({ fakeAws: fake.url, dynamo: dynamo.endpoint }),
      AWS_ENDPOINT_URL_KMS: hole.url,
      LOG_LEVEL: 'SILENT',
    });
    vi.resetModules();
    const started = Date.now();
    const module = await import('../../app/lambda/telephony-hook');
    expect(Date.now() - started).toBeLessThanOrEqual(worstCaseMs(BOUNDS.kms) + 100 + TIMER_SLACK_MS + 2_000);
    expect(typeof module.handler).toBe('function');
  }, 15_000);
});

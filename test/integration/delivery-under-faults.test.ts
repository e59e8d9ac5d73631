/**
 * The system-level proof of issue 4: the real DeliverOtp use case, wired by the real composition root
 * from the real production adapters — End User Messaging SMS & Voice v2, SQS and KMS through their SDK v3
 * clients pointed at the fake AWS endpoint, DynamoDB idempotency on dynalite, the bundled i18next
 * catalogue — driven hard: transient faults and duplicates, then a provider that never answers, then a
 * scan of every place a passcode could leak to.
 */

import { monitorEventLoopDelay } from 'node:perf_hooks';
import { type AttributeValue, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import type { PinpointSMSVoiceV2Client } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbIdempotencyStore } from '../../adapters/dynamodb/dynamodb-idempotency-store';
import { ensureIdempotencyTable } from '../../adapters/dynamodb/idempotency-table';
import { createEndUserMessagingClient } from '../../adapters/end-user-messaging/end-user-messaging-client';
import {
  END_USER_MESSAGING_PROVIDER,
  EndUserMessagingSender,
} from '../../adapters/end-user-messaging/end-user-messaging-sender';
import { I18nextTemplateStore } from '../../adapters/i18n/i18next-template-store';
import { KmsDerivedFingerprinter } from '../../adapters/kms/kms-derived-fingerprinter';
import { KmsSecretSealer } from '../../adapters/kms/kms-secret-sealer';
import { SystemClock } from '../../adapters/local/system-clock';
import { SqsDeadLetterQueue } from '../../adapters/sqs/sqs-dead-letter-queue';
// The production client settings, so the timeouts and SDK retries under test are the ones that ship.
import { boundedClientConfig, boundedHandlerOptions } from '../../app/composition/aws-call-bounds';
import { buildHookContainer, type HookAdapters } from '../../app/composition/hook-container';
import { routedSender } from '../../app/composition/messaging';
import { loadHookCallBounds } from '../../app/config/aws-call-bounds-config';
import { loadDeliveryConfig } from '../../app/config/delivery-config';
import { DeliverOtp } from '../../app/deliver-otp';
import type { DeliverySettings } from '../../app/delivery-settings';
import { OKTA_PURPOSES } from '../../app/local/okta-sample-payload';
import shippedRoutes from '../../config/message-routes.json';
import type { DeadLetter } from '../../domain/dead-letter';
import { Deadline } from '../../domain/deadline';
import type { DeliveryOutcome } from '../../domain/delivery-outcome';
import type { Channel, DeliveryRequest, Purpose } from '../../domain/delivery-request';
import { startTestDynamo, type TestDynamo } from '../support/dynalite';
import {
  FakeAwsEndpoint,
  type FaultAction,
  fakeAwsClientConfig,
  type RecordedRequest,
  type StoredSqsMessage,
} from '../support/fake-aws-endpoint';
import { RecordingLogger } from '../support/recording-logger';
import { capturedOutput, guardSecret } from '../support/secret-leak-guard';
import { seededRandom } from '../support/seeded-random';

const SEED = 0x5eed_0004;
const TABLE = 'otp-courier-idempotency';
const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/000000000000/otp-courier-dead-letters';
const SEALING_KEY = 'alias/otp-courier-sealing';
const FINGERPRINT_KEY = 'alias/otp-courier-fingerprint';
const SEND_OPERATIONS = ['SendTextMessage', 'SendVoiceMessage'] as const;

const UNIQUE_REQUESTS = 1_000;
const DUPLICATES = 100;
const CONCURRENCY = 20;
// Twelve at once: every request stuck at the same moment, without turning one process into thirty Lambdas.
const HANG_REQUESTS = 12;
// A budget and reserve for twelve failure paths at once in one process on a shared 2-core machine (the
// reserve sized as bench:reserve measures it there); the replies still beat Okta's 3 s.
const HANG_BUDGET_MS = 2_000;
const HANG_RESERVE_MS = 600;
const DEFAULT_BUDGET_REQUESTS = 4;
// What issue 4 allows past the budget: the reply must still beat Okta's 3 s.
const REPLY_SLACK_MS = 100;

// 8 digits rather than Okta's usual 6 so the leak scan, which looks for bounded digit runs, cannot be
// tripped by chance by a 6-digit run inside a UUID message id or a ciphertext: a hit is a real leak.
const CODE_RUN = /(?<!\d)\d{8}(?!\d)/g;

// Fictional or unallocated-looking ranges in five countries, with the locales their users send.
const MARKETS = [
  { prefix: '+1415555', width: 4, locales: ['EN-US', 'en', 'es-US'] },
  { prefix: '+4474001', width: 5, locales: ['en-GB', 'EN'] },
  { prefix: '+3361', width: 7, locales: ['fr-FR', 'fr', 'fr-CA'] },
  { prefix: '+49151', width: 8, locales: ['de', 'de-DE'] },
  { prefix: '+55119', width: 8, locales: ['pt-BR', 'xx-YY'] },
] as const;

type DuplicateMode = 'concurrent' | 'after' | 'same-code-concurrent' | 'same-code-after';

interface Scenario {
  readonly index: number;
  readonly request: DeliveryRequest;
  readonly duplicate?: { readonly mode: DuplicateMode; readonly request: DeliveryRequest };
}

interface Execution {
  readonly index: number;
  readonly role: 'first' | 'duplicate';
  readonly mode?: DuplicateMode;
  readonly outcome: DeliveryOutcome;
  readonly replyMs: number;
}

/** Every code handed to the service, by event id: the leak scan and the unseal check read it. */
const codes = new Map<string, string>();
const codeSet = new Set<string>();

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

function freshCode(random: () => number): string {
  for (;;) {
    const code = String(10_000_000 + Math.floor(random() * 90_000_000));
    if (!codeSet.has(code)) {
      codeSet.add(guardSecret(code));
      return code;
    }
  }
}

function makeRequest(random: () => number, eventId: string, i: number, channel?: Channel): DeliveryRequest {
  const market = pick(random, MARKETS);
  const request: DeliveryRequest = {
    eventId,
    idp: 'okta',
    // Okta's purposes: a temporary password (Cognito's) never comes from Okta, nor by voice.
    purpose: pick<Purpose>(random, OKTA_PURPOSES),
    channel: channel ?? (random() < 0.75 ? 'sms' : 'voice'),
    phone: `${market.prefix}${String(i).padStart(market.width, '0')}`,
    code: freshCode(random),
    expiresAt: new Date(Date.now() + 300_000),
    requestedLocale: pick(random, market.locales),
    ...(random() < 0.5 ? { firstName: pick(random, ['Ana', 'Bjørn', 'Chloé', 'Dev', 'Eun-ji']) } : {}),
  };
  codes.set(eventId, request.code);
  return request;
}

/** 1,000 unique requests; 100 of them get a duplicate, in four flavours. */
function faultScenarios(random: () => number): Scenario[] {
  const scenarios = Array.from(
    { length: UNIQUE_REQUESTS },
    (_, index): Scenario => ({
      index,
      request: makeRequest(random, `okta-faults-${String(index).padStart(4, '0')}`, index),
    }),
  );
  // Seeded Fisher–Yates: which requests are duplicated is random but reproducible.
  const order = scenarios.map((s) => s.index);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  const modes: DuplicateMode[] = [
    ...Array<DuplicateMode>(40).fill('concurrent'),
    ...Array<DuplicateMode>(40).fill('after'),
    ...Array<DuplicateMode>(10).fill('same-code-concurrent'),
    ...Array<DuplicateMode>(10).fill('same-code-after'),
  ];
  order.slice(0, DUPLICATES).forEach((index, k) => {
    const mode = modes[k] as DuplicateMode;
    const original = (scenarios[index] as Scenario).request;
    // An exact replay (Okta never retries, but a proxy or a Lambda retry may), or the same code to the
    // same phone under another event id (the code-key half of the idempotency claim).
    const request = mode.startsWith('same-code')
      ? { ...original, eventId: `${original.eventId}-again` }
      : original;
    if (request.eventId !== original.eventId) codes.set(request.eventId, request.code);
    scenarios[index] = { index, request: original, duplicate: { mode, request } };
  });
  return scenarios;
}

/** Runs tasks with at most `limit` in flight, like a fleet of warm Lambdas behind one queue. */
async function inPool<T>(tasks: readonly (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await (tasks[i] as () => Promise<T>)();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

function percentiles(values: readonly number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  // Nearest rank: every figure is a reply time that actually happened.
  const at = (p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
  return { n: sorted.length, min: sorted[0], p50: at(50), p90: at(90), p99: at(99), max: sorted.at(-1) };
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

function contextEventId(request: RecordedRequest): string {
  const context = request.body.Context as Record<string, unknown> | undefined;
  return String(context?.eventId ?? '');
}

function deadLettersOf(messages: readonly StoredSqsMessage[]): DeadLetter[] {
  return messages.map((m) => JSON.parse(m.body) as DeadLetter);
}

/**
 * The event ids whose code appears in clear in `text`. Event ids, not codes, so that a failing
 * assertion's diff does not print the very secret it caught.
 */
function leakedCodes(text: string): string[] {
  const eventIdOf = new Map([...codes].map(([eventId, code]) => [code, eventId]));
  return [...text.matchAll(CODE_RUN)].flatMap((m) => eventIdOf.get(m[0]) ?? []);
}

let fake: FakeAwsEndpoint;
let dynamo: TestDynamo;
let dynamoClient: DynamoDBClient;
let smsVoice: PinpointSMSVoiceV2Client;
let sqs: SQSClient;
let kms: KMSClient;
let adapters: HookAdapters;
const logger = new RecordingLogger();
const defaults = loadDeliveryConfig({ BRAND_NAME: 'Acme' });
// The production client factory and attempts. dynalite and the fake AWS endpoint run in this process,
// beside 20 deliveries in flight on two shared cores: their answers take hundreds of ms here (DynamoDB,
// KMS and SQS answer in a few), so the 400 ms production timeouts would turn load into timeouts and
// retries. Those timeouts are proven against hung endpoints in aws-calls-bounded.test.ts.
const bounds = loadHookCallBounds({
  DYNAMODB_TIMEOUT_MS: '2000',
  KMS_TIMEOUT_MS: '2000',
  SQS_TIMEOUT_MS: '2000',
});

// What each run left behind; the fake forgets its requests and queue on reset, so they are kept here.
const providerCalls: RecordedRequest[] = [];
const otherCalls: RecordedRequest[] = [];
const parked: StoredSqsMessage[] = [];

function keepEvidence(): void {
  for (const r of fake.requests) {
    (SEND_OPERATIONS.some((op) => op === r.operation) ? providerCalls : otherCalls).push(r);
  }
  parked.push(...fake.sqsMessages(QUEUE_URL));
}

/** The use case exactly as the Lambda gets it: from the composition root, with these delivery settings. */
function deliverOtp(delivery: DeliverySettings): DeliverOtp {
  return buildHookContainer({ ...adapters, delivery }).get(DeliverOtp);
}

async function timed(deliver: DeliverOtp, request: DeliveryRequest, budgetMs = defaults.hook.deadlineMs) {
  const receivedAt = Date.now();
  const outcome = await deliver.execute(request, Deadline.after(receivedAt, budgetMs));
  return { outcome, replyMs: Date.now() - receivedAt };
}

beforeAll(async () => {
  fake = await FakeAwsEndpoint.start({ seed: SEED });
  dynamo = await startTestDynamo();
  const aws = fakeAwsClientConfig(fake);
  dynamoClient = new DynamoDBClient({
    endpoint: dynamo.endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    ...boundedClientConfig(bounds.dynamodb),
  });
  smsVoice = createEndUserMessagingClient({ ...aws, requestHandler: boundedHandlerOptions(bounds.smsVoice) });
  sqs = new SQSClient({ ...aws, ...boundedClientConfig(bounds.sqs) });
  kms = new KMSClient({ ...aws, ...boundedClientConfig(bounds.kms) });
  await ensureIdempotencyTable(dynamoClient, TABLE);
  const clock = new SystemClock();
  // The production router over End User Messaging alone, with the shipped route table except a tenth of
  // its backoff, which keeps 1,000 requests quick; attempts, deadlines and breakers are unchanged.
  const table = structuredClone(shippedRoutes) as typeof shippedRoutes;
  table.providers[END_USER_MESSAGING_PROVIDER].backoff = { baseMs: 5, maxMs: 40 };
  adapters = {
    templates: new I18nextTemplateStore(),
    sender: routedSender(
      {
        [END_USER_MESSAGING_PROVIDER]: new EndUserMessagingSender(smsVoice, {
          originationIdentities: { US: '+12065550100', GB: 'Acme', FR: 'Acme', DE: 'Acme' },
          defaultOriginationIdentity: 'pool-acme-otp',
          configurationSetName: 'otp-courier',
        }),
      },
      clock,
      logger,
      table,
    ),
    idempotency: new DynamoDbIdempotencyStore(dynamoClient, { tableName: TABLE }, logger, clock),
    deadLetters: new SqsDeadLetterQueue(sqs, { queueUrl: QUEUE_URL }),
    sealer: new KmsSecretSealer(kms, { keyId: SEALING_KEY }),
    fingerprinter: new KmsDerivedFingerprinter(kms, { keyId: FINGERPRINT_KEY }),
    clock,
    logger,
    delivery: defaults.delivery,
    hook: defaults.hook,
  };
});

afterAll(async () => {
  for (const client of [smsVoice, sqs, kms, dynamoClient]) client?.destroy();
  await dynamo?.close();
  await fake?.close();
});

describe('delivery under faults: the real use case and the real SDK clients against fake AWS and dynalite', () => {
  it('1,000 requests, 20 % transient provider faults, 10 % duplicates: each sent exactly once or dead-lettered', async () => {
    const random = seededRandom(SEED);
    const scenarios = faultScenarios(random);
    // 20 % of provider calls fail transiently: 8 % throttled, 8 % 5xx, 4 % connection reset. The entries
    // are drawn one after another, hence the conditional probabilities. Which call gets which fault
    // depends on arrival order under concurrency; the rate is what the seed fixes.
    const faults: [FaultAction, number][] = [
      [{ type: 'throttle' }, 0.08],
      [{ type: 'server-error' }, 0.08 / 0.92],
      [{ type: 'reset' }, 0.04 / 0.84],
    ];
    const deliver = deliverOtp(defaults.delivery);
    // A warm fleet, as after a Lambda's first request: the KMS-derived fingerprint key fetched, SDK
    // clients connected, the catalogue loaded. (Cold starts under faults are tested on their own.)
    await timed(deliver, makeRequest(seededRandom(SEED - 1), 'okta-faults-warm-up', 9_999));
    fake.reset(SEED);
    for (const [action, probability] of faults) {
      for (const target of SEND_OPERATIONS) fake.failRandomly(action, probability, { target });
    }

    // The seal-before-reply guarantee assumes the process gets the CPU within its reserve. On a machine
    // starved by other work it cannot: measured, so such a run reports instead of failing at random.
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    const started = Date.now();
    const run = (s: Scenario, request: DeliveryRequest, role: Execution['role']) =>
      timed(deliver, request).then(
        (t): Execution => ({
          index: s.index,
          role,
          ...(s.duplicate ? { mode: s.duplicate.mode } : {}),
          ...t,
        }),
      );
    const firstWave = scenarios.map((s) => async (): Promise<Execution[]> => {
      const dup = s.duplicate;
      if (dup && (dup.mode === 'concurrent' || dup.mode === 'same-code-concurrent')) {
        // Both in flight at once: exactly one may claim, the other must not send.
        return Promise.all([run(s, s.request, 'first'), run(s, dup.request, 'duplicate')]);
      }
      return [await run(s, s.request, 'first')];
    });
    const executions = (await inPool(firstWave, CONCURRENCY)).flat();
    const replays = scenarios
      .filter((s) => s.duplicate?.mode === 'after' || s.duplicate?.mode === 'same-code-after')
      .map((s) => async () => [
        await run(s, (s.duplicate as NonNullable<Scenario['duplicate']>).request, 'duplicate'),
      ]);
    executions.push(...(await inPool(replays, CONCURRENCY)).flat());
    const wallMs = Date.now() - started;
    loopDelay.disable();
    const loopDelayP99Ms = loopDelay.percentile(99) / 1e6;
    const starved = loopDelayP99Ms > defaults.delivery.failurePathReserveMs / 2;

    const sends = SEND_OPERATIONS.flatMap((op) => fake.requestsFor(op));
    const letters = deadLettersOf(fake.sqsMessages(QUEUE_URL));
    keepEvidence();

    // Every event id, original or duplicate, maps back to its unique request.
    const indexOf = new Map<string, number>();
    for (const s of scenarios) {
      indexOf.set(s.request.eventId, s.index);
      if (s.duplicate) indexOf.set(s.duplicate.request.eventId, s.index);
    }
    const accepted = new Map<number, number>();
    const faulted = new Map<number, number>();
    for (const call of sends) {
      const index = indexOf.get(contextEventId(call));
      expect(index, 'every provider call carries a known event id in Context').toBeDefined();
      const tally = call.outcome === 'ok' ? accepted : faulted;
      tally.set(index as number, (tally.get(index as number) ?? 0) + 1);
    }
    const lettered = new Map<number, DeadLetter[]>();
    for (const letter of letters) {
      const index = indexOf.get(letter.eventId);
      expect(index, 'every dead letter belongs to a known request').toBeDefined();
      lettered.set(index as number, [...(lettered.get(index as number) ?? []), letter]);
    }

    // A letter that could not be parked within the deadline is logged, sealed code included: that is its end.
    const loggedSealed = new Map<number, Record<string, unknown>[]>();
    for (const line of logger.lines) {
      if (line.message !== 'dead letter could not be parked') continue;
      const index = indexOf.get(String(line.fields.eventId));
      if (index === undefined) continue;
      loggedSealed.set(index, [...(loggedSealed.get(index) ?? []), line.fields]);
    }

    let sentFirstTry = 0;
    let retriedThenSent = 0;
    let acceptedButUncertain = 0;
    let unclaimed = 0;
    let loggedUnsealed = 0;
    const problems: string[] = [];
    for (const s of scenarios) {
      const mine = executions.filter((e) => e.index === s.index);
      // A request that could not claim (DynamoDB or KMS too slow under load) sent nothing and parked an
      // uncertain letter: a duplicate of it may have sent.
      const unclaimedHere = mine.filter((e) => e.outcome.failureReason === 'idempotency-unavailable');
      unclaimed += unclaimedHere.length;
      const claimants = mine.filter(
        (e) => e.outcome.duplicate !== true && e.outcome.failureReason !== 'idempotency-unavailable',
      );
      const sent = accepted.get(s.index) ?? 0;
      const dead = lettered.get(s.index) ?? [];
      const logged = loggedSealed.get(s.index) ?? [];
      const ends = [...dead.map((l) => l.certainty), ...logged.map((f) => String(f.certainty))];
      const failedHere = claimants.filter((e) => e.outcome.status === 'FAILED').length + unclaimedHere.length;
      if (sent > 1) problems.push(`request ${s.index}: ${sent} accepted sends`);
      if (claimants.length > 1) problems.push(`request ${s.index}: ${claimants.length} claimant replies`);
      // Each FAILED reply left its letter before it (parked, logged with the sealed code, or — a park
      // abandoned at the deadline that still went through — both).
      if (ends.length < failedHere || ends.length > 2 * failedHere) {
        problems.push(`request ${s.index}: ${failedHere} FAILED replies, ${ends.length} letters`);
      }
      for (const f of logged) {
        if (typeof f.sealedCode === 'string') continue;
        loggedUnsealed += 1;
        if (!starved) problems.push(`request ${s.index}: logged without sealed code`);
      }
      const claimant = claimants[0];
      if (claimant?.outcome.status === 'SUCCESSFUL') {
        // Known sent: answered SUCCESSFUL.
        if (sent !== 1) problems.push(`request ${s.index}: SUCCESSFUL with ${sent} sends`);
        if ((faulted.get(s.index) ?? 0) > 0) retriedThenSent += 1;
        else sentFirstTry += 1;
      } else if (sent === 1) {
        // The provider accepted but its answer did not arrive in time: only an uncertain end is true.
        acceptedButUncertain += 1;
        if (!ends.includes('uncertain') || ends.includes('not-sent')) {
          problems.push(`request ${s.index}: accepted, yet ended ${ends.join('+')}`);
        }
      }
      const letter = dead[0];
      // The letter's attempt count is what the sender started: what the provider saw, plus at most a last
      // attempt cut before it reached the provider (aborted while connecting).
      const saw = (faulted.get(s.index) ?? 0) + sent;
      if (letter && unclaimedHere.length === 0 && (letter.attempts < saw || letter.attempts > saw + 1)) {
        problems.push(`request ${s.index}: letter says ${letter.attempts} attempts, provider saw ${saw}`);
      }
      // The original's record cut short at its deadline (a starved run): its claim stays "in progress".
      const recordCut = logger.lines.some(
        (l) =>
          l.message === 'could not record delivery state' && l.fields.eventId === claimant?.outcome.eventId,
      );
      for (const replay of mine.filter((e) => e.role === 'duplicate' && e.mode?.endsWith('after'))) {
        // A replay that could not claim, or that claimed because the original could not: judged above.
        if (replay.outcome.failureReason === 'idempotency-unavailable' || replay === claimant) continue;
        // Its claim still "in progress" (the record cut short): PENDING, never a second send.
        if (
          (recordCut || starved) &&
          replay.outcome.status === 'PENDING' &&
          replay.outcome.duplicate === true
        ) {
          continue;
        }
        // Finished before the replay arrived: the replay repeats the original answer, it does not send.
        if (replay.outcome.duplicate !== true || replay.outcome.status !== claimant?.outcome.status) {
          problems.push(`request ${s.index}: late duplicate answered ${replay.outcome.status}`);
        }
        if (replay.outcome.transactionId !== claimant?.outcome.transactionId) {
          problems.push(`request ${s.index}: late duplicate carries another transaction id`);
        }
      }
    }
    expect(problems).toEqual([]);

    const duplicates = executions.filter((e) => e.outcome.duplicate === true);
    const deadLettered = [...lettered.values()].flat();
    const loggedLetters = [...loggedSealed.values()].flat().length;
    const summary = {
      uniqueRequests: scenarios.length,
      executions: executions.length,
      sent: sentFirstTry + retriedThenSent,
      sentFirstTry,
      retriedThenSent,
      acceptedButUncertain,
      unclaimed,
      loggedUnsealed,
      loopDelayP99Ms: Math.round(loopDelayP99Ms),
      starved,
      deadLettered: deadLettered.length,
      loggedLetters,
      deadLetteredByCertainty: countBy(deadLettered, (l) => l.certainty),
      deadLetteredByKind: countBy(deadLettered, (l) => l.error.kind),
      duplicatesReplayed: duplicates.length,
      duplicatesByMode: countBy(duplicates, (e) => e.mode ?? 'none'),
      duplicatesAnsweredPending: duplicates.filter((e) => e.outcome.status === 'PENDING').length,
      duplicatesAnsweredWithOriginal: duplicates.filter((e) => e.outcome.status !== 'PENDING').length,
      extraSendsFromDuplicates: [...accepted.values()].reduce((extra, n) => extra + Math.max(0, n - 1), 0),
      providerCalls: sends.length,
      providerCallsByOutcome: countBy(sends, (r) => r.outcome),
      // Every unique request is sent once, or ended in at least one letter (parked or logged).
      reconciles: scenarios.every(
        (s) =>
          (accepted.get(s.index) ?? 0) +
            (lettered.get(s.index)?.length ?? 0) +
            (loggedSealed.get(s.index)?.length ?? 0) >
          0,
      ),
      replyMs: percentiles(executions.map((e) => e.replyMs)),
      wallMs,
    };
    console.log('delivery under faults: counts', JSON.stringify(summary, null, 2));

    expect(summary.reconciles).toBe(true);
    expect(summary.executions).toBe(UNIQUE_REQUESTS + DUPLICATES);
    // A duplicate whose original could not claim (a starved run) may claim itself: replayed or not, never sent twice.
    if (!starved) expect(summary.duplicatesReplayed).toBe(DUPLICATES);
    expect(summary.extraSendsFromDuplicates).toBe(0);
    expect(letters).toHaveLength(summary.deadLettered);
    // A starved run can time out a claim here and there; hundreds would mean the claims are broken.
    if (!starved) expect(unclaimed).toBeLessThan(20);
    const total = (tally: Map<number, number>) => [...tally.values()].reduce((a, b) => a + b, 0);
    expect(total(accepted)).toBe(summary.sent + acceptedButUncertain);
    expect(total(accepted) + total(faulted)).toBe(summary.providerCalls);
    // The faults did bite, and the retries did save most of them. A reset is never retried (the fake read
    // the request before cutting it: it may have been sent), so ~4.8 % of requests end as letters for it.
    if (!starved) {
      expect(summary.retriedThenSent).toBeGreaterThan(100);
      expect(summary.sent).toBeGreaterThan(920);
    }
    // Only transient kinds: no fault was terminal, so a letter means retries, a reset or the budget ran out
    // (or, counted by `unclaimed` above, a claim that timed out on a loaded machine).
    for (const kind of Object.keys(summary.deadLetteredByKind)) {
      expect([
        'throttled',
        'provider-unavailable',
        'network',
        'deadline-exceeded',
        'idempotency-unavailable',
      ]).toContain(kind);
    }
    // Certainty by what was on the wire: an explicit refusal is not sent, a reset after the request was
    // read is uncertain and was the last provider call for its request (never retried).
    const resetRequests = new Set(
      sends.filter((r) => r.outcome === 'reset').map((r) => indexOf.get(contextEventId(r))),
    );
    for (const letter of deadLettered) {
      if (letter.error.kind === 'network') {
        // A reset is uncertain; that it ends its request's calls is asserted for every reset just below (a
        // starved run may also cut a last attempt before it reached the provider, so calls may end otherwise).
        expect(letter.certainty).toBe('uncertain');
      } else if (letter.error.kind === 'idempotency-unavailable') {
        // A claim that could not be made (a starved run): a copy of the request may hold it and have sent.
        expect(letter.certainty).toBe('uncertain');
      } else if (letter.error.kind !== 'deadline-exceeded') {
        expect(letter.certainty, `a ${letter.error.kind} letter`).toBe('not-sent');
      }
    }
    for (const index of resetRequests) {
      const calls = sends.filter((r) => indexOf.get(contextEventId(r)) === index).map((r) => r.outcome);
      expect(calls.indexOf('reset'), `request ${index}: a call after a reset`).toBe(calls.length - 1);
    }
    expect(resetRequests.size).toBeGreaterThan(20);
    // Okta's deadline held under load too, duplicates included (a failure path that could only start late
    // gets one reserve more).
    if (!starved) {
      const bound = defaults.hook.deadlineMs + defaults.delivery.failurePathReserveMs + REPLY_SLACK_MS;
      expect(executions.every((e) => e.replyMs <= bound)).toBe(true);
    }
  }, 240_000);

  it(`a hanging provider: ${HANG_REQUESTS} stalls at once, each parked (or logged sealed) before its reply, in time`, async () => {
    fake.reset(SEED + 2);
    for (const target of SEND_OPERATIONS) fake.failRandomly({ type: 'hang' }, 1, { target });
    const delivery: DeliverySettings = { ...defaults.delivery, failurePathReserveMs: HANG_RESERVE_MS };
    const deliver = deliverOtp(delivery);
    const random = seededRandom(SEED + 3);
    const requests = Array.from({ length: HANG_REQUESTS }, (_, i) =>
      makeRequest(
        random,
        `okta-hang-${String(i).padStart(2, '0')}`,
        5_000 + i,
        i % 3 === 0 ? 'voice' : 'sms',
      ),
    );

    // All at once: the deadline must hold when every request is stuck at the same moment.
    const results = await Promise.all(requests.map((r) => timed(deliver, r, HANG_BUDGET_MS)));
    const replyMs = results.map((r) => r.replyMs);
    console.log(
      `hanging provider, ${HANG_BUDGET_MS} ms budget: reply ms`,
      JSON.stringify(percentiles(replyMs)),
    );

    // The reply leaves only once its letter is parked or, cut short at the deadline, logged with its
    // sealed code (a park abandoned at the deadline may still have gone through: then both). Nothing is
    // still being parked after the replies: what is in the queue now is all there will be.
    const letters = deadLettersOf(fake.sqsMessages(QUEUE_URL));
    const logged = logger.lines
      .filter(
        (l) =>
          l.message === 'dead letter could not be parked' &&
          String(l.fields.eventId).startsWith('okta-hang-'),
      )
      .filter((l) => typeof l.fields.sealedCode === 'string');
    console.log(
      `hanging provider: ${letters.length} parked before the reply, ${logged.length} logged sealed`,
    );
    const ended = new Set([...letters.map((l) => l.eventId), ...logged.map((l) => String(l.fields.eventId))]);
    expect([...ended].sort()).toEqual(requests.map((r) => r.eventId).sort());
    expect(new Set(letters.map((l) => l.eventId)).size).toBe(letters.length);
    expect(letters.every((l) => l.certainty === 'uncertain')).toBe(true);
    const sends = SEND_OPERATIONS.flatMap((op) => fake.requestsFor(op));
    keepEvidence();
    // A failure path that could only start late (many stalls at once on two cores) still gets its reserve.
    // Many failure paths at once in one process are slower than any one Lambda's: allow three slacks.
    expect(Math.max(...replyMs)).toBeLessThanOrEqual(
      HANG_BUDGET_MS + delivery.failurePathReserveMs + 3 * REPLY_SLACK_MS,
    );
    for (const { outcome } of results) {
      expect(outcome.status).toBe('FAILED');
      expect(['deadline-exceeded', 'timeout']).toContain(outcome.failureReason);
    }
    for (const letter of letters) expect(['deadline-exceeded', 'timeout']).toContain(letter.error.kind);
    // One hung attempt each and no retry: it may have been accepted, and a retry could send twice.
    expect(sends.map((s) => s.outcome)).toEqual(Array(HANG_REQUESTS).fill('hang'));
  }, 30_000);

  it(`a hanging provider at the shipped ${defaults.hook.deadlineMs} ms budget: replies in time, each dead-lettered`, async () => {
    fake.reset(SEED + 4);
    for (const target of SEND_OPERATIONS) fake.failRandomly({ type: 'hang' }, 1, { target });
    const deliver = deliverOtp(defaults.delivery);
    const random = seededRandom(SEED + 5);
    const requests = Array.from({ length: DEFAULT_BUDGET_REQUESTS }, (_, i) =>
      makeRequest(random, `okta-hang-default-${i}`, 6_000 + i, i % 2 === 0 ? 'sms' : 'voice'),
    );

    const results = await Promise.all(requests.map((r) => timed(deliver, r)));
    const replyMs = results.map((r) => r.replyMs);
    console.log(
      `hanging provider, ${defaults.hook.deadlineMs} ms budget: reply ms`,
      JSON.stringify(percentiles(replyMs)),
    );

    // Only this test's letters: a park the previous test abandoned at its deadline may still land.
    const letters = deadLettersOf(fake.sqsMessages(QUEUE_URL)).filter((l) =>
      l.eventId.startsWith('okta-hang-default-'),
    );
    keepEvidence();
    expect(Math.max(...replyMs)).toBeLessThanOrEqual(defaults.hook.deadlineMs + REPLY_SLACK_MS);
    // Okta's own limit, with room for API Gateway and the network.
    expect(Math.max(...replyMs)).toBeLessThan(2_700);
    for (const { outcome } of results) expect(outcome.status).toBe('FAILED');
    expect(letters.map((l) => l.eventId).sort()).toEqual(requests.map((r) => r.eventId).sort());
    for (const letter of letters) expect(['deadline-exceeded', 'timeout']).toContain(letter.error.kind);
  }, 30_000);

  it('no passcode in clear in dead letters, idempotency records, provider Context, logs or output', async () => {
    expect(parked.length).toBeGreaterThan(HANG_REQUESTS);

    // The scanner itself works: an SMS body, the one place the code must be, is caught.
    const smsBody = providerCalls.find((r) => r.operation === 'SendTextMessage' && r.outcome === 'ok');
    expect(leakedCodes(String(smsBody?.body.MessageBody))).toEqual([
      contextEventId(smsBody as RecordedRequest),
    ]);

    const letters = parked.map((m) => `${m.body} ${JSON.stringify(m.attributes)}`).join('\n');
    expect(leakedCodes(letters), 'dead letters').toEqual([]);

    const items: Record<string, AttributeValue>[] = [];
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await dynamo.client.send(
        new ScanCommand({ TableName: TABLE, ExclusiveStartKey: startKey }),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    // Two keys (event, code) per request that was claimed (a starved run cuts some claims): the scan
    // below covers well over a thousand records.
    expect(items.length).toBeGreaterThan(UNIQUE_REQUESTS);
    // Every claim was finished on its event item (the record; issue 10), except where recording was cut
    // short at the deadline (logged): those stay "in progress", so their duplicates get PENDING and never
    // a second send. A code item is never completed: it names its event, whose item holds the record.
    const cutRecords = logger.lines.filter((l) => l.message === 'could not record delivery state').length;
    // And where a claim itself was cut short (a starved run): its half-claim is left, released only when
    // there was time; duplicates of it answer PENDING until it expires.
    const cutClaims = logger.lines.filter(
      (l) => l.message === 'otp not sent' && l.fields.kind === 'idempotency-unavailable',
    ).length;
    const eventItems = items.filter((item) => item.pk?.S?.startsWith('event#'));
    const codeItems = items.filter((item) => item.pk?.S?.startsWith('code#'));
    expect(eventItems.length + codeItems.length).toBe(items.length);
    expect(countBy(eventItems, (item) => item.state?.S ?? 'none')['in-progress'] ?? 0).toBeLessThanOrEqual(
      cutRecords + cutClaims,
    );
    for (const item of codeItems) expect(item.eventKey?.S).toMatch(/\S/);
    expect(leakedCodes(JSON.stringify(items)), 'idempotency records').toEqual([]);

    for (const call of providerCalls) {
      expect(Object.keys(call.body.Context as object).sort()).toEqual(['eventId', 'purpose']);
    }
    // Everything sent to the provider except the message itself (which must carry the code).
    const providerMetadata = providerCalls.map((r) => JSON.stringify({ ...r.body, MessageBody: undefined }));
    expect(leakedCodes(providerMetadata.join('\n')), 'provider Context and parameters').toEqual([]);
    // KMS sees the code base64-encoded inside Encrypt; nothing on the wire carries it in clear.
    expect(leakedCodes(otherCalls.map((r) => r.rawBody).join('\n')), 'SQS, KMS and other calls').toEqual([]);

    expect(logger.lines.length).toBeGreaterThan(UNIQUE_REQUESTS);
    expect(leakedCodes(logger.text()), 'log lines').toEqual([]);
    expect(leakedCodes(capturedOutput()), 'captured stdout/stderr').toEqual([]);
  });

  it('the sealed codes in dead letters unseal through KMS to the right code, and only for their own event', async () => {
    const letters = deadLettersOf(parked);
    const sealer = new KmsSecretSealer(kms, { keyId: SEALING_KEY });
    for (const letter of letters) {
      expect(letter.sealedCode.scheme).toBe('kms');
      expect(letter.sealedCode.keyId).toMatch(/^arn:aws:kms:/);
      // Compared, never printed: a mismatch reports only the event id.
      const opened = await sealer.unseal(letter.sealedCode, letter.eventId);
      expect(opened === codes.get(letter.eventId), `letter ${letter.eventId} unseals to its code`).toBe(true);
    }
    // The encryption context binds a sealed code to its event: another event id cannot open it.
    const [first, second] = letters;
    await expect(
      sealer.unseal((first as DeadLetter).sealedCode, (second as DeadLetter).eventId),
    ).rejects.toThrow();
  });
});

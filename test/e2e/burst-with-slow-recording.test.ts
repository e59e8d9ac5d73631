/**
 * Issue 9 §3: under a burst of 1,000 concurrent requests on the local stack, with DynamoDB slow to answer
 * the writes that record each delivery, no message that was sent is answered FAILED (wave 1 answered 418
 * of them FAILED, so Okta sent its own code too), nothing is sent twice, and every request not sent is
 * parked — or logged with its sealed code — before its reply.
 */
import { readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutboxRecord } from '../../adapters/local/outbox-message-sender';
import { oktaSamplePayload } from '../../app/local/okta-sample-payload';
import { readDeadLetter } from '../../domain/dead-letter';
import { CuttingTcpProxy } from '../support/cutting-tcp-proxy';
import { startTestDynamo, type TestDynamo } from '../support/dynalite';
import { startTestStack } from '../support/local-stack-fixture';
import { RecordingLogger } from '../support/recording-logger';

const REQUESTS = 1_000;
const RECORD_DELAY_MS = 3_000;

type Harness = Awaited<ReturnType<typeof startTestStack>>;
let dynamo: TestDynamo;
let proxy: CuttingTcpProxy;
let h: Harness;
const logger = new RecordingLogger();

beforeAll(async () => {
  dynamo = await startTestDynamo();
  proxy = await CuttingTcpProxy.start(dynamo.endpoint);
  h = await startTestStack({ LOG_LEVEL: 'WARN' }, { dynamoEndpoint: proxy.url, logger });
});
afterAll(async () => {
  // The proxy first: writes still held back would otherwise reach a closed dynalite.
  await proxy?.close();
  await h?.stack.close();
  await dynamo?.close();
});

/**
 * One POST on its own connection (node:http, no keep-alive): with a thousand at once, a pooled client
 * races the server closing idle sockets and reports resets that are the client's, not the stack's.
 */
function post(url: string, body: unknown, authorization: string): Promise<{ status: number; json: unknown }> {
  const text = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent: false,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(text),
          authorization,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          try {
            resolve({ status: res.statusCode ?? 0, json: JSON.parse(raw) });
          } catch {
            resolve({ status: res.statusCode ?? 0, json: raw });
          }
        });
        res.on('error', reject);
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) =>
      resolve({ status: -1, json: { socketError: error.code } }),
    );
    req.end(text);
  });
}

function percentiles(values: readonly number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
  return { p50: at(50), p90: at(90), p99: at(99), max: sorted.at(-1) };
}

describe(`a burst of ${REQUESTS} concurrent requests while recording each send takes ${RECORD_DELAY_MS} ms`, () => {
  it('answers no sent message FAILED, sends nothing twice, and parks (or logs sealed) every other', async () => {
    // Every UpdateItem (the "sent"/"failed" records) is applied at once but answered 3 s later.
    const armed = () =>
      proxy.faultNextAnswers(
        { type: 'delay', ms: RECORD_DELAY_MS },
        { times: 4 * REQUESTS, when: (r) => /x-amz-target: DynamoDB_20120810\.UpdateItem/i.test(r) },
      );
    const token = `Bearer ${await h.stack.devIssuer?.mint()}`;
    // Warm, as a running stack is: signing keys fetched, the token verified once, templates cached.
    const warm = await h.post(oktaSamplePayload({ code: '69999999' }), { authorization: token });
    expect(warm.status).toBe(200);
    armed();
    const payloads = Array.from({ length: REQUESTS }, (_, i) =>
      oktaSamplePayload({
        code: String(70_000_000 + i),
        phone: `+1415555${String(i).padStart(4, '0')}`,
        eventId: `burst-${String(i).padStart(4, '0')}`,
      }),
    );

    const started = Date.now();
    const replies = await Promise.all(
      payloads.map(async (payload) => {
        const t0 = Date.now();
        const reply = await post(h.stack.hookUrl, payload, token);
        const body = reply.json as {
          commands?: { value: { status: string; transactionId: string }[] }[];
          error?: { errorCauses: { reason: string }[] };
        };
        return {
          eventId: payload.eventId,
          http: reply.status,
          status: body.commands?.[0]?.value[0]?.status ?? (body.error ? 'FAILED' : 'none'),
          reason: body.error?.errorCauses[0]?.reason ?? (body as { socketError?: string }).socketError,
          ms: Date.now() - t0,
        };
      }),
    );
    const wallMs = Date.now() - started;

    const outbox = (await h.outbox()).filter((r) => r.eventId.startsWith('burst-'));
    const sentTimes = new Map<string, number>();
    for (const record of outbox as OutboxRecord[]) {
      sentTimes.set(record.eventId, (sentTimes.get(record.eventId) ?? 0) + 1);
    }
    const letters = await readFile(h.stack.config.deadLetterFile, 'utf8')
      .then((text) => text.split('\n').filter(Boolean))
      .catch(() => [] as string[]);
    const parked = new Map<string, string>();
    for (const line of letters) {
      const reading = readDeadLetter(line);
      expect(reading.ok).toBe(true);
      if (reading.ok) parked.set(reading.letter.eventId, reading.letter.certainty);
    }
    const loggedSealed = new Set(
      logger.lines
        .filter(
          (l) => l.message === 'dead letter could not be parked' && typeof l.fields.sealedCode === 'string',
        )
        .map((l) => String(l.fields.eventId)),
    );

    const statuses: Record<string, number> = {};
    for (const r of replies) {
      const key = r.http === 200 ? r.status : `HTTP ${r.http}`;
      statuses[key] = (statuses[key] ?? 0) + 1;
    }
    // Known sent: the outbox accepted it and the use case got its receipt (it logs "otp sent" at once).
    const knownSent = new Set(
      logger.lines.filter((l) => l.message === 'otp sent').map((l) => String(l.fields.eventId)),
    );
    const failedButKnownSent = replies.filter((r) => r.status === 'FAILED' && knownSent.has(r.eventId));
    // Sent, but the receipt came after the send deadline (the outbox's append cannot be aborted): the use
    // case could not know, and must say so — an uncertain letter, never a not-sent one.
    const failedButSent = replies.filter((r) => r.status === 'FAILED' && sentTimes.has(r.eventId));
    const certaintyOf = (eventId: string) =>
      parked.get(eventId) ??
      String(
        logger.lines.find(
          (l) => l.message === 'dead letter could not be parked' && l.fields.eventId === eventId,
        )?.fields.certainty,
      );
    const successfulNotSent = replies.filter((r) => r.status === 'SUCCESSFUL' && !sentTimes.has(r.eventId));
    const lost = replies.filter(
      (r) => r.status === 'FAILED' && !parked.has(r.eventId) && !loggedSealed.has(r.eventId),
    );
    console.log(
      `burst of ${REQUESTS}, records answered ${RECORD_DELAY_MS} ms late:`,
      JSON.stringify({
        statuses,
        sent: sentTimes.size,
        parked: parked.size,
        loggedSealed: loggedSealed.size,
        failedButKnownSent: failedButKnownSent.length,
        failedButSentUncertain: failedButSent.length,
        recordsCutShort: proxy.abandoned,
        replyMs: percentiles(replies.map((r) => r.ms)),
        socketErrors: replies
          .filter((r) => r.http === -1)
          .map((r) => `${JSON.stringify(r.reason ?? '')}@${r.ms}`)
          .slice(0, 10),
        wallMs,
      }),
    );

    expect(replies.every((r) => r.http === 200)).toBe(true);
    expect([...sentTimes.values()].every((n) => n === 1)).toBe(true);
    expect(failedButKnownSent).toEqual([]);
    expect(failedButSent.filter((r) => certaintyOf(r.eventId) !== 'uncertain')).toEqual([]);
    expect(successfulNotSent).toEqual([]);
    expect(lost).toEqual([]);
    expect(statuses.SUCCESSFUL ?? 0).toBe(sentTimes.size - failedButSent.length);
    // The slow records did bite: the replies did not wait for them.
    expect(proxy.abandoned).toBeGreaterThan(0);
  }, 180_000);
});

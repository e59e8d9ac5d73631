import { createHash, timingSafeEqual } from 'node:crypto';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { parseOktaEventHookBody } from '../adapters/okta/okta-event-hook';
import { InvalidRequestError } from '../domain/errors';
import type { Logger } from '../ports/logger';
import type { ConfirmVerifications } from './confirm-verifications';
import { jsonResponse, lowerCasedHeaders } from './proxy-responses';

export interface OktaEventHookSettings {
  /** The value Okta sends in the hook's authentication header ("Authentication secret"). */
  readonly secret: string;
  /** The header it comes in ("Authentication field"), case-insensitive. Default Authorization. */
  readonly headerName?: string;
  /** Okta waits 3 s; the work is cut off after this. Default 2,500 ms. */
  readonly budgetMs?: number;
  /** Larger bodies are refused. Default 6 MB (Lambda's own limit for a synchronous payload). */
  readonly maxBodyBytes?: number;
}

/** Shorter secrets are guessable; the stack generates 32 characters. */
export const MIN_EVENT_HOOK_SECRET_LENGTH = 24;
const MAX_CHALLENGE_LENGTH = 512;

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * The Okta event hook endpoint, self-contained: Okta authenticates with a fixed header secret (event
 * hooks have no OAuth), checked here in constant time on every request, the verification GET included.
 *
 * - GET with `x-okta-verification-challenge`: answers `{"verification": <the header's value>}` (the
 *   one-time verification that proves we control the URL).
 * - POST: a batch of System Log events; phone-factor verifications confirm our messages. Answers 204
 *   once they are recorded; 500 when the ledger failed, so Okta retries (once; everything here is
 *   idempotent); 4xx is never retried by Okta, so it is kept for requests that can never succeed.
 */
export class OktaEventHookHandler {
  private readonly expected: Buffer;
  private readonly headerName: string;

  constructor(
    private readonly confirmations: ConfirmVerifications,
    private readonly logger: Logger,
    private readonly settings: OktaEventHookSettings,
  ) {
    if (settings.secret.length < MIN_EVENT_HOOK_SECRET_LENGTH) {
      throw new Error(`event hook secret must be at least ${MIN_EVENT_HOOK_SECRET_LENGTH} characters`);
    }
    this.expected = digest(settings.secret);
    this.headerName = (settings.headerName ?? 'authorization').toLowerCase();
  }

  async handle(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
    const headers = lowerCasedHeaders(event.headers);
    if (!this.authentic(headers[this.headerName])) {
      this.logger.warn('event hook call refused', {
        reason: 'wrong or missing secret',
        method: event.httpMethod,
      });
      return jsonResponse(401, { message: 'Unauthorized' });
    }
    if (event.httpMethod === 'GET') return this.verify(headers['x-okta-verification-challenge']);
    if (event.httpMethod !== 'POST') return jsonResponse(405, { message: 'Method Not Allowed' });
    return this.deliver(event);
  }

  private authentic(presented: string | undefined): boolean {
    // Both sides hashed: timingSafeEqual compares 32 bytes and the secret's length does not leak.
    return typeof presented === 'string' && timingSafeEqual(digest(presented), this.expected);
  }

  private verify(challenge: string | undefined): APIGatewayProxyResult {
    // Echoed only when it looks like one: a printable token, never markup or a novel.
    if (!challenge || challenge.length > MAX_CHALLENGE_LENGTH || !/^[\x21-\x7e]+$/.test(challenge)) {
      return jsonResponse(400, { message: 'x-okta-verification-challenge header is required' });
    }
    this.logger.info('event hook verification answered');
    return jsonResponse(200, { verification: challenge });
  }

  private async deliver(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
    const body = event.isBase64Encoded
      ? Buffer.from(event.body ?? '', 'base64').toString('utf8')
      : event.body;
    if (body && Buffer.byteLength(body, 'utf8') > (this.settings.maxBodyBytes ?? 6 * 1024 * 1024)) {
      return jsonResponse(413, { message: 'Request Too Long' });
    }
    let batch: ReturnType<typeof parseOktaEventHookBody>;
    try {
      batch = parseOktaEventHookBody(body);
    } catch (error) {
      if (!(error instanceof InvalidRequestError)) throw error;
      this.logger.info('event hook call rejected', { error: error.message, issues: error.issues.join(', ') });
      return jsonResponse(400, { message: error.message });
    }
    this.confirmations.ignored(batch.ignored);
    // Cleared before returning: a timer left behind would run after Lambda thaws the environment.
    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(new Error('event hook budget spent')),
      this.settings.budgetMs ?? 2_500,
    );
    const signal = controller.signal;
    try {
      const summary = await this.confirmations.confirm(batch.verifications, { signal });
      this.logger.info('event hook delivery handled', {
        ...summary,
        ignored: batch.ignored,
        unreadable: batch.unreadable,
      });
      return { statusCode: 204, headers: { 'cache-control': 'no-store' }, body: '' };
    } catch (error) {
      this.logger.error('event hook delivery failed', {
        error: error instanceof Error ? error.name : 'Error',
        cutShort: signal.aborted,
      });
      return jsonResponse(500, { message: 'try again' });
    } finally {
      clearTimeout(timer);
    }
  }
}

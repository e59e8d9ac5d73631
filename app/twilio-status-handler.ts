import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { statusCallbackUrl } from '../adapters/twilio/status-callback-url';
import { type SignedParams, verifyTwilioSignature } from '../adapters/twilio/twilio-signature';
import { receiptFromTwilioCallback } from '../adapters/twilio/twilio-status-callback';
import type { Clock } from '../ports/clock';
import type { Logger } from '../ports/logger';
import { jsonResponse, lowerCasedHeaders } from './proxy-responses';
import type { RecordReceipts } from './record-receipts';

export interface TwilioStatusSettings {
  /** The account's auth token: Twilio signs every webhook with it (an API key cannot sign). */
  readonly authToken: string;
  /**
   * The StatusCallback URL the sender gives Twilio (TWILIO_STATUS_CALLBACK_URL), before `eventId` and
   * `purpose` are added: Twilio signs the URL it called, which is this one, whatever proxies and custom
   * domains did to the request on its way. A function when it is known only later (the local stack).
   */
  readonly callbackUrl?: string | (() => string | undefined);
  /** The work is cut off after this. Default 5,000 ms (Twilio waits 15 s for a status callback). */
  readonly budgetMs?: number;
  /** A status callback is well under 4 KB. Default 64 KB. */
  readonly maxBodyBytes?: number;
}

const NO_CONTENT: APIGatewayProxyResult = {
  statusCode: 204,
  headers: { 'cache-control': 'no-store' },
  body: '',
};

/**
 * Twilio's status callbacks (Programmable Messaging and Voice), as one more way into the receipts path:
 * each is checked against X-Twilio-Signature, mapped onto the provider-neutral receipt and recorded in
 * the same ledger record, by message sid, as End User Messaging's events; a callback delivered twice
 * changes nothing. There is no authorizer in front: the signature is the authentication.
 *
 * Answers 204 once recorded (or when the status is one we do not track), 403 for a bad signature, 500
 * when the ledger failed. Twilio does not retry a failed status callback unless the URL asks it to
 * (connection overrides), so a 500 is logged as a lost receipt.
 */
export class TwilioStatusHandler {
  constructor(
    private readonly receipts: RecordReceipts,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly settings: TwilioStatusSettings,
  ) {
    if (!settings.authToken) throw new Error('Twilio status callbacks need the account auth token');
  }

  async handle(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
    if (event.httpMethod !== 'POST') return jsonResponse(405, { message: 'Method Not Allowed' });
    const receivedAt = this.clock.now();
    const headers = lowerCasedHeaders(event.headers);
    const body = event.isBase64Encoded
      ? Buffer.from(event.body ?? '', 'base64').toString('utf8')
      : (event.body ?? '');
    if (Buffer.byteLength(body, 'utf8') > (this.settings.maxBodyBytes ?? 64 * 1024)) {
      return jsonResponse(413, { message: 'Request Too Long' });
    }
    const form = formParams(body);
    const query = queryParams(event);
    const ids = { eventId: query.get('eventId') ?? undefined, purpose: query.get('purpose') ?? undefined };
    if (headers['x-twilio-webhooks-signature-settings']) {
      // A Twilio Webhooks Rule signs with its own shared key and algorithm: not configured here.
      this.logger.warn('twilio callback refused', { reason: 'signed by a webhooks rule (shared key)' });
      return jsonResponse(403, { message: 'Forbidden' });
    }
    if (
      !verifyTwilioSignature(
        this.settings.authToken,
        this.urls(event, query),
        form,
        headers['x-twilio-signature'],
      )
    ) {
      // Never the parameters: they hold the phone number.
      this.logger.warn('twilio callback refused', {
        reason: headers['x-twilio-signature'] ? 'signature does not match' : 'no X-Twilio-Signature',
      });
      return jsonResponse(403, { message: 'Forbidden' });
    }
    const first = (name: string) => {
      const value = form[name];
      return typeof value === 'string' ? value : value?.[0];
    };
    const params = Object.fromEntries(Object.keys(form).map((name) => [name, first(name)]));
    const receipt = receiptFromTwilioCallback(params, receivedAt, ids.eventId);
    if (!receipt) {
      this.logger.info('twilio callback ignored', {
        status: first('MessageStatus') ?? first('CallStatus') ?? first('SmsStatus'),
      });
      return NO_CONTENT;
    }
    // Cleared before returning: a timer left behind would run after Lambda thaws the environment.
    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(new Error('twilio callback budget spent')),
      this.settings.budgetMs ?? 5_000,
    );
    try {
      await this.receipts.record(receipt, { signal: controller.signal });
      return NO_CONTENT;
    } catch (error) {
      this.logger.error('twilio receipt not recorded: lost unless Twilio retries', {
        messageId: receipt.messageId,
        providerStatus: receipt.providerStatus,
        error: error instanceof Error ? error.name : 'Error',
        cutShort: controller.signal.aborted,
      });
      return jsonResponse(500, { message: 'try again' });
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * The URLs Twilio may have signed: the configured StatusCallback with this message's ids added the
   * way the sender added them, and, as API Gateway saw it, the domain and path called with the query in
   * the order received.
   */
  private urls(event: APIGatewayProxyEvent, query: URLSearchParams): string[] {
    const urls: string[] = [];
    const configured =
      typeof this.settings.callbackUrl === 'function'
        ? this.settings.callbackUrl()
        : this.settings.callbackUrl;
    const eventId = query.get('eventId');
    const purpose = query.get('purpose');
    if (configured) {
      if (eventId !== null && purpose !== null)
        urls.push(statusCallbackUrl(configured, { eventId, purpose }));
      urls.push(withQuery(configured.split('?')[0] ?? configured, query));
    }
    const domain = event.requestContext?.domainName;
    if (domain && event.requestContext.path)
      urls.push(withQuery(`https://${domain}${event.requestContext.path}`, query));
    return urls;
  }
}

function withQuery(base: string, query: URLSearchParams): string {
  const text = query.toString();
  return text ? `${base}?${text}` : base;
}

function formParams(body: string): SignedParams {
  const out: Record<string, string[]> = {};
  for (const [name, value] of new URLSearchParams(body)) out[name] = [...(out[name] ?? []), value];
  return Object.fromEntries(
    Object.entries(out).map(([name, values]) => [name, values.length === 1 ? (values[0] as string) : values]),
  );
}

function queryParams(event: APIGatewayProxyEvent): URLSearchParams {
  const query = new URLSearchParams();
  const multi = event.multiValueQueryStringParameters;
  if (multi) {
    for (const [name, values] of Object.entries(multi)) for (const v of values ?? []) query.append(name, v);
  } else {
    for (const [name, value] of Object.entries(event.queryStringParameters ?? {}))
      if (value !== undefined) query.append(name, value);
  }
  return query;
}

import type { CountryCode } from 'libphonenumber-js';
import * as v from 'valibot';
import type { Channel, DeliveryRequest, Purpose } from '../../domain/delivery-request';
import { InvalidRequestError } from '../../domain/errors';
import { MAX_PHONE_LENGTH, PHONE_CHARACTERS, toE164 } from '../../domain/phone-number';
import { BodyTooLargeError, decodeRequestBody, parseJsonObject } from '../../domain/request-body';

/** Okta's own hook payloads are ~1.5 KB; 16 KiB leaves room for added fields and stops abuse early. */
export const DEFAULT_MAX_BODY_BYTES = 16 * 1024;

/** The body is bigger than we are willing to parse; the edge answers 413. */
export class OktaBodyTooLargeError extends BodyTooLargeError {
  override readonly name = 'OktaBodyTooLargeError';
}

export interface OktaHookParseOptions {
  /** API Gateway proxy events carry binary-typed bodies base64-encoded. */
  isBase64Encoded?: boolean;
  /** Region used first when Okta sends a phone number without "+". */
  defaultPhoneRegion: CountryCode;
  maxBytes?: number;
}

const PURPOSE_BY_REQUEST_TYPE: Readonly<Record<string, Purpose>> = {
  'com.okta.user.telephony.pre-enrollment': 'enrollment',
  'com.okta.user.telephony.mfa-verification': 'verification',
  'com.okta.user.telephony.account-unlock': 'account-unlock',
  'com.okta.user.telephony.password-reset': 'password-reset',
};

// Okta documents the voice channel under several spellings; any case, surrounding spaces tolerated.
const CHANNEL_BY_SPELLING: Readonly<Record<string, Channel>> = {
  sms: 'sms',
  call: 'voice',
  'voice call': 'voice',
  voice: 'voice',
};

function channelOf(raw: string): Channel | undefined {
  const key = raw.trim().toLowerCase().replace(/\s+/g, ' ');
  return Object.hasOwn(CHANNEL_BY_SPELLING, key) ? CHANNEL_BY_SPELLING[key] : undefined;
}

const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

/**
 * ISO-8601 with seconds and an explicit offset, and a real calendar date (V8 rolls "02-31" over).
 * Checked by arithmetic rather than a probe Date (twice per request); years 0–99 stay refused, as
 * Date.UTC, which reads them as 1900–1999, refused them before.
 */
export function isIsoDateTime(value: string): boolean {
  const m = ISO_DATE_TIME.exec(value);
  if (!m) return false;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (y < 100 || mo < 1 || mo > 12 || d < 1) return false;
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  const days = mo === 2 && leap ? 29 : (DAYS_IN_MONTH[mo - 1] as number);
  return (
    d <= days &&
    Number(m[4]) < 24 &&
    Number(m[5]) < 60 &&
    Number(m[6]) < 60 &&
    Number.isFinite(Date.parse(value))
  );
}

// Every message below names the rule only: issues travel back to the caller and into logs, so they
// must never echo a value (the otpCode above all).
const text = (max: number) => v.pipe(v.string(), v.maxLength(max, `must be at most ${max} characters`));
const requiredText = (max: number) =>
  v.pipe(
    v.string(),
    v.minLength(1, 'must not be empty'),
    v.maxLength(max, `must be at most ${max} characters`),
  );
const isoDateTime = v.pipe(
  v.string(),
  v.maxLength(40, 'must be at most 40 characters'),
  v.check(isIsoDateTime, 'must be an ISO-8601 date-time with seconds and a time zone'),
);

function phoneSchema(region: CountryCode) {
  return v.pipe(
    v.string(),
    v.minLength(1, 'must not be empty'),
    v.maxLength(MAX_PHONE_LENGTH, `must be at most ${MAX_PHONE_LENGTH} characters`),
    v.regex(PHONE_CHARACTERS, 'may contain only digits, spaces, ( ) . - and a leading +'),
    v.rawTransform(({ dataset, addIssue, NEVER }) => {
      const e164 = toE164(dataset.value, region);
      if (e164 === undefined) {
        addIssue({ message: 'must be a valid phone number' });
        return NEVER;
      }
      return e164;
    }),
  );
}

function bodySchema(region: CountryCode) {
  return v.object({
    eventId: v.pipe(requiredText(128), v.regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces')),
    eventTime: v.nullish(isoDateTime),
    eventType: v.nullish(text(100)),
    source: v.nullish(text(2048)),
    requestType: v.pipe(
      v.string(),
      v.maxLength(100, 'must be at most 100 characters'),
      v.check(
        (t) => Object.hasOwn(PURPOSE_BY_REQUEST_TYPE, t),
        'must be a known Okta telephony request type',
      ),
      v.transform((t) => PURPOSE_BY_REQUEST_TYPE[t] as Purpose),
    ),
    data: v.object({
      userProfile: v.nullish(
        v.object({
          firstName: v.nullish(text(100)),
          lastName: v.nullish(text(100)),
          login: v.nullish(text(256)),
          userId: v.nullish(text(64)),
        }),
      ),
      messageProfile: v.object({
        msgTemplate: v.nullish(text(1600)),
        phoneNumber: phoneSchema(region),
        otpExpires: isoDateTime,
        deliveryChannel: v.pipe(
          v.string(),
          v.maxLength(32, 'must be at most 32 characters'),
          v.check(
            (c) => channelOf(c) !== undefined,
            'must be SMS or a voice channel (CALL, voice call, voice)',
          ),
          v.transform((c) => channelOf(c) as Channel),
        ),
        otpCode: v.pipe(v.string(), v.regex(/^[0-9]{4,10}$/, 'must be 4 to 10 digits')),
        locale: v.nullish(text(35)),
      }),
    }),
  });
}

// Schemas are immutable; build one per region on first use instead of on every request.
const schemas = new Map<CountryCode, ReturnType<typeof bodySchema>>();
function schemaFor(region: CountryCode): ReturnType<typeof bodySchema> {
  let schema = schemas.get(region);
  if (!schema) {
    schema = bodySchema(region);
    schemas.set(region, schema);
  }
  return schema;
}

/** Builds "path: rule" from an issue without ever reading `received`/`input` (they hold the value). */
function describeIssue(issue: v.BaseIssue<unknown>): string {
  const path = v.getDotPath(issue) ?? 'body';
  if (issue.kind === 'schema') {
    if (issue.received === 'undefined') return `${path}: is required`;
    return `${path}: must be of type ${(issue.expected ?? 'unknown').toLowerCase()}`;
  }
  // Validation and transformation messages are all authored in this file.
  return `${path}: ${issue.message}`;
}

function invalid(issues: string[]): InvalidRequestError {
  return new InvalidRequestError('invalid Okta telephony hook request', issues);
}

/**
 * Turns the decoded JSON object of Okta's telephony inline hook into an IdP-neutral DeliveryRequest.
 * Throws InvalidRequestError naming every field that is wrong (never its value); nothing else.
 */
export function parseOktaHookJson(json: unknown, defaultPhoneRegion: CountryCode): DeliveryRequest {
  // valibot's object() takes arrays; a top-level array is a different mistake and says so.
  if (Array.isArray(json)) throw invalid(['body: must be of type object']);
  // abortPipeEarly: one issue per field, the first rule it breaks.
  const result = v.safeParse(schemaFor(defaultPhoneRegion), json, { abortPipeEarly: true });
  if (!result.success) throw invalid(result.issues.map(describeIssue));

  const { eventId, requestType, data } = result.output;
  const profile = data.messageProfile;
  const request: {
    -readonly [K in keyof DeliveryRequest]: DeliveryRequest[K];
  } = {
    eventId,
    idp: 'okta',
    purpose: requestType,
    channel: profile.deliveryChannel,
    phone: profile.phoneNumber,
    code: profile.otpCode,
    expiresAt: new Date(profile.otpExpires),
    requestedLocale: profile.locale ?? '',
  };
  const firstName = data.userProfile?.firstName?.trim();
  if (firstName) request.firstName = firstName;
  if (profile.msgTemplate) request.idpMessage = profile.msgTemplate;
  const userId = data.userProfile?.userId?.trim();
  if (userId) request.userId = userId;
  const clientIp = clientIpOf(json);
  if (clientIp) request.clientIp = clientIp;
  return request;
}

/**
 * data.context.request.ipAddress, read outside the schema on purpose: the brakes only use it, so an odd
 * or missing value drops the per-client limit instead of refusing the whole request.
 */
function clientIpOf(json: unknown): string | undefined {
  const ip = (json as { data?: { context?: { request?: { ipAddress?: unknown } } } })?.data?.context?.request
    ?.ipAddress;
  return typeof ip === 'string' && ip.trim().length > 0 && ip.length <= 64 ? ip.trim() : undefined;
}

/**
 * The raw body of Okta's hook, decoded and parsed as the generic HTTP edge does it (domain/request-body.ts)
 * and then read by parseOktaHookJson: for callers holding a raw body rather than the edge's JSON object.
 * Throws OktaBodyTooLargeError (413) or InvalidRequestError (400); nothing else.
 */
export function parseOktaHookBody(
  raw: string | undefined | null,
  options: OktaHookParseOptions,
): DeliveryRequest {
  let json: Record<string, unknown>;
  try {
    json = parseJsonObject(
      decodeRequestBody(raw, {
        isBase64Encoded: options.isBase64Encoded === true,
        maxBytes: options.maxBytes ?? DEFAULT_MAX_BODY_BYTES,
      }),
    );
  } catch (error) {
    if (error instanceof BodyTooLargeError) throw new OktaBodyTooLargeError(error.maxBytes);
    if (error instanceof InvalidRequestError) throw invalid([...error.issues]);
    throw error;
  }
  return parseOktaHookJson(json, options.defaultPhoneRegion);
}

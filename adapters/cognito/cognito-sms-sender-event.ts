import * as v from 'valibot';
import type { Purpose } from '../../domain/delivery-request';

/**
 * Amazon Cognito's CustomSMSSender trigger event (request type `customSMSSenderRequestV1`), as the
 * developer guide ("Custom SMS sender Lambda trigger") and Powertools' parser schema
 * (CustomSMSSenderTriggerSchema) describe it:
 *
 *   { version, triggerSource, region, userPoolId, userName?, callerContext: { awsSdkVersion, clientId },
 *     request: { type: "customSMSSenderRequestV1", code, clientMetadata?, userAttributes }, response: {} }
 *
 * `code` is base64 AWS Encryption SDK ciphertext under the user pool's KMS key (KMSKeyID).
 */
export const COGNITO_TRIGGER_SOURCES = [
  'CustomSMSSender_SignUp',
  'CustomSMSSender_ResendCode',
  'CustomSMSSender_ForgotPassword',
  'CustomSMSSender_UpdateUserAttribute',
  'CustomSMSSender_VerifyUserAttribute',
  'CustomSMSSender_Authentication',
  'CustomSMSSender_AdminCreateUser',
] as const;
export type CognitoTriggerSource = (typeof COGNITO_TRIGGER_SOURCES)[number];

/** What each trigger delivers, and how long Cognito keeps it valid (it sends no expiry of its own). */
export interface TriggerKind {
  readonly purpose: Purpose;
  /** The secret's life as Cognito documents it; a temporary password's comes from the pool's policy. */
  readonly validity: { readonly minutes: number } | 'temporary-password-validity';
}

export const TRIGGER_KINDS: Readonly<Record<CognitoTriggerSource, TriggerKind>> = {
  // A confirmation code after sign-up (and its resends), verifying the phone the account was made with.
  CustomSMSSender_SignUp: { purpose: 'enrollment', validity: { minutes: 24 * 60 } },
  CustomSMSSender_ResendCode: { purpose: 'enrollment', validity: { minutes: 24 * 60 } },
  // A code that verifies a new or changed phone number attribute.
  CustomSMSSender_VerifyUserAttribute: { purpose: 'enrollment', validity: { minutes: 24 * 60 } },
  CustomSMSSender_UpdateUserAttribute: { purpose: 'enrollment', validity: { minutes: 24 * 60 } },
  // A password reset code: valid for one hour.
  CustomSMSSender_ForgotPassword: { purpose: 'password-reset', validity: { minutes: 60 } },
  // An SMS MFA (or SMS OTP sign-in) code: valid for three minutes.
  CustomSMSSender_Authentication: { purpose: 'verification', validity: { minutes: 3 } },
  // A temporary password for a user an administrator created: valid for the pool's
  // TemporaryPasswordValidityDays (7 by default).
  CustomSMSSender_AdminCreateUser: { purpose: 'temporary-password', validity: 'temporary-password-validity' },
};

// Every message below names the rule only: issues travel into logs, so they must never echo a value.
const text = (max: number) =>
  v.pipe(
    v.string(),
    v.minLength(1, 'must not be empty'),
    v.maxLength(max, `must be at most ${max} characters`),
  );
const stringMap = (maxEntries: number) =>
  v.pipe(
    v.record(v.pipe(v.string(), v.maxLength(128)), v.pipe(v.string(), v.maxLength(2048))),
    v.check((map) => Object.keys(map).length <= maxEntries, `must have at most ${maxEntries} entries`),
  );

export const cognitoSmsSenderEventSchema = v.object({
  version: v.pipe(v.string(), v.maxLength(8, 'must be at most 8 characters')),
  triggerSource: v.picklist(COGNITO_TRIGGER_SOURCES, 'must be a CustomSMSSender trigger source'),
  region: text(32),
  userPoolId: v.pipe(text(64), v.regex(/^[\w-]+_[0-9A-Za-z]+$/, 'must be a user pool id')),
  userName: v.nullish(text(256)),
  callerContext: v.nullish(
    v.object({
      awsSdkVersion: v.nullish(v.pipe(v.string(), v.maxLength(64))),
      clientId: v.nullish(v.pipe(v.string(), v.maxLength(128))),
    }),
  ),
  request: v.object({
    type: v.literal('customSMSSenderRequestV1', 'must be customSMSSenderRequestV1'),
    // Base64 of an Encryption SDK message: a few hundred bytes for a code.
    code: v.pipe(text(8192), v.regex(/^[A-Za-z0-9+/]+={0,2}$/, 'must be base64')),
    clientMetadata: v.nullish(stringMap(50)),
    userAttributes: stringMap(100),
  }),
});

export type CognitoSmsSenderEvent = v.InferOutput<typeof cognitoSmsSenderEventSchema>;

/** Builds "path: rule" from an issue without ever reading `received`/`input` (they hold the value). */
export function describeIssue(issue: v.BaseIssue<unknown>): string {
  const path = v.getDotPath(issue) ?? 'event';
  if (issue.kind === 'schema') {
    if (issue.received === 'undefined') return `${path}: is required`;
    if (issue.type === 'picklist' || issue.type === 'literal') return `${path}: ${issue.message}`;
    return `${path}: must be of type ${(issue.expected ?? 'unknown').toLowerCase()}`;
  }
  return `${path}: ${issue.message}`;
}

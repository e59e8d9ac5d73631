import { IDEMPOTENCY_ATTRIBUTES } from './idempotency-table';

/**
 * Brake counters share the idempotency table (one table, one TTL, one IAM grant; the hook already
 * holds UpdateItem on it), under their own key prefix:
 *
 *   pk (S, HASH)   "rate#<dimension>#<scope>#<window s>#<window start s>#<subject>"; personal subjects
 *                  (phone, prefix, client IP, user) are keyed HMAC fingerprints, never clear values
 *   total (N)      the count, or micro-USD for spend counters; never below zero
 *   expiresAt (N)  TTL, epoch SECONDS: the end of the window plus a minute
 */
export const COUNTER_ATTRIBUTES = {
  pk: IDEMPOTENCY_ATTRIBUTES.pk,
  expiresAt: IDEMPOTENCY_ATTRIBUTES.expiresAt,
  total: 'total',
  keyPrefix: 'rate#',
} as const;

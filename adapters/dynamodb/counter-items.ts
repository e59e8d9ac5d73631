import { IDEMPOTENCY_ATTRIBUTES } from './idempotency-table';

/**
 * Brake counters share the idempotency table (one table, one TTL, one IAM grant; the hook already
 * holds UpdateItem on it), under their own key prefix:
 *
 *   pk (S, HASH)   "rate#<dimension>#<item window s>#<item window start s>#<subject>"; personal
 *                  subjects (phone, prefix, client IP, user) are keyed HMAC fingerprints, never clear
 *   <field> (N)    one counter per field, e.g. "all.30.1764410430" (every purpose, 30 s window from
 *                  that second) beside "all.3600.1764410400" in the phone's hourly item; spend items
 *                  hold "total" and "country.FR" in micro-USD. Never below zero
 *   expiresAt (N)  TTL, epoch SECONDS: the end of the item's window plus a minute
 */
export const COUNTER_ATTRIBUTES = {
  pk: IDEMPOTENCY_ATTRIBUTES.pk,
  expiresAt: IDEMPOTENCY_ATTRIBUTES.expiresAt,
  total: 'total',
  keyPrefix: 'rate#',
} as const;

import type { DeliverySettings } from '../../app/delivery-settings';
import { Deadline } from '../../domain/deadline';

/** The shipped defaults (loadDeliveryConfig({})) with a short brand, for use cases built by hand in tests. */
export const TEST_DELIVERY_SETTINGS: DeliverySettings = {
  brand: 'Acme',
  defaultLocale: 'en',
  failurePathReserveMs: 300,
  expirySkewMs: 30_000,
};

/** The shipped budget (DEADLINE_MS), counted from now or from `startedAt`. */
export function testDeadline(ms = 2500, startedAt = Date.now()): Deadline {
  return Deadline.after(startedAt, ms);
}

import type { DeliverySettings } from '../../app/delivery-settings';

/** The shipped defaults (loadDeliveryConfig({})) with a short brand, for use cases built by hand in tests. */
export const TEST_DELIVERY_SETTINGS: DeliverySettings = {
  brand: 'Acme',
  defaultLocale: 'en',
  deadlineMs: 2500,
  failurePathReserveMs: 300,
  expirySkewMs: 30_000,
};

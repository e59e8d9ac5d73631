/** The query parameters the sender adds to the StatusCallback URL, in this order (the URL is signed). */
export interface StatusCallbackIds {
  readonly eventId: string;
  readonly purpose: string;
}

/**
 * The StatusCallback URL of one message: the configured URL with the IdP event id and purpose added, so a
 * receipt finds its event even when the send record is missing. Never the code. The callback route
 * rebuilds the URL the same way to check Twilio's signature, which covers the URL byte for byte.
 */
export function statusCallbackUrl(base: string, ids: StatusCallbackIds): string {
  const url = new URL(base);
  url.searchParams.set('eventId', ids.eventId);
  url.searchParams.set('purpose', ids.purpose);
  return url.toString();
}

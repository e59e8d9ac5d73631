import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';

/** What every JSON answer of ours to API Gateway carries: never cached by a proxy on the way. */
export const JSON_HEADERS = { 'content-type': 'application/json', 'cache-control': 'no-store' } as const;

export function jsonResponse(statusCode: number, body: unknown): APIGatewayProxyResult {
  return { statusCode, headers: JSON_HEADERS, body: JSON.stringify(body) };
}

/** API Gateway passes header names as the caller sent them; HTTP says they are case-insensitive. */
export function lowerCasedHeaders(
  headers: APIGatewayProxyEvent['headers'] | undefined,
): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers ?? {})) out[name.toLowerCase()] = value;
  return out;
}

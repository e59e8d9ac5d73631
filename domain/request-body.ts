import { InvalidRequestError } from './errors';

/**
 * The raw body of a request is bigger than we are willing to read. Shared by every HTTP IdP; each edge
 * decides how to show it (Okta: HTTP 413 with its error object).
 */
export class BodyTooLargeError extends Error {
  override readonly name: string = 'BodyTooLargeError';
  readonly status = 413;
  constructor(readonly maxBytes: number) {
    super(`request body exceeds ${maxBytes} bytes`);
  }
}

export interface RequestBodyLimits {
  /** API Gateway proxy events carry binary-typed bodies base64-encoded. */
  readonly isBase64Encoded?: boolean;
  readonly maxBytes: number;
}

function invalid(issue: string): InvalidRequestError {
  return new InvalidRequestError('invalid request body', [issue]);
}

/**
 * The body as text, within `maxBytes` counted in UTF-8 bytes (of the decoded body when base64). Throws
 * BodyTooLargeError or InvalidRequestError; a huge base64 body is refused before it is decoded.
 */
export function decodeRequestBody(raw: string | undefined | null, limits: RequestBodyLimits): string {
  if (typeof raw !== 'string' || raw.length === 0) throw invalid('body: is required');
  const { maxBytes } = limits;
  if (limits.isBase64Encoded !== true) {
    if (Buffer.byteLength(raw, 'utf8') > maxBytes) throw new BodyTooLargeError(maxBytes);
    return raw;
  }
  // 4 base64 characters carry 3 bytes.
  if (raw.length > Math.ceil(maxBytes / 3) * 4 + 4) throw new BodyTooLargeError(maxBytes);
  const compact = raw.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 === 1) {
    throw invalid('body: must be valid base64');
  }
  const bytes = Buffer.from(compact, 'base64');
  if (bytes.byteLength > maxBytes) throw new BodyTooLargeError(maxBytes);
  return bytes.toString('utf8');
}

/**
 * The body as a JSON object. A top-level array or scalar is refused here, so IdP codecs only ever see an
 * object. Throws InvalidRequestError, never with a `cause`: V8's SyntaxError quotes part of the body,
 * which may hold the passcode.
 */
export function parseJsonObject(text: string): Record<string, unknown> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw invalid('body: must be valid JSON');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw invalid('body: must be of type object');
  }
  return json as Record<string, unknown>;
}

import type { IncomingMessage } from 'node:http';

export class RequestBodyError extends Error {
  override readonly name = 'RequestBodyError';
  constructor(
    readonly status: 400 | 413 | 415,
    message: string,
  ) {
    super(message);
  }
}

async function readText(request: IncomingMessage, maxBytes: number): Promise<string> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > maxBytes) throw new RequestBodyError(413, `body over ${maxBytes} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new RequestBodyError(413, `body over ${maxBytes} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * A form post (the pages work without JavaScript) as field → value. Only urlencoded forms are read:
 * a cross-site page could send text/plain or multipart without a preflight, and those are refused.
 */
export async function readForm(request: IncomingMessage, maxBytes: number): Promise<Record<string, string>> {
  const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    throw new RequestBodyError(415, 'send an application/x-www-form-urlencoded form');
  }
  const form: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(await readText(request, maxBytes))) {
    // The first value wins: each field appears once in the console's own forms.
    if (!Object.hasOwn(form, name)) form[name] = value;
  }
  return form;
}

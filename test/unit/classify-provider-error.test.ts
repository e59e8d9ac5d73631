import { describe, expect, it } from 'vitest';
import { classifyProviderError } from '../../adapters/end-user-messaging/classify-provider-error';
import { WireObservation } from '../../adapters/end-user-messaging/wire-observation';

function wire(socketAssigned: boolean, connected: boolean): WireObservation {
  return Object.assign(new WireObservation(), { socketAssigned, connected });
}

const NEVER_CONNECTED = wire(true, false);
const CONNECTED = wire(true, true);

describe('classifyProviderError (by error shape and wire, never by message)', () => {
  const cases: [string, unknown, WireObservation | undefined, string, string][] = [
    [
      'abort while connecting',
      Object.assign(new Error('x'), { name: 'AbortError' }),
      NEVER_CONNECTED,
      'deadline-exceeded',
      'not-sent',
    ],
    [
      'abort after the request left',
      Object.assign(new Error('x'), { name: 'AbortError' }),
      CONNECTED,
      'deadline-exceeded',
      'uncertain',
    ],
    [
      'abort, socket unknown',
      Object.assign(new Error('x'), { name: 'AbortError' }),
      undefined,
      'deadline-exceeded',
      'uncertain',
    ],
    [
      'request timeout',
      Object.assign(new Error('x'), { name: 'TimeoutError', code: 'ETIMEDOUT' }),
      CONNECTED,
      'timeout',
      'uncertain',
    ],
    // The SDK names its connect timeout TimeoutError too; only the socket can tell them apart.
    [
      'connect timeout',
      Object.assign(new Error('x'), { name: 'TimeoutError' }),
      NEVER_CONNECTED,
      'timeout',
      'not-sent',
    ],
    // The SDK's Node handler renames socket resets to TimeoutError; the code tells the truth.
    [
      'reset renamed by the SDK',
      Object.assign(new Error('x'), { name: 'TimeoutError', code: 'ECONNRESET' }),
      CONNECTED,
      'network',
      'uncertain',
    ],
    [
      'reset, socket unknown',
      Object.assign(new Error('x'), { code: 'ECONNRESET' }),
      undefined,
      'network',
      'uncertain',
    ],
    ['refused', Object.assign(new Error('x'), { code: 'ECONNREFUSED' }), undefined, 'network', 'not-sent'],
    ['DNS', Object.assign(new Error('x'), { code: 'ENOTFOUND' }), NEVER_CONNECTED, 'network', 'not-sent'],
    // An unreachable error on a socket that had connected: the socket's account wins over the code.
    [
      'unreachable after connecting',
      Object.assign(new Error('x'), { code: 'EHOSTUNREACH' }),
      CONNECTED,
      'network',
      'uncertain',
    ],
    [
      '$retryable throttling',
      { name: 'SomethingNew', $retryable: { throttling: true }, $metadata: { httpStatusCode: 400 } },
      CONNECTED,
      'throttled',
      'not-sent',
    ],
    [
      '500 from the service',
      { name: 'InternalServerException', $fault: 'server', $metadata: { httpStatusCode: 500 } },
      CONNECTED,
      'provider-unavailable',
      'not-sent',
    ],
    [
      '$fault server, 503',
      { name: 'SomethingNew', $fault: 'server', $metadata: { httpStatusCode: 503 } },
      CONNECTED,
      'provider-unavailable',
      'not-sent',
    ],
    [
      '502 from a gateway',
      { name: 'Unknown', $metadata: { httpStatusCode: 502 } },
      CONNECTED,
      'provider-unavailable',
      'uncertain',
    ],
    [
      '504 from a gateway',
      { name: 'Unknown', $metadata: { httpStatusCode: 504 } },
      CONNECTED,
      'provider-unavailable',
      'uncertain',
    ],
    // The provider said 200 and the body could not be read: it accepted, we cannot name the message.
    [
      'unreadable 200',
      { name: 'SyntaxError', $response: {}, $metadata: { httpStatusCode: 200 } },
      CONNECTED,
      'unknown',
      'uncertain',
    ],
    ['missing credentials', { name: 'CredentialsProviderError' }, undefined, 'access-denied', 'not-sent'],
    [
      'conflict, other reason',
      { name: 'ConflictException', Reason: 'RESOURCE_NOT_ACTIVE', $metadata: { httpStatusCode: 400 } },
      CONNECTED,
      'misconfigured',
      'not-sent',
    ],
    [
      'message text is ignored',
      new Error('ThrottlingException: opted out'),
      undefined,
      'unknown',
      'uncertain',
    ],
    ['not an error', 'boom', undefined, 'unknown', 'uncertain'],
  ];
  it.each(cases)('%s', (_, error, observed, kind, certainty) => {
    expect(classifyProviderError(error, observed)).toMatchObject({ kind, certainty });
  });

  it('describes the error by name, reason and status only', () => {
    const detail = classifyProviderError({
      name: 'ValidationException',
      Reason: 'INVALID_PARAMETER',
      message: 'MessageBody 123456 is invalid',
      $metadata: { httpStatusCode: 400 },
    }).detail;
    expect(detail).toBe('ValidationException INVALID_PARAMETER HTTP 400');
  });
});

import { describe, expect, it } from 'vitest';
import { classifyProviderError } from '../../adapters/end-user-messaging/classify-provider-error';

describe('classifyProviderError (by error shape, never by message)', () => {
  const cases: [string, unknown, string][] = [
    ['abort', Object.assign(new Error('x'), { name: 'AbortError' }), 'deadline-exceeded'],
    [
      'request timeout',
      Object.assign(new Error('x'), { name: 'TimeoutError', code: 'ETIMEDOUT' }),
      'timeout',
    ],
    // The SDK's Node handler renames socket resets to TimeoutError; the code tells the truth.
    [
      'reset renamed by the SDK',
      Object.assign(new Error('x'), { name: 'TimeoutError', code: 'ECONNRESET' }),
      'network',
    ],
    ['refused', Object.assign(new Error('x'), { code: 'ECONNREFUSED' }), 'network'],
    ['$retryable throttling', { name: 'SomethingNew', $retryable: { throttling: true } }, 'throttled'],
    ['$fault server', { name: 'SomethingNew', $fault: 'server' }, 'provider-unavailable'],
    ['HTTP 502', { name: 'Unknown', $metadata: { httpStatusCode: 502 } }, 'provider-unavailable'],
    ['missing credentials', { name: 'CredentialsProviderError' }, 'access-denied'],
    ['conflict, other reason', { name: 'ConflictException', Reason: 'RESOURCE_NOT_ACTIVE' }, 'misconfigured'],
    ['message text is ignored', new Error('ThrottlingException: opted out'), 'unknown'],
    ['not an error', 'boom', 'unknown'],
  ];
  it.each(cases)('%s', (_, error, kind) => {
    expect(classifyProviderError(error).kind).toBe(kind);
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

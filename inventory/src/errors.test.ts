import { describe, expect, it } from 'vitest';
import { CircuitOpenError, classifyError } from './errors';
import { backoffDelayMs, withRetry } from './retry';

const sdkError = (name: string, status?: number, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(name), { name, ...(status ? { $metadata: { httpStatusCode: status } } : {}), ...extra });

describe('classifyError', () => {
  it.each([
    [sdkError('ThrottlingException', 400), 'throttling'],
    [sdkError('RequestLimitExceeded', 503), 'throttling'],
    [sdkError('TooManyRequestsException', 429), 'throttling'],
    [sdkError('SomethingNew', 429), 'throttling'],
    [sdkError('CredentialsProviderError'), 'credentials'],
    [sdkError('AuthFailure', 401), 'credentials'],
    [sdkError('InvalidClientTokenId', 403), 'credentials'],
    [sdkError('UnauthorizedOperation', 403), 'access_denied'],
    [sdkError('AccessDeniedException', 403), 'access_denied'],
    [Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }), 'network'],
    [Object.assign(new Error('getaddrinfo ENOTFOUND x'), { code: 'ENOTFOUND' }), 'network'],
    [sdkError('TimeoutError'), 'network'],
    [sdkError('InternalError', 500), 'server'],
    [sdkError('ValidationError', 400), 'client'],
    [new CircuitOpenError('open'), 'circuit_open'],
    ['not an error', 'client'],
  ])('%s -> %s', (error, kind) => {
    expect(classifyError(error)).toBe(kind);
  });
});

describe('withRetry', () => {
  const policy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1000 };
  const noSleep = { sleep: async () => undefined };

  it('retries throttling with backoff and succeeds, reporting each failed attempt', async () => {
    const failures: string[] = [];
    const sleeps: number[] = [];
    let attempts = 0;
    const result = await withRetry(
      async () => {
        attempts++;
        if (attempts <= 2) throw sdkError('ThrottlingException', 400);
        return 'ok';
      },
      policy,
      {
        sleep: async (ms) => void sleeps.push(ms),
        random: () => 0.5,
        onFailure: (kind, attempt, willRetry) => failures.push(`${kind}#${attempt}:${willRetry}`),
      },
    );
    expect(result).toBe('ok');
    expect(failures).toEqual(['throttling#1:true', 'throttling#2:true']);
    expect(sleeps).toEqual([50, 100]);
  });

  it('gives up after maxAttempts with the last error', async () => {
    let attempts = 0;
    await expect(
      withRetry(
        async () => {
          attempts++;
          throw sdkError('ServiceUnavailable', 503);
        },
        policy,
        noSleep,
      ),
    ).rejects.toMatchObject({ name: 'ServiceUnavailable' });
    expect(attempts).toBe(4);
  });

  it('never retries credentials or a bad request', async () => {
    for (const error of [sdkError('ExpiredToken', 403), sdkError('ValidationError', 400)]) {
      let attempts = 0;
      await expect(
        withRetry(
          async () => {
            attempts++;
            throw error;
          },
          policy,
          noSleep,
        ),
      ).rejects.toBe(error);
      expect(attempts).toBe(1);
    }
  });

  it('full jitter: the delay lies in [0, min(max, base * 2^(n-1))) ', () => {
    expect(backoffDelayMs(policy, 1, () => 0)).toBe(0);
    expect(backoffDelayMs(policy, 1, () => 0.999)).toBe(99);
    expect(backoffDelayMs(policy, 4, () => 0.999)).toBe(799);
    expect(backoffDelayMs(policy, 10, () => 0.999)).toBe(999);
  });
});

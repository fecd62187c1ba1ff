import { classifyError, RETRYABLE, type ErrorKind } from './errors';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface RetryHooks {
  /** Called once per failed attempt, retried or not. */
  onFailure?: (kind: ErrorKind, attempt: number, willRetry: boolean) => void;
  sleep?: (ms: number) => Promise<void>;
  /** [0, 1): the jitter source (fixed in unit tests). */
  random?: () => number;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/**
 * Exponential backoff with full jitter (AWS's recommended form: a random delay between 0 and the
 * capped exponential), so many collectors throttled at once do not retry in step.
 */
export function backoffDelayMs(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}

/**
 * Runs `call`, retrying the errors worth retrying (throttling, network, 5xx) up to the policy's
 * attempts; anything else (credentials, access denied, a bad request) fails at once, since a
 * retry would only repeat it. The SDK's own retries are off (maxAttempts 1 on every client), so
 * every attempt is a span of its own and every failure is counted here.
 */
export async function withRetry<T>(
  call: (attempt: number) => Promise<T>,
  policy: RetryPolicy,
  hooks: RetryHooks = {},
): Promise<T> {
  const sleep = hooks.sleep ?? defaultSleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call(attempt);
    } catch (error) {
      const kind = classifyError(error);
      const willRetry = RETRYABLE.has(kind) && attempt < policy.maxAttempts;
      hooks.onFailure?.(kind, attempt, willRetry);
      if (!willRetry) throw error;
      await sleep(backoffDelayMs(policy, attempt, hooks.random));
    }
  }
}

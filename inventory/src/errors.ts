import { isServerError, isThrottlingError, isTransientError } from '@smithy/core/retry';

/**
 * What went wrong with an AWS call, classified as the AWS SDK reports it: the SDK's own
 * classifiers (the same lists its retry strategy uses) decide throttling, transient and server
 * errors; the rest is read from the error's name. The kind is a metric label, so the set is closed.
 */
export const ERROR_KINDS = [
  'throttling',
  'network',
  'server',
  'credentials',
  'access_denied',
  'client',
  'circuit_open',
  'bad_response',
] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

/** Kinds worth another attempt: the call may well succeed a moment later. */
export const RETRYABLE: ReadonlySet<ErrorKind> = new Set(['throttling', 'network', 'server']);

const CREDENTIAL_ERRORS = new Set([
  'CredentialsProviderError',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'InvalidAccessKeyId',
  'AuthFailure',
  'UnrecognizedClientException',
  'SignatureDoesNotMatch',
  'MissingAuthenticationToken',
  'IncompleteSignature',
]);
const ACCESS_DENIED_ERRORS = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'UnauthorizedAccess',
  'Forbidden',
]);
// Socket-level failures Node reports by code; the SDK's transient check covers most, not DNS.
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

export class CircuitOpenError extends Error {
  override name = 'CircuitOpenError';
}

/**
 * An answer that cannot be a true one: larger than the cap, or a success that lacks what every
 * success of that API carries (an empty 200 would otherwise count as "no resources"). Not
 * retried: the next cycle asks again.
 */
export class BadResponseError extends Error {
  override name = 'BadResponseError';
}

type SdkLikeError = Error & {
  code?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: { throttling?: boolean };
};

export function classifyError(error: unknown): ErrorKind {
  if (error instanceof CircuitOpenError) return 'circuit_open';
  if (error instanceof BadResponseError) return 'bad_response';
  if (!(error instanceof Error)) return 'client';
  const e = error as SdkLikeError;
  const name = e.name;
  if (CREDENTIAL_ERRORS.has(name) || (e.code && CREDENTIAL_ERRORS.has(e.code))) return 'credentials';
  if (ACCESS_DENIED_ERRORS.has(name)) return 'access_denied';
  // The SDK's classifiers read $metadata and $retryable; a plain Error has neither.
  const sdkError = error as Parameters<typeof isThrottlingError>[0];
  if (isThrottlingError(sdkError) || e.$metadata?.httpStatusCode === 429) return 'throttling';
  if ((e.code && NETWORK_CODES.has(e.code)) || NETWORK_CODES.has(name)) return 'network';
  // An answer with a 5xx status is the service's fault; the SDK's "transient" also covers timeouts, which are the network's.
  if (isServerError(sdkError) || (e.$metadata?.httpStatusCode ?? 0) >= 500) return 'server';
  if (isTransientError(sdkError)) return 'network';
  return 'client';
}

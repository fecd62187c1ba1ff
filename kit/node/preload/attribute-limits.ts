/**
 * The bound on every attribute value the SDK keeps: spans and log records, both processes.
 *
 * Without it a long URL, user agent or Host header went into the server span whole: a 15 KB query
 * made a queued span about 17 KB, so the span queue (OTEL_BSP_MAX_QUEUE_SIZE 32,768) could hold
 * about 535 MiB instead of the ~32 MiB budgeted. The SDK's own limit (OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT)
 * bounds what is exported but not what is held: it truncates with String#slice, and V8 keeps the
 * whole original string alive behind such a slice. So the HTTP server span's values are also
 * replaced by truncated copies that own their memory (measured: 17.1 KB a span before, 2.5 KB
 * after at 512; the SDK limit alone still 17.1 KB).
 */
import { type ConfigurableInstrumentation, chainHttpRequestHook } from './adot-instrumentations';

export const ATTRIBUTE_LIMIT_VARIABLE = 'OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT';
/** Takes precedence over the general limit for spans, as in the SDK. */
export const SPAN_ATTRIBUTE_LIMIT_VARIABLE = 'OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT';
/** Keeps ordinary paths, queries and user agents whole; cuts what only an attacker sends. */
export const DEFAULT_ATTRIBUTE_VALUE_LENGTH_LIMIT = 512;
const MAX_LIMIT = 65_536;

function parseLimit(variable: string, raw: string | undefined): number | undefined {
  const value = raw?.trim();
  if (!value) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > MAX_LIMIT)
    throw new Error(`${variable} must be an integer between 1 and ${MAX_LIMIT}, got ${JSON.stringify(raw)}`);
  return Number(value);
}

/**
 * Validates both variables and sets the general one to the default when unset, before the SDK
 * reads it. Returns the limit that applies to span attributes. Throws naming a bad variable.
 */
export function applyAttributeLimits(env: Record<string, string | undefined>): number {
  const general = parseLimit(ATTRIBUTE_LIMIT_VARIABLE, env[ATTRIBUTE_LIMIT_VARIABLE]);
  const span = parseLimit(SPAN_ATTRIBUTE_LIMIT_VARIABLE, env[SPAN_ATTRIBUTE_LIMIT_VARIABLE]);
  if (general === undefined) env[ATTRIBUTE_LIMIT_VARIABLE] = String(DEFAULT_ATTRIBUTE_VALUE_LENGTH_LIMIT);
  return span ?? general ?? DEFAULT_ATTRIBUTE_VALUE_LENGTH_LIMIT;
}

/** The first `limit` UTF-16 units of `value` in a string of its own (not a slice of the original). */
export function boundedCopy(value: string, limit: number): string {
  if (value.length < limit) return value;
  return Buffer.from(value.slice(0, limit), 'utf8').toString('utf8');
}

type Span = { setAttribute(key: string, value: string): unknown; attributes?: Record<string, unknown> };

/**
 * Adds a requestHook to the HTTP instrumentation that replaces every string attribute of length
 * `limit` or more on the server span (url.path, url.query, user_agent.original, server.address, …, all
 * set at span start from the request) with a bounded copy. Returns false without the instrumentation.
 */
export function boundAttributesInSpans(instrumentations: ConfigurableInstrumentation[], limit: number): boolean {
  return chainHttpRequestHook<Span>(instrumentations, (span, _request, earlier) => {
    earlier();
    // At the limit, not only past it: the SDK has already cut the value to the limit (a slice).
    const attributes = span.attributes ?? {};
    // for…in, not Object.entries: this runs on every request and the array would be garbage.
    for (const key in attributes) {
      const value = attributes[key];
      if (typeof value === 'string' && value.length >= limit) span.setAttribute(key, boundedCopy(value, limit));
    }
  });
}

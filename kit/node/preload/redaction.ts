/**
 * Query-string values that must never leave the process. The HTTP instrumentation exports the
 * query verbatim as `url.query`; this replaces the value of every sensitive parameter with
 * REDACTED before the span ends (and so before any exporter sees it). The names are the
 * OpenTelemetry semantic conventions' defaults for url redaction plus the usual credential
 * names; matching ignores case. The service captures no request or response headers (ADOT's
 * HTTP instrumentation captures none unless configured), so there is nothing to redact there.
 */
import { REDACTED } from '../../redacted';
import { type ConfigurableInstrumentation, chainHttpRequestHook } from './adot-instrumentations';

export const SENSITIVE_QUERY_PARAMETERS: ReadonlySet<string> = new Set(
  [
    'AWSAccessKeyId',
    'Signature',
    'sig',
    'X-Goog-Signature',
    // AWS SigV4 query authentication (ADOT redacts these on client spans' url.full only).
    'X-Amz-Signature',
    'X-Amz-Credential',
    'X-Amz-Security-Token',
    'api_key',
    'apikey',
    'access_token',
    'token',
    'password',
    'passwd',
    'secret',
    'client_secret',
    'key',
  ].map((n) => n.toLowerCase()),
);

const escaped = [...SENSITIVE_QUERY_PARAMETERS].map((name) => name.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&'));
/** A sensitive name as a whole parameter name, spelt literally (any case). */
const LITERAL_SENSITIVE_NAME = new RegExp(`(?:^|&)(?:${escaped.join('|')})(?:=|&|$)`, 'i');

/**
 * Whether redactQuery could change this query. Every request with a query string pays for this
 * check, so the common answer ("no") costs one scan: in plain ASCII without `%` or `+` a name can
 * only be spelt literally, and a regular expression finds it; otherwise redactQuery decodes and
 * lower-cases each name (non-ASCII included: some characters lower-case into ASCII letters).
 */
export function mayHoldSecrets(query: string): boolean {
  return /[%+\u0080-\uffff]/.test(query) || LITERAL_SENSITIVE_NAME.test(query);
}

function decodedName(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' ')).toLowerCase();
  } catch {
    return raw.toLowerCase();
  }
}

/** The query (without '?') with sensitive values replaced; everything else byte for byte as sent. */
export function redactQuery(query: string): string {
  return query
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq === -1 ? pair : pair.slice(0, eq);
      return SENSITIVE_QUERY_PARAMETERS.has(decodedName(name)) ? `${name}=${REDACTED}` : pair;
    })
    .join('&');
}

type Span = { setAttribute(key: string, value: string): unknown };
/**
 * Adds a requestHook to the HTTP instrumentation that rewrites `url.query` (set at span start)
 * with the redacted query. Returns false when there is no HTTP instrumentation to configure.
 */
export function redactQueriesInSpans(instrumentations: ConfigurableInstrumentation[]): boolean {
  return chainHttpRequestHook<Span>(instrumentations, (span, request, earlier) => {
    const url = (request as { url?: string } | undefined)?.url ?? '';
    const at = url.indexOf('?');
    if (at !== -1) {
      const query = url.slice(at + 1);
      span.setAttribute('url.query', mayHoldSecrets(query) ? redactQuery(query) : query);
    }
    earlier();
  });
}

// Thin clients for the backends' HTTP APIs, as Grafana's datasources call them: Prometheus,
// Jaeger's query API and X-Ray (moto locally). The e2e and `npm run verify` both call them.
// Node built-ins only (fetch), so `npm run verify` loads this by type stripping with no install.
import { fetchJson } from '../poll.ts';
import * as names from '../names/service.ts';

export interface PromSeries {
  metric: Record<string, string>;
  value?: [number, string];
  values?: [number, string][];
}
interface PromAnswer {
  status: string;
  data: { resultType: string; result: PromSeries[] };
}

export async function promInstant(baseUrl: string, query: string, timeSec = Date.now() / 1000): Promise<PromSeries[]> {
  const params = new URLSearchParams({ query, time: String(timeSec) });
  const answer = await fetchJson<PromAnswer>(`${baseUrl}/api/v1/query?${params.toString()}`);
  return answer.data.result;
}

export async function promRange(
  baseUrl: string,
  query: string,
  startSec: number,
  endSec: number,
  stepSec: number,
): Promise<PromSeries[]> {
  const params = new URLSearchParams({ query, start: String(startSec), end: String(endSec), step: String(stepSec) });
  const answer = await fetchJson<PromAnswer>(`${baseUrl}/api/v1/query_range?${params.toString()}`);
  return answer.data.result;
}

/** Sum of an instant vector grouped by one label; missing label values are keyed "". */
export function sumByLabel(series: PromSeries[], label: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of series) {
    const key = s.metric[label] ?? '';
    out.set(key, (out.get(key) ?? 0) + Number(s.value?.[1] ?? 0));
  }
  return out;
}

/** The service's request_count counter, summed per route (cumulative since the service started). */
export async function requestCountsByRoute(prometheusUrl: string): Promise<Map<string, number>> {
  const series = await promInstant(
    prometheusUrl,
    `sum by (${names.LABEL_HTTP_ROUTE}) (${names.PROM_REQUEST_COUNT}{${names.LABEL_SERVICE_NAME}="${names.SERVICE_NAME}"})`,
  );
  return sumByLabel(series, names.LABEL_HTTP_ROUTE);
}

/** A span as Jaeger's query API returns it (its own JSON model, not OTLP). */
/** Jaeger's JSON API gives tag and log-field values as these scalars. */
export type JaegerValue = string | number | boolean;

export interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  processID: string;
  startTime: number;
  tags: { key: string; type: string; value: JaegerValue }[];
  logs: { timestamp: number; fields: { key: string; value: JaegerValue }[] }[];
}
export interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string; tags: { key: string; value: unknown }[] }>;
}

export function spanTag(span: JaegerSpan, key: string): string | undefined {
  const tag = span.tags.find((t) => t.key === key);
  return tag === undefined ? undefined : String(tag.value);
}

/** OTLP events become Jaeger span logs, the event name in the field "event". */
export function spanEvents(span: JaegerSpan): string[] {
  return span.logs.map((l) => String(l.fields.find((f) => f.key === 'event')?.value ?? ''));
}

export const isServerSpan = (span: JaegerSpan) => spanTag(span, 'span.kind') === 'server';

export interface JaegerSearch {
  service: string;
  /** Jaeger's tags filter (AND of key = value). */
  tags?: Record<string, string>;
  operation?: string;
  limit: number;
  startSec: number;
  endSec: number;
}

/** GET /api/traces as the Jaeger datasource's search sends it (times in microseconds). */
export async function jaegerSearch(baseUrl: string, search: JaegerSearch): Promise<JaegerTrace[]> {
  const params = new URLSearchParams({
    service: search.service,
    limit: String(search.limit),
    start: String(Math.floor(search.startSec * 1e6)),
    end: String(Math.ceil(search.endSec * 1e6)),
  });
  if (search.tags && Object.keys(search.tags).length > 0) params.set('tags', JSON.stringify(search.tags));
  if (search.operation) params.set('operation', search.operation);
  const answer = await fetchJson<{ data: JaegerTrace[] | null }>(`${baseUrl}/api/traces?${params.toString()}`);
  return answer.data ?? [];
}

/** One trace by id, or undefined while Jaeger does not have it (404). */
export async function jaegerTrace(baseUrl: string, traceId: string): Promise<JaegerTrace | undefined> {
  const res = await fetch(`${baseUrl}/api/traces/${traceId}`, { signal: AbortSignal.timeout(15_000) });
  if (res.status === 404) return undefined;
  if (!res.ok) throw new Error(`jaeger /api/traces/${traceId} -> ${res.status}: ${(await res.text()).slice(0, 1000)}`);
  const body = (await res.json()) as { data?: JaegerTrace[] };
  return body.data?.[0];
}

export interface JaegerDependency {
  parent: string;
  child: string;
  callCount: number;
}

export async function jaegerDependencies(
  baseUrl: string,
  endSec: number,
  lookbackSec: number,
): Promise<JaegerDependency[]> {
  const params = new URLSearchParams({
    endTs: String(Math.floor(endSec * 1000)),
    lookback: String(Math.ceil(lookbackSec * 1000)),
  });
  const answer = await fetchJson<{ data: JaegerDependency[] | null }>(
    `${baseUrl}/api/dependencies?${params.toString()}`,
  );
  return answer.data ?? [];
}

export interface XRayTrace {
  Id: string;
  Segments: { Id: string; Document: string }[];
}

/** X-Ray's BatchGetTraces, as served locally by moto (which does not check the signature). */
export async function xrayBatchGetTraces(baseUrl: string, region: string, traceIds: string[]): Promise<XRayTrace[]> {
  const answer = await fetchJson<{ Traces?: XRayTrace[] }>(`${baseUrl}/Traces`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      // moto reads the region from the credential scope of the Authorization header.
      authorization: `AWS4-HMAC-SHA256 Credential=testing/20260101/${region}/xray/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: JSON.stringify({ TraceIds: traceIds }),
  });
  return answer.Traces ?? [];
}

export interface PromExemplars {
  seriesLabels: Record<string, string>;
  exemplars: { labels: Record<string, string>; value: string; timestamp: number }[];
}

export async function promExemplars(
  baseUrl: string,
  query: string,
  startSec: number,
  endSec: number,
): Promise<PromExemplars[]> {
  const params = new URLSearchParams({ query, start: String(startSec), end: String(endSec) });
  const answer = await fetchJson<{ data: PromExemplars[] }>(`${baseUrl}/api/v1/query_exemplars?${params.toString()}`);
  return answer.data ?? [];
}

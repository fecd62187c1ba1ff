// Thin clients for the real backends' HTTP APIs, as Grafana's datasources call them.
import { fetchJson } from './poll.ts';

export interface PromSeries { metric: Record<string, string>; value?: [number, string]; values?: [number, string][] }
interface PromAnswer { status: string; data: { resultType: string; result: PromSeries[] } }

export async function promInstant(baseUrl: string, query: string, timeSec = Date.now() / 1000): Promise<PromSeries[]> {
  const params = new URLSearchParams({ query, time: String(timeSec) });
  const answer = await fetchJson<PromAnswer>(`${baseUrl}/api/v1/query?${params}`);
  return answer.data.result;
}

export async function promRange(baseUrl: string, query: string, startSec: number, endSec: number, stepSec: number): Promise<PromSeries[]> {
  const params = new URLSearchParams({ query, start: String(startSec), end: String(endSec), step: String(stepSec) });
  const answer = await fetchJson<PromAnswer>(`${baseUrl}/api/v1/query_range?${params}`);
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

export interface LokiStream { stream: Record<string, string>; values: [string, string][] }
interface LokiAnswer { status: string; data: { resultType: string; result: (LokiStream | PromSeries)[] } }

export async function lokiRange(baseUrl: string, query: string, startSec: number, endSec: number, limit = 5000, stepSec?: number) {
  const params = new URLSearchParams({
    query,
    start: String(Math.floor(startSec * 1e9)),
    end: String(Math.floor(endSec * 1e9)),
    limit: String(limit),
    direction: 'backward',
  });
  if (stepSec) params.set('step', String(stepSec));
  const answer = await fetchJson<LokiAnswer>(`${baseUrl}/loki/api/v1/query_range?${params}`);
  return answer.data;
}

export async function lokiInstant(baseUrl: string, query: string, timeSec = Date.now() / 1000): Promise<PromSeries[]> {
  const params = new URLSearchParams({ query, time: String(Math.floor(timeSec * 1e9)) });
  const answer = await fetchJson<LokiAnswer>(`${baseUrl}/loki/api/v1/query?${params}`);
  return answer.data.result as PromSeries[];
}

export interface TempoSpanSet { spans: { spanID: string; attributes?: { key: string; value: Record<string, unknown> }[] }[]; matched: number }
export interface TempoTraceSummary { traceID: string; rootServiceName?: string; spanSets?: TempoSpanSet[]; spanSet?: TempoSpanSet }

export async function tempoSearch(baseUrl: string, traceql: string, startSec: number, endSec: number, limit = 1000, spss = 10): Promise<TempoTraceSummary[]> {
  const params = new URLSearchParams({
    q: traceql,
    start: String(Math.floor(startSec)),
    end: String(Math.ceil(endSec)),
    limit: String(limit),
    spss: String(spss),
  });
  const answer = await fetchJson<{ traces?: TempoTraceSummary[] }>(`${baseUrl}/api/search?${params}`);
  return answer.traces ?? [];
}

export interface OtlpSpan {
  traceId: string; spanId: string; name: string; kind?: string | number;
  status?: { code?: string | number; message?: string };
  events?: { name: string }[];
  attributes?: { key: string; value: Record<string, unknown> }[];
}

/** All spans of one trace, from Tempo's OTLP-JSON answer (either `batches` or `resourceSpans`). */
export async function tempoTrace(baseUrl: string, traceId: string): Promise<OtlpSpan[] | undefined> {
  const res = await fetch(`${baseUrl}/api/traces/${traceId}`, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(15_000) });
  if (res.status === 404) return undefined;
  if (!res.ok) throw new Error(`tempo /api/traces/${traceId} -> ${res.status}: ${(await res.text()).slice(0, 1000)}`);
  const body = (await res.json()) as { batches?: ResourceSpans[]; resourceSpans?: ResourceSpans[] };
  const resources = body.batches ?? body.resourceSpans ?? [];
  return resources.flatMap((r) => (r.scopeSpans ?? r.instrumentationLibrarySpans ?? []).flatMap((s) => s.spans ?? []));
}
interface ResourceSpans { scopeSpans?: { spans?: OtlpSpan[] }[]; instrumentationLibrarySpans?: { spans?: OtlpSpan[] }[] }

export function spanAttribute(span: { attributes?: { key: string; value: Record<string, unknown> }[] }, key: string): string | undefined {
  const attr = span.attributes?.find((a) => a.key === key);
  if (!attr) return undefined;
  const v = Object.values(attr.value)[0];
  return v === undefined ? undefined : String(v);
}

/** Tempo returns ids base64 in some answers and hex in others; normalise to lowercase hex. */
export function toHexId(id: string, hexLength: number): string {
  if (new RegExp(`^[0-9a-f]{${hexLength}}$`, 'i').test(id)) return id.toLowerCase();
  if (/^[0-9a-f]+$/i.test(id)) return id.toLowerCase().padStart(hexLength, '0');
  return Buffer.from(id, 'base64').toString('hex').padStart(hexLength, '0');
}

export interface XRayTrace { Id: string; Segments: { Id: string; Document: string }[] }

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

export interface PromExemplars { seriesLabels: Record<string, string>; exemplars: { labels: Record<string, string>; value: string; timestamp: number }[] }

export async function promExemplars(baseUrl: string, query: string, startSec: number, endSec: number): Promise<PromExemplars[]> {
  const params = new URLSearchParams({ query, start: String(startSec), end: String(endSec) });
  const answer = await fetchJson<{ data: PromExemplars[] }>(`${baseUrl}/api/v1/query_exemplars?${params}`);
  return answer.data ?? [];
}

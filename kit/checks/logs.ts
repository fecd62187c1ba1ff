// Log queries, against whichever answers on Loki's address: Loki itself (its query API, as
// Grafana's Loki datasource calls it) or, on the native stack, Loki's door (native/loki-door),
// which records what the collector sends and evaluates the selecting part of LogQL over it under
// Loki's documented OTLP mapping. The e2e and `npm run verify` both ask through here.
// Node built-ins only: `npm run verify` loads this by type stripping with no install.
import { fetchJson } from '../poll.ts';

/** The door's own paths (it answers Loki's push API, not Loki's query API). */
export const DOOR_RECORDS_PATH = '/door/records';
export const DOOR_SELECT_PATH = '/door/select';

/** Who answers log queries on Loki's address. */
export interface LogsBackend {
  kind: 'loki' | 'door';
  url: string;
}

/** One log entry as a query sees it: labels (stream labels, structured metadata, parsed labels) and the line. */
export interface LogEntry {
  labels: Record<string, string>;
  line: string;
  timestampNs: string;
}

export interface LogsAnswer {
  /** Log lines selected (log queries), or series with values (Loki metric queries). */
  rows: number;
  entries: LogEntry[];
  raw: string;
  judgedAt: 'loki' | 'loki-door';
}

interface LokiStream {
  stream: Record<string, string>;
  values: [string, string, Record<string, unknown>?][];
}
interface LokiMatrix {
  metric: Record<string, string>;
  values: [number, string][];
}

/**
 * A LogQL query over [fromSec, toSec]. At the door, a metric query counts the records its log
 * range selects (the door does not aggregate); a query part the door cannot judge comes back as
 * an error naming it, never as "no data".
 */
export async function queryLogs(
  backend: LogsBackend,
  query: string,
  range: { fromSec: number; toSec: number; limit?: number; stepSec?: number },
  timeoutMs = 10_000,
): Promise<LogsAnswer> {
  const limit = range.limit ?? 100;
  if (backend.kind === 'door') {
    const params = new URLSearchParams({ query, limit: String(limit) });
    const answer = await fetchJson<{ count: number; entries: LogEntry[] }>(
      `${backend.url}${DOOR_SELECT_PATH}?${params.toString()}`,
      {},
      timeoutMs,
    );
    return {
      rows: answer.count,
      entries: answer.entries,
      raw: JSON.stringify(answer.entries.slice(0, 3)),
      judgedAt: 'loki-door',
    };
  }
  const params = new URLSearchParams({
    query,
    start: `${Math.floor(range.fromSec)}000000000`,
    end: `${Math.ceil(range.toSec)}000000000`,
    limit: String(limit),
    direction: 'backward',
    ...(range.stepSec ? { step: `${range.stepSec}s` } : {}),
  });
  const answer = await fetchJson<{ data: { resultType: string; result: (LokiStream | LokiMatrix)[] } }>(
    `${backend.url}/loki/api/v1/query_range?${params.toString()}`,
    {},
    timeoutMs,
  );
  const raw = JSON.stringify(answer.data.result).slice(0, 2000);
  if (answer.data.resultType === 'streams') {
    // Without the categorize-labels flag Loki folds structured metadata and parsed labels into
    // each stream's labels, as Grafana's Loki datasource shows them to derived fields.
    const entries = (answer.data.result as LokiStream[]).flatMap((s) =>
      s.values.map(([timestampNs, line]) => ({ labels: s.stream, line, timestampNs })),
    );
    return { rows: entries.length, entries, raw, judgedAt: 'loki' };
  }
  const series = (answer.data.result as LokiMatrix[]).filter((s) =>
    s.values.some((v) => Number.isFinite(Number(v[1]))),
  );
  return { rows: series.length, entries: [], raw, judgedAt: 'loki' };
}

/** The LogQL that finds every record of one trace: the same filter Grafana's trace -> logs link uses. */
export function recordsOfTraceQuery(serviceLabel: string, service: string, traceId: string): string {
  return `{${serviceLabel}="${service}"} | trace_id="${traceId}"`;
}

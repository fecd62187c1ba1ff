// Per-route counts of one load run in each backend, as the e2e and fault tests compare them with
// what k6 sent: request_count in Prometheus, server spans in Jaeger, access records at Loki's door.
import * as inventory from '../kit/names/inventory.ts';
import { expectedSeries } from '../inventory/src/seed/plan.ts';
import * as names from '../kit/names/service.ts';
import { queryLabels } from '../native/loki-door/loki-mapping.ts';
import type { DoorRecord } from '../native/loki-door/server.ts';
import { isServerSpan, jaegerSearch, promInstant, requestCountsByRoute, spanTag } from '../kit/checks/backends.ts';

export { requestCountsByRoute };
import { lokiDoorRecords } from './backends.ts';
import { pollUntil } from '../kit/poll.ts';

const SERVICE = names.SERVICE_NAME;

export function countBy<T>(items: T[], key: (item: T) => string): Map<string, number> {
  const out = new Map<string, number>();
  for (const item of items) out.set(key(item), (out.get(key(item)) ?? 0) + 1);
  return out;
}

/** Waits until two readings a metric export interval apart agree, so a "before" snapshot is settled. */
export async function settledRequestCounts(prometheusUrl: string): Promise<Map<string, number>> {
  let previous = await requestCountsByRoute(prometheusUrl);
  for (let i = 0; i < 20; i++) {
    await new Promise((r) => setTimeout(r, 7_000));
    const current = await requestCountsByRoute(prometheusUrl);
    if (JSON.stringify([...current].sort()) === JSON.stringify([...previous].sort())) return current;
    previous = current;
  }
  throw new Error(`request_count never settled: ${JSON.stringify([...previous])}`);
}

/** Server spans of one run in Jaeger, per route (the service tags each span with the run id from baggage). */
export async function jaegerServerSpansByRoute(
  jaegerUrl: string,
  runId: string,
  startSec: number,
  expectedTotal: number,
): Promise<Map<string, number>> {
  const traces = await jaegerSearch(jaegerUrl, {
    service: SERVICE,
    tags: { [names.ATTR_LOADGEN_RUN_ID]: runId },
    limit: expectedTotal * 2 + 50,
    startSec,
    endSec: Date.now() / 1000 + 60,
  });
  const server = traces
    .flatMap((t) => t.spans)
    .filter((s) => isServerSpan(s) && spanTag(s, names.ATTR_LOADGEN_RUN_ID) === runId);
  return countBy(server, (s) => spanTag(s, names.ATTR_HTTP_ROUTE) ?? '');
}

/** The door's records of one run (the run_id log attribute, as the service writes it). */
export async function runRecords(lokiUrl: string, runId: string): Promise<DoorRecord[]> {
  const all = await lokiDoorRecords(lokiUrl);
  return all.filter((r) => queryLabels(r.loki)[names.LOG_FIELD_RUN_ID] === runId);
}

export const isAccessRecord = (r: DoorRecord) => r.otlp.body === names.LOG_MSG_REQUEST_COMPLETED;

/** Access records of one run at Loki's door, per route. */
export async function doorAccessRecordsByRoute(lokiUrl: string, runId: string): Promise<Map<string, number>> {
  const records = (await runRecords(lokiUrl, runId)).filter(isAccessRecord);
  return countBy(records, (r) => queryLabels(r.loki)[names.LOG_FIELD_HTTP_ROUTE] ?? '');
}

/** Every expected route has exactly its count. */
export function matches(expected: Map<string, number>, got: Map<string, number>): boolean {
  return [...expected].every(([route, n]) => got.get(route) === n);
}

export const total = (counts: Map<string, number>) => [...counts.values()].reduce((a, b) => a + b, 0);

/**
 * The reference for the fault cases whose trace store loses data by design: every answered
 * request's access record, through the healthy log path (waits until there is one per request).
 */
export async function accessRecordsOfRun(lokiUrl: string, runId: string, expected: number): Promise<DoorRecord[]> {
  return pollUntil(
    async () => (await runRecords(lokiUrl, runId)).filter(isAccessRecord),
    (rs) => rs.length === expected,
    { timeoutMs: 60_000, intervalMs: 2_000 },
  );
}

/** Which of these trace ids have no server span of the run in Jaeger yet. */
export async function tracesMissingInJaeger(
  jaegerUrl: string,
  runId: string,
  ids: Iterable<string>,
  startSec: number,
  limit: number,
): Promise<string[]> {
  const traces = await jaegerSearch(jaegerUrl, {
    service: SERVICE,
    tags: { [names.ATTR_LOADGEN_RUN_ID]: runId },
    limit,
    startSec,
    endSec: Date.now() / 1000 + 60,
  });
  const found = new Set(traces.filter((t) => t.spans.some(isServerSpan)).map((t) => t.traceID));
  return [...ids].filter((id) => !found.has(id));
}

/** One `aws_resources` series as "kind state type region". */
const resourceKey = (s: { kind: string; state: string; type: string; region: string }) =>
  `${s.kind} ${s.state} ${s.type} ${s.region}`;

/**
 * The AWS inventory's non-zero `aws_resources` series in Prometheus, as "kind state type region"
 * -> count, sorted. Zeros are left out: a combination that existed once stays reported as 0.
 */
export async function inventoryResourceCounts(prometheusUrl: string): Promise<Record<string, number>> {
  const query = `sum by (kind, state, type, region) (${inventory.PROM_RESOURCES}{${names.LABEL_SERVICE_NAME}="${inventory.SERVICE_NAME}"}) > 0`;
  const series = await promInstant(prometheusUrl, query);
  return Object.fromEntries(
    series
      .map((s) => [resourceKey(s.metric as never), Number(s.value?.[1])] as const)
      .sort(([a], [b]) => a.localeCompare(b)),
  );
}

/** What inventoryResourceCounts must read once the inventory has counted the seeded moto. */
export function seededResourceCounts(): Record<string, number> {
  return Object.fromEntries(
    expectedSeries()
      .map((s) => [resourceKey(s), s.count] as const)
      .sort(([a], [b]) => a.localeCompare(b)),
  );
}

/** Same keys and counts, in any order. */
export function sameCounts(a: Record<string, number>, b: Record<string, number>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

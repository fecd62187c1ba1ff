/**
 * End-of-run summary: what handleSummary prints and writes to SUMMARY_JSON.
 *
 * Pure: no k6 imports, so the shape the end-to-end test reads is unit-tested.
 * Because main.ts exports handleSummary, k6 does not print its own summary; this one keeps the
 * parts an attendee needs (thresholds, checks, per-route counts, latency) and adds the /crash
 * trace ids to paste into Grafana.
 */
import { CRASH_SLOT_METRIC } from './options.ts';
import { ROUTES, routeKey, routeRequestsSubmetric } from './routes.ts';
import type { RouteKey } from './routes.ts';
import { toXRayTraceId } from '../kit/trace-ids.ts';

export interface SetupData {
  runId: string;
  profile: string;
  baseUrl: string;
  crashTraceIds: string[];
}

/** The parts of k6's handleSummary data this module reads. */
export interface K6SummaryData {
  metrics: Record<
    string,
    { type: string; values: Record<string, number>; thresholds?: Record<string, { ok: boolean }> }
  >;
  root_group?: K6Group;
  state?: { testRunDurationMs?: number };
  setup_data?: SetupData;
}

interface K6Group {
  name: string;
  groups?: K6Group[];
  checks?: { name: string; passes: number; fails: number }[];
}

export interface LoadSummary {
  runId: string | null;
  profile: string | null;
  baseUrl: string | null;
  /** True when every threshold held: the same verdict as k6's exit code. */
  thresholdsOk: boolean;
  durationMs: number;
  requests: {
    /** All HTTP requests k6 sent in the test, the setup preflight included. */
    total: number;
    /** Per route (method + fixed name tag), setup's preflight excluded. */
    byRoute: Record<RouteKey, number>;
    /** Requests whose status was not one the flow declared as expected. */
    unexpectedFailures: number;
    /** Iterations an arrival-rate scenario could not start (no free VU): load asked for, never sent. */
    droppedIterations: number;
  };
  checks: { passes: number; fails: number; byName: Record<string, { passes: number; fails: number }> };
  /** Client-side latency of expected responses, in milliseconds. */
  latencyMs: { avg: number | null; p95: number | null; p99: number | null; max: number | null };
  thresholds: { metric: string; expression: string; ok: boolean }[];
  /** Trace ids of the first /crash requests actually sent (W3C and X-Ray forms). */
  crashTraces: { traceId: string; xrayTraceId: string }[];
}

function metricValue(data: K6SummaryData, metric: string, key: string): number | null {
  const value = data.metrics[metric]?.values[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function collectChecks(group: K6Group | undefined, into: Record<string, { passes: number; fails: number }>): void {
  if (!group) return;
  for (const check of group.checks ?? []) {
    const current = into[check.name] ?? { passes: 0, fails: 0 };
    into[check.name] = { passes: current.passes + check.passes, fails: current.fails + check.fails };
  }
  for (const child of group.groups ?? []) collectChecks(child, into);
}

/** Bookkeeping thresholds that exist only to make k6 keep sub-metrics; not worth showing. */
function isBookkeeping(expression: string): boolean {
  return expression === 'count>=0';
}

export function buildSummary(data: K6SummaryData): LoadSummary {
  const setup = data.setup_data;
  const byRoute = {} as Record<RouteKey, number>;
  for (const route of ROUTES) byRoute[routeKey(route)] = metricValue(data, routeRequestsSubmetric(route), 'count') ?? 0;

  const thresholds: LoadSummary['thresholds'] = [];
  for (const [metric, entry] of Object.entries(data.metrics)) {
    for (const [expression, result] of Object.entries(entry.thresholds ?? {})) {
      if (!isBookkeeping(expression)) thresholds.push({ metric, expression, ok: result.ok });
    }
  }
  const allThresholdsOk = Object.values(data.metrics).every((entry) =>
    Object.values(entry.thresholds ?? {}).every((result) => result.ok),
  );

  const byName: LoadSummary['checks']['byName'] = {};
  collectChecks(data.root_group, byName);

  const crashTraces = (setup?.crashTraceIds ?? [])
    .filter((_, slot) => (metricValue(data, `${CRASH_SLOT_METRIC}{slot:${slot}}`, 'count') ?? 0) > 0)
    .map((traceId) => ({ traceId, xrayTraceId: toXRayTraceId(traceId) }));

  const latencyMetric = 'http_req_duration{expected_response:true}';
  return {
    runId: setup?.runId ?? null,
    profile: setup?.profile ?? null,
    baseUrl: setup?.baseUrl ?? null,
    thresholdsOk: allThresholdsOk,
    durationMs: Math.round(data.state?.testRunDurationMs ?? 0),
    requests: {
      total: metricValue(data, 'http_reqs', 'count') ?? 0,
      byRoute,
      unexpectedFailures: metricValue(data, 'http_req_failed', 'passes') ?? 0,
      droppedIterations: metricValue(data, 'dropped_iterations', 'count') ?? 0,
    },
    checks: {
      passes: metricValue(data, 'checks', 'passes') ?? 0,
      fails: metricValue(data, 'checks', 'fails') ?? 0,
      byName,
    },
    latencyMs: {
      avg: metricValue(data, latencyMetric, 'avg'),
      p95: metricValue(data, latencyMetric, 'p(95)'),
      p99: metricValue(data, latencyMetric, 'p(99)'),
      max: metricValue(data, latencyMetric, 'max'),
    },
    thresholds,
    crashTraces,
  };
}

/** A handful is enough on screen; SUMMARY_JSON has them all. */
const SHOWN_CRASH_TRACES = 5;

function ms(value: number | null): string {
  return value === null ? 'n/a' : `${value.toFixed(1)} ms`;
}

export function renderSummaryText(summary: LoadSummary): string {
  const lines: string[] = [''];
  lines.push(
    `run ${summary.runId ?? '(setup did not finish)'}  profile ${summary.profile ?? '?'}  target ${summary.baseUrl ?? '?'}  ${(summary.durationMs / 1000).toFixed(1)} s`,
  );
  lines.push('', 'thresholds');
  for (const threshold of summary.thresholds) {
    lines.push(`  ${threshold.ok ? '✓' : '✗'} ${threshold.metric}: ${threshold.expression}`);
  }
  lines.push('', `checks  ${summary.checks.passes} passed, ${summary.checks.fails} failed`);
  for (const [name, counts] of Object.entries(summary.checks.byName)) {
    lines.push(
      `  ${counts.fails === 0 ? '✓' : '✗'} ${name}${counts.fails === 0 ? '' : `  (${counts.fails} of ${counts.passes + counts.fails} failed)`}`,
    );
  }
  lines.push(
    '',
    `requests  ${summary.requests.total} sent, ${summary.requests.unexpectedFailures} unexpected failures`,
  );
  for (const [route, count] of Object.entries(summary.requests.byRoute)) lines.push(`  ${route.padEnd(18)} ${count}`);
  lines.push(
    '',
    `latency (expected responses)  avg ${ms(summary.latencyMs.avg)}  p95 ${ms(summary.latencyMs.p95)}  p99 ${ms(summary.latencyMs.p99)}  max ${ms(summary.latencyMs.max)}`,
  );
  if (summary.crashTraces.length > 0) {
    lines.push('', '/crash traces (each answered 500 on purpose):');
    for (const trace of summary.crashTraces.slice(0, SHOWN_CRASH_TRACES))
      lines.push(`  ${trace.traceId}   X-Ray: ${trace.xrayTraceId}`);
    const more = summary.crashTraces.length - SHOWN_CRASH_TRACES;
    if (more > 0) lines.push(`  … and ${more} more in the SUMMARY_JSON file`);
    lines.push(
      '  Paste a trace id into Grafana > Explore > Jaeger (or the Jaeger UI, http://127.0.0.1:16686/trace/<id>), or the X-Ray form into the X-Ray data source in AWS mode;',
      `  its logs: Explore > Loki: {service_name="items-api"} | trace_id="<id>"`,
    );
  }
  const verdict =
    summary.runId === null
      ? 'ABORTED before any traffic: see the error below'
      : summary.thresholdsOk
        ? 'all thresholds passed'
        : 'THRESHOLDS FAILED: k6 exits non-zero';
  lines.push('', verdict, '');
  return lines.join('\n');
}

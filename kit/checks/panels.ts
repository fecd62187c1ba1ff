// "Does this dashboard panel have data?": every target of the committed dashboards, with Grafana's
// macros and variable defaults substituted, asked of the backend its datasource points at. The one
// owner of that check: the e2e asserts it on the native stack, `npm run verify` runs it against
// the facilitator's stack. Prometheus and Jaeger targets run against the real programs; Loki
// targets against Loki, or judged at Loki's door where only the door runs.
import {
  type DashboardTarget,
  listDashboardTargets,
  loadCommittedDashboards,
  parseJaegerQuery,
  resolveTargets,
} from '../dashboard-targets.ts';
import { jaegerDependencies, jaegerSearch, promInstant, promRange, type PromSeries } from './backends.ts';
import { type LogsBackend, queryLogs } from './logs.ts';

/** Grafana's $__interval for a panel a few hundred pixels wide over a quarter of an hour. */
export const PANEL_INTERVAL_SECONDS = 15;

export interface QueryAnswer {
  rows: number;
  raw: string;
  /** How the answer was obtained: from the real backend, or judged at Loki's door. */
  judgedAt: 'backend' | 'loki-door';
}

export interface PanelBackends {
  prometheus: string;
  jaeger: string;
  logs: LogsBackend;
}

export function listPanelTargets(): DashboardTarget[] {
  return listDashboardTargets(loadCommittedDashboards());
}

/** A target's query with Grafana's macros and variable defaults substituted for [fromSec, now]. */
export function resolveQuery(target: DashboardTarget, fromSec: number): string {
  return resolveTargets([target], { from: fromSec, to: Date.now() / 1000, intervalSeconds: PANEL_INTERVAL_SECONDS })[0]!
    .query;
}

/** A series counts as data when it has at least one real number (histogram_quantile gives NaN on empty buckets). */
function seriesWithValues(series: PromSeries[]): number {
  const real = (v: [number, string]) => Number.isFinite(Number(v[1]));
  return series.filter((s) => (s.values ?? (s.value ? [s.value] : [])).some(real)).length;
}

/** The Jaeger plugin's tags field (logfmt) as the map its backend sends: key=value, values may be quoted. */
function logfmtTags(tags: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const match of tags.matchAll(/([^\s="]+)=("(?:[^"\\]|\\.)*"|\S*)/g)) {
    out[match[1]!] = match[2]!.startsWith('"') ? (JSON.parse(match[2]!) as string) : match[2]!;
  }
  return out;
}

/** One panel target over [fromSec, now], asked as Grafana would ask it. */
export async function queryTarget(
  backends: PanelBackends,
  target: DashboardTarget,
  fromSec: number,
): Promise<QueryAnswer> {
  const to = Date.now() / 1000;
  const [resolved] = resolveTargets([target], { from: fromSec, to, intervalSeconds: PANEL_INTERVAL_SECONDS });
  const query = resolved!.query;
  if (target.language === 'jaeger') {
    const jaeger = parseJaegerQuery(query);
    if (target.mode === 'dependencyGraph') {
      const edges = await jaegerDependencies(backends.jaeger, to + 60, to + 60 - fromSec);
      return { rows: edges.length, raw: JSON.stringify(edges), judgedAt: 'backend' };
    }
    const traces = await jaegerSearch(backends.jaeger, {
      service: jaeger.service ?? '',
      ...(jaeger.operation ? { operation: jaeger.operation } : {}),
      tags: logfmtTags(jaeger.tags ?? ''),
      limit: jaeger.limit ?? 20,
      startSec: fromSec,
      endSec: to + 60,
    });
    return { rows: traces.length, raw: JSON.stringify(traces.map((t) => t.traceID)), judgedAt: 'backend' };
  }
  if (target.language === 'logql') {
    const answer = await queryLogs(backends.logs, query, {
      fromSec,
      toSec: to,
      limit: target.limit ?? 100,
      ...(target.mode === 'logs' ? {} : { stepSec: PANEL_INTERVAL_SECONDS }),
    });
    return { rows: answer.rows, raw: answer.raw, judgedAt: answer.judgedAt === 'loki-door' ? 'loki-door' : 'backend' };
  }
  const series =
    target.mode === 'instant'
      ? await promInstant(backends.prometheus, query, to)
      : await promRange(backends.prometheus, query, fromSec, to, PANEL_INTERVAL_SECONDS);
  return { rows: seriesWithValues(series), raw: JSON.stringify(series), judgedAt: 'backend' };
}

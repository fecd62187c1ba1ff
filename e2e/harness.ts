// Glue between the e2e test and the parts it drives: the native stack of real binaries,
// the dashboards' targets, and k6 running the loadgen scripts.
import { listDashboardTargets, loadCommittedDashboards, resolveTargets, type DashboardTarget } from '../dashboards/src/targets.ts';
import { startStack, tailFile, type NativeStack } from '../native/stack-lib.ts';
import { lokiInstant, lokiRange, promInstant, promRange, tempoSearch, type PromSeries } from './backends.ts';

export const AWS_REGION = 'us-east-1';
/** Grafana's $__interval for a panel a few hundred pixels wide over the e2e window. */
const PANEL_INTERVAL_SECONDS = 15;

export interface QueryAnswer { rows: number; raw: string }

export interface E2eStack {
  urls: NativeStack['urls'];
  awsRegion: string;
  native: NativeStack;
  queryTarget(target: DashboardTarget, fromSec: number): Promise<QueryAnswer>;
  stop(): Promise<void>;
}

export function listPanelTargets(): DashboardTarget[] {
  return listDashboardTargets(loadCommittedDashboards());
}

/** A series counts as data when it has at least one real number (histogram_quantile gives NaN on empty buckets). */
function seriesWithValues(series: PromSeries[]): number {
  const real = (v: [number, string]) => Number.isFinite(Number(v[1]));
  return series.filter((s) => (s.values ?? (s.value ? [s.value] : [])).some(real)).length;
}

async function queryTarget(urls: NativeStack['urls'], target: DashboardTarget, fromSec: number): Promise<QueryAnswer> {
  const to = Date.now() / 1000;
  const [resolved] = resolveTargets([target], { from: fromSec, to, intervalSeconds: PANEL_INTERVAL_SECONDS });
  const query = resolved!.query;
  if (target.language === 'traceql') {
    const traces = await tempoSearch(urls.tempo, query, fromSec, to + 60, target.limit ?? 20);
    return { rows: traces.length, raw: JSON.stringify(traces) };
  }
  if (target.language === 'logql') {
    if (target.mode === 'instant') {
      const series = await lokiInstant(urls.loki, query, to);
      return { rows: seriesWithValues(series), raw: JSON.stringify(series) };
    }
    const data = await lokiRange(urls.loki, query, fromSec, to, target.limit ?? 1000, target.mode === 'logs' ? undefined : PANEL_INTERVAL_SECONDS);
    const rows = data.resultType === 'streams' ? data.result.reduce((n, s) => n + ('values' in s ? s.values?.length ?? 0 : 0), 0) : seriesWithValues(data.result as PromSeries[]);
    return { rows, raw: JSON.stringify(data) };
  }
  const series = target.mode === 'instant' ? await promInstant(urls.prometheus, query, to) : await promRange(urls.prometheus, query, fromSec, to, PANEL_INTERVAL_SECONDS);
  return { rows: seriesWithValues(series), raw: JSON.stringify(series) };
}

/** The native stack in AWS mode: the collector also exports to X-Ray, served locally by moto. */
export async function startE2eStack(): Promise<E2eStack> {
  const native = await startStack({ aws: true, service: true, log: (line) => console.log(`[stack] ${line}`) });
  return {
    urls: native.urls,
    awsRegion: AWS_REGION,
    native,
    queryTarget: (target, fromSec) => queryTarget(native.urls, target, fromSec),
    stop: async () => {
      await native.stop();
    },
  };
}

/** The last lines of every component's log, for a failure message. */
export function componentLogTails(stack: E2eStack, lines = 20): string {
  return Object.entries(stack.native.logs)
    .map(([name, file]) => `--- ${name} (${file}) ---\n${tailFile(file!, lines)}`)
    .join('\n');
}

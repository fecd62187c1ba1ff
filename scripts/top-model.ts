/**
 * `npm run top`, the pure part: what it asks each backend, how it reads the answers into one
 * snapshot (also its --json document), and how it lays the snapshot out for a terminal of a
 * given width. No I/O here, so all of it is unit-tested; scripts/top.ts fetches and draws.
 *
 * Plain TypeScript that Node 24 strips without an install step: it imports only the kit's own
 * name modules, never a package.
 */
import * as inventory from '../kit/names/inventory.ts';
import * as names from '../kit/names/service.ts';
import { COLLECTOR, K6 } from '../kit/names/external.ts';
import { toXRayTraceId } from '../kit/trace-ids.ts';

/** The window every rate is taken over: one minute, what "now" means on a workshop screen. */
export const WINDOW = '1m';

const svc = `${names.LABEL_SERVICE_NAME}="${names.SERVICE_NAME}"`;
const duration = names.PROM_HTTP_SERVER_REQUEST_DURATION;
const byRoute = (expr: string) => `sum by (${names.LABEL_HTTP_ROUTE}) (${expr})`;
const quantile = (q: number) =>
  `histogram_quantile(${q}, sum by (le, ${names.LABEL_HTTP_ROUTE}) (rate(${duration}_bucket{${svc}}[${WINDOW}])))`;
const inv = `${names.LABEL_SERVICE_NAME}="${inventory.SERVICE_NAME}"`;
const signals = ['spans', 'metricPoints', 'logRecords'] as const;
export type Signal = (typeof signals)[number];

/** Every PromQL query top sends, by key; each answer is an instant vector. */
export const PROM_QUERIES = {
  rps: byRoute(`rate(${duration}_count{${svc}}[${WINDOW}])`),
  errorRps: byRoute(`rate(${duration}_count{${svc}, ${names.LABEL_HTTP_RESPONSE_STATUS_CODE}=~"5.."}[${WINDOW}])`),
  p50: quantile(0.5),
  p95: quantile(0.95),
  p99: quantile(0.99),
  ...Object.fromEntries(
    signals.flatMap((s) => [
      [`accepted_${s}`, `sum(rate(${COLLECTOR.receiverAccepted[s]}[${WINDOW}]))`],
      [`refused_${s}`, `sum(rate(${COLLECTOR.receiverRefused[s]}[${WINDOW}]))`],
      [`failed_${s}`, `sum(rate(${COLLECTOR.exporterSendFailed[s]}[${WINDOW}]))`],
    ]),
  ),
  queued: `sum(${COLLECTOR.exporterQueueSize})`,
  k6Rps: `sum(rate(${K6.httpReqs}[${WINDOW}]))`,
  k6Failed: `sum(rate(${K6.httpReqFailed.occurred}[${WINDOW}]))`,
  k6P95: `histogram_quantile(0.95, sum by (le) (rate(${K6.httpReqDuration}_bucket[${WINDOW}])))`,
  inventoryResources: `sum(${inventory.PROM_RESOURCES}{${inv}})`,
  inventoryErrors: `sum(increase(${inventory.PROM_COLLECTION_ERRORS}{${inv}}[${WINDOW}]))`,
  // The stalest collector/region: how old the oldest count on the board is.
  inventoryOldest: `max(time() - ${inventory.PROM_LAST_SUCCESS}{${inv}})`,
} as Record<string, string>;

/** Log records per level in the last minute (Loki's detected_level, from the OTel severity). */
export const LOGQL_LEVELS = `sum by (detected_level) (count_over_time({${svc}}[${WINDOW}]))`;

export type Vector = { metric: Record<string, string>; value: [number, string] }[];
export type PromAnswers = Record<string, Vector | undefined>;

export interface RouteRow {
  route: string;
  rps: number;
  errorPct: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}
export interface ErrorTrace {
  traceId: string;
  xrayTraceId: string;
  route: string;
  ageSeconds: number;
}
export interface Source {
  url: string;
  up: boolean;
  error?: string;
}
/** The --json document. Keys are stable; numbers are per second unless the key says otherwise. */
export interface TopSnapshot {
  generatedAt: string;
  sources: Record<'service' | 'collector' | 'prometheus' | 'jaeger' | 'loki', Source>;
  routes: RouteRow[];
  errorTraces: ErrorTrace[];
  /** null when Loki does not answer (the native stack has only Loki's door). */
  logs: { perMinuteByLevel: Record<string, number> } | null;
  collector: Record<Signal, { accepted: number; refused: number; failed: number }> & { queued: number };
  /** null while no k6 run sends metrics. */
  k6: { rps: number; failedPct: number; p95Ms: number | null } | null;
  /** The AWS inventory; null while it sends no metrics. */
  inventory: { resources: number; errorsLastMinute: number; oldestCountSeconds: number | null } | null;
}

const num = (v: string | undefined) => {
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
};
const scalar = (a: Vector | undefined) => num(a?.[0]?.value[1]) ?? 0;
const byRouteMap = (a: Vector | undefined) =>
  new Map((a ?? []).map((s) => [s.metric[names.LABEL_HTTP_ROUTE] ?? '', num(s.value[1])]));

export function routesFrom(answers: PromAnswers): RouteRow[] {
  const rps = byRouteMap(answers.rps);
  const errors = byRouteMap(answers.errorRps);
  const [p50, p95, p99] = [answers.p50, answers.p95, answers.p99].map(byRouteMap);
  const ms = (v: number | null | undefined) => (v === null || v === undefined ? null : v * 1000);
  return [...rps.entries()]
    .map(([route, r]) => ({
      route,
      rps: r ?? 0,
      // rate() extrapolates each series on its own: the 5xx rate can edge past the total. Clamp.
      errorPct: r ? Math.min(100, (100 * (errors.get(route) ?? 0)) / r) : 0,
      p50Ms: ms(p50!.get(route)),
      p95Ms: ms(p95!.get(route)),
      p99Ms: ms(p99!.get(route)),
    }))
    .sort((a, b) => b.rps - a.rps || a.route.localeCompare(b.route));
}

export function collectorFrom(answers: PromAnswers): TopSnapshot['collector'] {
  const per = Object.fromEntries(
    signals.map((s) => [
      s,
      {
        accepted: scalar(answers[`accepted_${s}`]),
        refused: scalar(answers[`refused_${s}`]),
        failed: scalar(answers[`failed_${s}`]),
      },
    ]),
  ) as Record<Signal, { accepted: number; refused: number; failed: number }>;
  return { ...per, queued: scalar(answers.queued) };
}

export function k6From(answers: PromAnswers): TopSnapshot['k6'] {
  const rps = scalar(answers.k6Rps);
  if (rps <= 0) return null;
  return { rps, failedPct: (100 * scalar(answers.k6Failed)) / rps, p95Ms: num(answers.k6P95?.[0]?.value[1]) };
}

export function inventoryFrom(answers: PromAnswers): TopSnapshot['inventory'] {
  if (!answers.inventoryResources?.length) return null;
  const oldest = num(answers.inventoryOldest?.[0]?.value[1]);
  return {
    resources: scalar(answers.inventoryResources),
    errorsLastMinute: Math.round(scalar(answers.inventoryErrors)),
    oldestCountSeconds: oldest === null ? null : Math.round(oldest),
  };
}

/** Jaeger's search answer (newest first) into paste-ready rows. */
export function errorTracesFrom(
  traces: {
    traceID: string;
    spans: { startTime: number; tags: { key: string; value: string | number | boolean }[] }[];
  }[],
  nowMs: number,
  limit = 5,
): ErrorTrace[] {
  return traces
    .map((t) => {
      const server =
        t.spans.find((s) => s.tags.some((tag) => tag.key === 'span.kind' && tag.value === 'server')) ?? t.spans[0];
      const route = String(server?.tags.find((tag) => tag.key === names.ATTR_HTTP_ROUTE)?.value ?? '?');
      return {
        traceId: t.traceID,
        xrayTraceId: toXRayTraceId(t.traceID),
        route,
        ageSeconds: Math.max(0, Math.round((nowMs - (server?.startTime ?? 0) / 1000) / 1000)),
      };
    })
    .sort((a, b) => a.ageSeconds - b.ageSeconds)
    .slice(0, limit);
}

export interface Style {
  color: boolean;
}
const paint = (style: Style, code: number, text: string) => (style.color ? `\x1b[${code}m${text}\x1b[0m` : text);

interface Column<T> {
  title: string;
  width: number;
  /** Lower drops first when the terminal is narrow. */
  keep: number;
  cell: (row: T) => string;
  right?: boolean;
}

/** The columns that fit in `width` characters, dropping the least important first. */
export function fitColumns<T>(columns: Column<T>[], width: number): Column<T>[] {
  const chosen = [...columns];
  const used = () => chosen.reduce((n, c) => n + c.width + 2, 0);
  while (chosen.length > 1 && used() > width) {
    const drop = chosen.reduce((lowest, c) => (c.keep < lowest.keep ? c : lowest));
    chosen.splice(chosen.indexOf(drop), 1);
  }
  return chosen;
}

function table<T>(columns: Column<T>[], rows: T[], width: number): string[] {
  const fitted = fitColumns(columns, width);
  const cell = (c: Column<T>, text: string) => {
    const clipped = text.length > c.width ? `${text.slice(0, c.width - 1)}…` : text;
    return c.right ? clipped.padStart(c.width) : clipped.padEnd(c.width);
  };
  return [
    fitted.map((c) => cell(c, c.title)).join('  '),
    ...rows.map((r) => fitted.map((c) => cell(c, c.cell(r))).join('  ')),
  ];
}

const fmt = (n: number | null, digits = 1) => (n === null ? '–' : n.toFixed(digits));

export function renderView(s: TopSnapshot, opts: { width: number; style: Style; intervalSeconds?: number }): string {
  const { width, style } = opts;
  const health = Object.entries(s.sources)
    .map(([name, src]) => (src.up ? paint(style, 32, `${name} up`) : paint(style, 31, `${name} DOWN`)))
    .join('  ');
  const lines = [
    `${paint(style, 1, 'otel-kit top')}  ${s.generatedAt.slice(11, 19)}${opts.intervalSeconds ? `  every ${opts.intervalSeconds}s` : ''}  ${health}`,
    '',
    paint(style, 1, `routes of ${names.SERVICE_NAME} (last ${WINDOW})`),
  ];
  const routeCols: Column<RouteRow>[] = [
    { title: 'route', width: 14, keep: 9, cell: (r) => r.route },
    { title: 'req/s', width: 8, keep: 8, cell: (r) => fmt(r.rps), right: true },
    { title: 'err %', width: 6, keep: 7, cell: (r) => fmt(r.errorPct), right: true },
    { title: 'p50 ms', width: 7, keep: 4, cell: (r) => fmt(r.p50Ms), right: true },
    { title: 'p95 ms', width: 7, keep: 6, cell: (r) => fmt(r.p95Ms), right: true },
    { title: 'p99 ms', width: 7, keep: 5, cell: (r) => fmt(r.p99Ms), right: true },
  ];
  lines.push(
    ...(s.routes.length
      ? table(routeCols, s.routes, width)
      : ['  no requests in the last minute (run `npm run load`)']),
  );
  lines.push('', paint(style, 1, 'newest error traces (Jaeger)'));
  const traceCols: Column<ErrorTrace>[] = [
    { title: 'trace id', width: 32, keep: 9, cell: (t) => t.traceId },
    { title: 'X-Ray id', width: 35, keep: 3, cell: (t) => t.xrayTraceId },
    { title: 'route', width: 10, keep: 5, cell: (t) => t.route },
    { title: 'age', width: 6, keep: 6, cell: (t) => `${t.ageSeconds}s`, right: true },
  ];
  lines.push(
    ...(s.errorTraces.length
      ? table(traceCols, s.errorTraces, width)
      : [s.sources.jaeger.up ? '  none in the last 15 minutes' : '  Jaeger not reachable']),
  );
  lines.push('', paint(style, 1, `log records per level (last ${WINDOW})`));
  lines.push(
    s.logs
      ? `  ${
          Object.entries(s.logs.perMinuteByLevel)
            .sort()
            .map(([level, n]) => `${level} ${n}`)
            .join('  ') || 'none'
        }`
      : '  Loki not reachable',
  );
  lines.push('', paint(style, 1, 'collector (per second)'));
  const sigCols: Column<[string, { accepted: number; refused: number; failed: number }]>[] = [
    { title: 'signal', width: 13, keep: 9, cell: ([n]) => n },
    { title: 'accepted', width: 9, keep: 8, cell: ([, v]) => fmt(v.accepted), right: true },
    { title: 'refused', width: 8, keep: 7, cell: ([, v]) => fmt(v.refused), right: true },
    { title: 'failed', width: 8, keep: 7, cell: ([, v]) => fmt(v.failed), right: true },
  ];
  const sigRows = signals.map(
    (sig) =>
      [sig === 'metricPoints' ? 'metric points' : sig === 'logRecords' ? 'log records' : 'spans', s.collector[sig]] as [
        string,
        { accepted: number; refused: number; failed: number },
      ],
  );
  lines.push(...table(sigCols, sigRows, width), `  queued in exporters: ${s.collector.queued}`);
  lines.push('', paint(style, 1, 'k6 (last minute)'));
  lines.push(
    s.k6
      ? `  ${fmt(s.k6.rps)} req/s  failed ${fmt(s.k6.failedPct)} %  p95 ${fmt(s.k6.p95Ms)} ms`
      : '  no load run sending metrics',
  );
  lines.push('', paint(style, 1, `AWS inventory (${inventory.SERVICE_NAME})`));
  lines.push(
    s.inventory
      ? `  ${s.inventory.resources} resources  ${s.inventory.errorsLastMinute > 0 ? paint(style, 31, `${s.inventory.errorsLastMinute} errors`) : '0 errors'} (last ${WINDOW})  oldest count ${s.inventory.oldestCountSeconds ?? '–'}s old`
      : '  not sending metrics (it counts moto in compose; see inventory/README.md)',
  );
  // Never wider than the terminal: the view is redrawn in place, a wrapped line would scroll it.
  return lines.map((l) => (visibleLength(l) > width ? clip(l, width) : l)).join('\n');
}

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;
const visibleLength = (line: string) => line.replace(ANSI, '').length;
const clip = (line: string, width: number) => `${line.replace(ANSI, '').slice(0, Math.max(0, width - 1))}…`;

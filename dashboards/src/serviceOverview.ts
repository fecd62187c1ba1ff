/**
 * Service overview: the items-api as its users see it (rate, errors, latency) and as an
 * on-call engineer digs into it (logs by level, error traces). Metric and label names come from
 * the service's telemetry module, so renaming a metric there breaks this build.
 */
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { BOARDS } from '../../kit/boards.ts';
import * as names from '../../kit/names/service.ts';
import { ERROR_SPAN_TAGS } from '../../kit/names/jaeger-search.ts';
import {
  JAEGER_SPANMETRICS,
  PROM_ALERTS,
  PROM_ALERTS_LABEL_STATE,
  SPANMETRICS_LABEL_SERVICE,
  SPANMETRICS_LABEL_SPAN_KIND,
  SPANMETRICS_LABEL_SPAN_NAME,
  SPANMETRICS_SERVER_SPAN_KIND,
} from '../../kit/names/external.ts';
import { PROMETHEUS } from '../../kit/datasources.ts';
import { SCENARIOS } from '../../kit/scenarios.ts';
import {
  barsPanel,
  jaegerDependencyGraph,
  jaegerSearch,
  logsPanel,
  lokiLogQuery,
  lokiMetricQuery,
  nodeGraphPanel,
  promQuery,
  statPanel,
  timeseriesPanel,
  tracesTablePanel,
  workshopDashboard,
} from './panels.ts';

export const SERVICE_OVERVIEW_UID = BOARDS.serviceOverview.uid;

/** Template variable filtering the logs panel by level. */
export const LEVEL_VARIABLE = 'level';
/**
 * The kit's pino log bridge writes pino's level labels ("info", "warn", "error") as OTel severity text,
 * which Loki keeps as the structured-metadata field severity_text. The variable offers upper-case
 * names and the query matches case-insensitively, so both spellings work.
 */
const LEVELS = ['INFO', 'WARN', 'ERROR'];
/** "All" becomes this regex; ".*" also keeps records without a severity. */
const ALL_LEVELS = '.*';
export const SEVERITY_FIELD = 'severity_text';

const service = `${names.LABEL_SERVICE_NAME}="${names.SERVICE_NAME}"`;
const duration = names.PROM_HTTP_SERVER_REQUEST_DURATION;
const rateOf = (series: string, matchers: string) => `rate(${series}{${matchers}}[$__rate_interval])`;

export const serverRequestRate = `sum(${rateOf(`${duration}_count`, service)})`;
export const serverErrorShare =
  `(sum(${rateOf(`${duration}_count`, `${service}, ${names.LABEL_HTTP_RESPONSE_STATUS_CODE}=~"5.."`)}) or vector(0))` +
  ` / ${serverRequestRate}`;
export const serverLatencyQuantile = (q: number) =>
  `histogram_quantile(${q}, sum by (le) (${rateOf(`${duration}_bucket`, service)}))`;

/**
 * p95 of the service's server spans as Jaeger's spanmetrics connector measured them, in seconds
 * like the other series of the panel (the connector's histogram is in milliseconds); carries
 * exemplars.
 */
export const spanMetricsServerP95 =
  `histogram_quantile(0.95, sum by (le) (rate(${JAEGER_SPANMETRICS.duration}_bucket{${SPANMETRICS_LABEL_SERVICE}="${names.SERVICE_NAME}", ` +
  `${SPANMETRICS_LABEL_SPAN_KIND}="${SPANMETRICS_SERVER_SPAN_KIND}"}[$__rate_interval]))) / 1000`;

/** Firing alerts (alerts/*.rules.yml), by name; 0 when none fires, so the panel is never empty. */
export const firingAlerts = `sum by (alertname) (${PROM_ALERTS}{${PROM_ALERTS_LABEL_STATE}="firing"}) or on() vector(0)`;
export const heapUsed = `sum(${names.PROM_HEAP_USED}{${service}})`;
export const eventLoopDelayP99 = `max(${names.PROM_EVENT_LOOP_DELAY_P99}{${service}})`;
const spanCalls = (matchers: string) =>
  `sum(rate(${JAEGER_SPANMETRICS.calls}{${SPANMETRICS_LABEL_SERVICE}="${names.SERVICE_NAME}", ${matchers}}[$__rate_interval]))`;
/** store.* spans per server span, from Jaeger's span metrics: ~1 normally, the page size under an N+1. */
export const storeCallsPerRequest =
  `${spanCalls(`${SPANMETRICS_LABEL_SPAN_NAME}=~"store\\\\..*"`)} / ` +
  spanCalls(`${SPANMETRICS_LABEL_SPAN_KIND}="${SPANMETRICS_SERVER_SPAN_KIND}"`);
/** Region annotation while a lab scenario is on: Grafana joins consecutive samples into one region. */
export const scenarioOnAnnotation = `max by (${names.LABEL_SCENARIO}) (${names.PROM_SCENARIO_ACTIVE}{${service}}) > 0`;
export const alertFiringAnnotation = `${PROM_ALERTS}{${PROM_ALERTS_LABEL_STATE}="firing"}`;

/** The two annotations of the boards a lab looks at: scenario on (start to stop) and alerts firing. */
export function labAnnotations(): dashboard.AnnotationQueryBuilder[] {
  return [
    new dashboard.AnnotationQueryBuilder()
      .name('Lab scenario on')
      .datasource(PROMETHEUS)
      .enable(true)
      .iconColor('purple')
      .expr(scenarioOnAnnotation)
      .step('5s')
      .titleFormat('scenario {{scenario}} on')
      .tagKeys(names.LABEL_SCENARIO),
    new dashboard.AnnotationQueryBuilder()
      .name('Alerts firing')
      .datasource(PROMETHEUS)
      .enable(true)
      .iconColor('red')
      .expr(alertFiringAnnotation)
      .step('5s')
      .titleFormat('{{alertname}} firing')
      .tagKeys('alertname,severity'),
  ];
}

const panelOf = (scenario: keyof typeof SCENARIOS) => SCENARIOS[scenario].panel;

export function serviceOverview(): dashboard.Dashboard {
  const logSelector = `{${service}}`;
  return workshopDashboard(
    BOARDS.serviceOverview.title,
    SERVICE_OVERVIEW_UID,
    `RED metrics, logs and error traces of ${names.SERVICE_NAME}.`,
    [names.SERVICE_NAME],
  )
    .withVariable(
      new dashboard.CustomVariableBuilder(LEVEL_VARIABLE)
        .label('Log level')
        .values(LEVELS.join(','))
        .includeAll(true)
        .allValue(ALL_LEVELS)
        .current({ text: 'All', value: '$__all', selected: true }),
    )
    .withPanel(
      timeseriesPanel(
        'Request rate by route',
        'Requests per second the service handled, per Express route (server-side histogram count).',
        { x: 0, y: 0, w: 12, h: 8 },
        'reqps',
        [
          promQuery('A', `sum by (${names.LABEL_HTTP_ROUTE}) (${rateOf(`${duration}_count`, service)})`, {
            legend: `{{${names.LABEL_HTTP_ROUTE}}}`,
          }),
        ],
      ),
    )
    .withPanel(
      timeseriesPanel(
        'Error rate (5xx share)',
        'Share of requests answered with a 5xx status. /crash requests land here.',
        { x: 12, y: 0, w: 6, h: 8 },
        'percentunit',
        [promQuery('A', serverErrorShare, { legend: '5xx share' })],
      ).min(0),
    )
    .withPanel(
      statPanel(
        'Active simulated users',
        "The service's gauge of users its background simulator pretends are active.",
        { x: 18, y: 0, w: 6, h: 8 },
        'short',
        [promQuery('A', `sum(${names.PROM_ACTIVE_SIMULATED_USERS}{${service}})`, { legend: 'active users' })],
      ),
    )
    .withPanel(
      timeseriesPanel(
        'Latency p50 / p95 / p99',
        'Server-side request duration quantiles from the service histogram, and p95 of the same server spans from Jaeger span metrics. ' +
          "The exemplar dots (on the span-metrics series: ADOT JS attaches no exemplars to the service's own histogram) carry the trace id of a sampled request: hover one and open it in Jaeger.",
        { x: 0, y: 8, w: 12, h: 8 },
        's',
        [
          promQuery('A', serverLatencyQuantile(0.5), { legend: 'p50' }),
          promQuery('B', serverLatencyQuantile(0.95), { legend: 'p95' }),
          promQuery('C', serverLatencyQuantile(0.99), { legend: 'p99' }),
          promQuery('D', spanMetricsServerP95, { legend: 'p95 (Jaeger span metrics, exemplars)', exemplar: true }),
        ],
      ),
    )
    .withPanel(
      barsPanel(
        'Requests by status class',
        `The service's own ${names.METRIC_REQUEST_COUNT} counter, per status class (2xx, 4xx, 5xx).`,
        { x: 12, y: 8, w: 6, h: 8 },
        'reqps',
        [
          promQuery(
            'A',
            `sum by (${names.LABEL_HTTP_RESPONSE_STATUS_CLASS}) (${rateOf(names.PROM_REQUEST_COUNT, service)})`,
            {
              legend: `{{${names.LABEL_HTTP_RESPONSE_STATUS_CLASS}}}`,
            },
          ),
        ],
      ),
    )
    .withPanel(
      timeseriesPanel(
        'Items created',
        'Items created per second through POST /items.',
        { x: 18, y: 8, w: 6, h: 8 },
        'ops',
        [promQuery('A', `sum(${rateOf(names.PROM_ITEMS_CREATED, service)})`, { legend: 'items / s' })],
      ),
    )
    .withPanel(
      barsPanel(
        'Log volume by level',
        'Log records per interval, by OTel severity (severity_text in Loki structured metadata).',
        { x: 0, y: 16, w: 12, h: 8 },
        'short',
        [
          lokiMetricQuery(
            'A',
            `sum by (${SEVERITY_FIELD}) (count_over_time(${logSelector}[$__auto]))`,
            `{{${SEVERITY_FIELD}}}`,
          ),
        ],
      ),
    )
    .withPanel(
      tracesTablePanel(
        'Recent error traces',
        `Jaeger search: traces of ${names.SERVICE_NAME} whose server span answered 500 (the /crash requests). Click a trace id to open it; from a span, the logs icon opens its records in Loki.`,
        { x: 12, y: 16, w: 12, h: 8 },
        jaegerSearch('A', { service: names.SERVICE_NAME, tags: ERROR_SPAN_TAGS, limit: 20 }),
      ),
    )
    .withPanel(
      nodeGraphPanel(
        'Service graph',
        "Jaeger's dependency graph over the dashboard's time range. Each instrumented service shows calling itself: for items-api the edge is its " +
          'in-process store.* spans under each request, for aws-inventory its per-region spans under each cycle, which the in-memory store reports as calls ' +
          '(jaegertracing/jaeger#9089), not network hops. The two never call each other, so no edge joins them.',
        { x: 0, y: 24, w: 8, h: 12 },
        jaegerDependencyGraph('A'),
      ),
    )
    .annotations(labAnnotations())
    .withPanel(
      timeseriesPanel(
        'Firing alerts',
        'Alerts Prometheus evaluates from alerts/items-api.rules.yml (SLO burn rates and one per symptom), by name: 1 while firing. ' +
          'The purple regions on every panel are lab scenarios switched on (npm run scenario), the red marks alerts firing.',
        { x: 0, y: 36, w: 24, h: 6 },
        'short',
        [promQuery('A', firingAlerts, { legend: '{{alertname}}' })],
      ).min(0),
    )
    .withPanel(
      timeseriesPanel(
        panelOf('memory-leak'),
        'V8 heap in use, all heap spaces (runtime-node instrumentation). A saw-tooth is garbage collection; a staircase that never comes back down is a leak.',
        { x: 0, y: 42, w: 8, h: 8 },
        'bytes',
        [promQuery('A', heapUsed, { legend: 'heap used' })],
      ).min(0),
    )
    .withPanel(
      timeseriesPanel(
        panelOf('cpu-block'),
        'p99 of how late the event loop ran its timers (runtime-node instrumentation). Above a few ms, synchronous work is blocking every request.',
        { x: 8, y: 42, w: 8, h: 8 },
        's',
        [promQuery('A', eventLoopDelayP99, { legend: 'event loop delay p99' })],
      ).min(0),
    )
    .withPanel(
      timeseriesPanel(
        panelOf('n-plus-one'),
        "store.* spans per server span, from Jaeger's span metrics: about 1 when each request makes one store call.",
        { x: 16, y: 42, w: 8, h: 8 },
        'short',
        [promQuery('A', storeCallsPerRequest, { legend: 'store calls / request' })],
      ).min(0),
    )
    .withPanel(
      logsPanel(
        'Logs',
        'Log records of the service, filtered by the level variable. Open a record: its trace_id links to the trace in Jaeger.',
        { x: 8, y: 24, w: 16, h: 12 },
        lokiLogQuery('A', `${logSelector} | ${SEVERITY_FIELD}=~"(?i)$${LEVEL_VARIABLE}"`, 500),
      ),
    )
    .build();
}

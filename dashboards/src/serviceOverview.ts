/**
 * Service overview: the items-api as its users see it (rate, errors, latency) and as an
 * on-call engineer digs into it (logs by level, error traces). Metric and label names come from
 * the service's telemetry module, so renaming a metric there breaks this build.
 */
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as names from '../../service/src/telemetry/names.ts';
import { TEMPO_LABEL_SERVICE, TEMPO_LABEL_SPAN_KIND, TEMPO_SERVER_SPAN_KIND, TEMPO_SPANMETRICS } from './externalMetrics.ts';
import { barsPanel, logsPanel, lokiLogQuery, lokiMetricQuery, promQuery, statPanel, timeseriesPanel, tracesTablePanel, traceqlSearch, workshopDashboard } from './panels.ts';

export const SERVICE_OVERVIEW_UID = 'service-overview';

/** Template variable filtering the logs panel by level. */
export const LEVEL_VARIABLE = 'level';
/**
 * pino's instrumentation writes its level labels ("info", "warn", "error") as OTel severity text,
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

/** p95 of the service's server spans as Tempo's metrics generator measured them; carries exemplars. */
export const spanMetricsServerP95 =
  `histogram_quantile(0.95, sum by (le) (rate(${TEMPO_SPANMETRICS.latency}_bucket{${TEMPO_LABEL_SERVICE}="${names.SERVICE_NAME}", ` +
  `${TEMPO_LABEL_SPAN_KIND}="${TEMPO_SERVER_SPAN_KIND}"}[$__rate_interval])))`;

export function serviceOverview(): dashboard.Dashboard {
  const logSelector = `{${service}}`;
  return workshopDashboard('Service overview', SERVICE_OVERVIEW_UID, `RED metrics, logs and error traces of ${names.SERVICE_NAME}.`, [names.SERVICE_NAME])
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
        [promQuery('A', `sum by (${names.LABEL_HTTP_ROUTE}) (${rateOf(`${duration}_count`, service)})`, { legend: `{{${names.LABEL_HTTP_ROUTE}}}` })],
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
        'The service\'s gauge of users its background simulator pretends are active.',
        { x: 18, y: 0, w: 6, h: 8 },
        'short',
        [promQuery('A', `sum(${names.PROM_ACTIVE_SIMULATED_USERS}{${service}})`, { legend: 'active users' })],
      ),
    )
    .withPanel(
      timeseriesPanel(
        'Latency p50 / p95 / p99',
        'Server-side request duration quantiles from the service histogram, and p95 of the same server spans from Tempo span metrics. ' +
          "The exemplar dots (on the span-metrics series: ADOT JS attaches no exemplars to the service's own histogram) link to the trace of a sampled request.",
        { x: 0, y: 8, w: 12, h: 8 },
        's',
        [
          promQuery('A', serverLatencyQuantile(0.5), { legend: 'p50' }),
          promQuery('B', serverLatencyQuantile(0.95), { legend: 'p95' }),
          promQuery('C', serverLatencyQuantile(0.99), { legend: 'p99' }),
          promQuery('D', spanMetricsServerP95, { legend: 'p95 (Tempo span metrics, exemplars)', exemplar: true }),
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
          promQuery('A', `sum by (${names.LABEL_HTTP_RESPONSE_STATUS_CLASS}) (${rateOf(names.PROM_REQUEST_COUNT, service)})`, {
            legend: `{{${names.LABEL_HTTP_RESPONSE_STATUS_CLASS}}}`,
          }),
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
        [lokiMetricQuery('A', `sum by (${SEVERITY_FIELD}) (count_over_time(${logSelector}[$__auto]))`, `{{${SEVERITY_FIELD}}}`)],
      ),
    )
    .withPanel(
      tracesTablePanel(
        'Recent error traces',
        'Traces with a span in error status. Click a trace id to open it; from a span, "Logs for this span" jumps to Loki.',
        { x: 12, y: 16, w: 12, h: 8 },
        traceqlSearch('A', `{ resource.service.name = "${names.SERVICE_NAME}" && status = error }`, 20),
      ),
    )
    .withPanel(
      logsPanel(
        'Logs',
        'Log records of the service, filtered by the level variable. Open a record: its trace_id links to the trace in Tempo.',
        { x: 0, y: 24, w: 24, h: 12 },
        lokiLogQuery('A', `${logSelector} | ${SEVERITY_FIELD}=~"(?i)$${LEVEL_VARIABLE}"`, 500),
      ),
    )
    .build();
}

/**
 * Load test: what k6 measured (client side) next to what the service measured (server side) over
 * the same minutes. A gap between the two is the network, the client or a queue in between.
 */
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { BOARDS } from '../../kit/boards.ts';
import * as names from '../../kit/names/service.ts';
import { PROMETHEUS } from '../../kit/datasources.ts';
import { K6, K6_LABEL_RUN_ID } from '../../kit/names/external.ts';
import { promQuery, statPanel, timeseriesPanel, workshopDashboard } from './panels.ts';
import { serverErrorShare, serverLatencyQuantile, serverRequestRate } from './serviceOverview.ts';

export const LOAD_TEST_UID = BOARDS.loadTest.uid;
export const RUN_ID_VARIABLE = K6_LABEL_RUN_ID;
/** "All" runs: also matches series without the label, so the panels work for untagged runs too. */
const ALL_RUNS = '.*';

const run = `${K6_LABEL_RUN_ID}=~"$${RUN_ID_VARIABLE}"`;
const k6Rate = (series: string, extra = '') => `rate(${series}{${run}${extra}}[$__rate_interval])`;
type K6RateMetric = { occurred: string; total: string };
/**
 * Share of a k6 Rate metric's samples that occurred (nonzero); 0 rather than no data when none
 * did: k6 creates the `occurred` counter only at the first such sample.
 */
const k6OccurredShare = (m: K6RateMetric) => `(sum(${k6Rate(m.occurred)}) or vector(0)) / sum(${k6Rate(m.total)})`;
/** Share that did not occur (for checks: the failed ones). */
const k6NotOccurredShare = (m: K6RateMetric) => `1 - ${k6OccurredShare(m)}`;

export function loadTest(): dashboard.Dashboard {
  return workshopDashboard(
    BOARDS.loadTest.title,
    LOAD_TEST_UID,
    `k6's own metrics (OpenTelemetry output) beside ${names.SERVICE_NAME}'s view of the same minutes.`,
    ['k6'],
  )
    .withVariable(
      new dashboard.QueryVariableBuilder(RUN_ID_VARIABLE)
        .label('k6 run')
        .description('The run_id tag k6 puts on every metric of a run (RUN_ID or a generated id).')
        .datasource(PROMETHEUS)
        .query({
          qryType: 1,
          query: `label_values(${K6.httpReqs}, ${K6_LABEL_RUN_ID})`,
          refId: 'PrometheusVariableQueryEditor-VariableQuery',
        })
        .definition(`label_values(${K6.httpReqs}, ${K6_LABEL_RUN_ID})`)
        .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
        .sort(dashboard.VariableSort.AlphabeticalDesc)
        .includeAll(true)
        .allValue(ALL_RUNS)
        .current({ text: 'All', value: '$__all', selected: true }),
    )
    .withPanel(
      // Not filtered by run: k6's engine emits vus itself, without the per-VU run_id tag.
      statPanel(
        'Virtual users',
        "VUs k6 is running right now (all runs: the engine's vus metric carries no run_id).",
        { x: 0, y: 0, w: 6, h: 8 },
        'short',
        [promQuery('A', `sum(${K6.vus})`, { legend: 'VUs' })],
      ),
    )
    .withPanel(
      timeseriesPanel(
        'Requests per second: k6 sent vs service handled',
        'k6 http_reqs beside the server histogram count. The service counts every client, not only this run.',
        { x: 6, y: 0, w: 18, h: 8 },
        'reqps',
        [
          promQuery('A', `sum(${k6Rate(K6.httpReqs)})`, { legend: 'k6 sent' }),
          promQuery('B', serverRequestRate, { legend: 'service handled' }),
        ],
      ),
    )
    .withPanel(
      timeseriesPanel(
        'Latency p95: k6 vs service',
        'Client-side http_req_duration p95 (includes the network and k6 itself) against the server-side p95.',
        { x: 0, y: 8, w: 12, h: 8 },
        'ms',
        [
          promQuery('A', `histogram_quantile(0.95, sum by (le) (${k6Rate(`${K6.httpReqDuration}_bucket`)}))`, {
            legend: 'k6 p95',
          }),
          promQuery('B', `1000 * ${serverLatencyQuantile(0.95)}`, { legend: 'service p95' }),
        ],
      ),
    )
    .withPanel(
      timeseriesPanel(
        'Failures: k6 failed requests, failed checks, service 5xx',
        'http_req_failed and checks are k6 Rate metrics; /crash requests count as failed requests but pass their checks.',
        { x: 12, y: 8, w: 12, h: 8 },
        'percentunit',
        [
          promQuery('A', k6OccurredShare(K6.httpReqFailed), { legend: 'k6 failed requests' }),
          promQuery('B', k6NotOccurredShare(K6.checks), { legend: 'k6 failed checks' }),
          promQuery('C', serverErrorShare, { legend: 'service 5xx' }),
        ],
      ).min(0),
    )
    .withPanel(
      timeseriesPanel(
        'Iterations per second',
        'Completed k6 iterations (one flow each).',
        { x: 0, y: 16, w: 12, h: 8 },
        'ops',
        [promQuery('A', `sum(${k6Rate(K6.iterations)})`, { legend: 'iterations / s' })],
      ),
    )
    .withPanel(
      timeseriesPanel(
        'k6 requests by route name',
        'k6 http_reqs per fixed name tag (parameterised URLs share one name).',
        { x: 12, y: 16, w: 12, h: 8 },
        'reqps',
        [promQuery('A', `sum by (name) (${k6Rate(K6.httpReqs)})`, { legend: '{{name}}' })],
      ),
    )
    .build();
}

/**
 * AWS inventory: what the inventory component counted (resources by kind, state, type and
 * region), how its collections go (errors by kind, retries, duration, staleness) and the newest
 * cycles' traces. Names come from inventory/src/names.ts, so a renamed metric breaks this build.
 */
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { BOARDS } from '../../kit/boards.ts';
import * as inv from '../../kit/names/inventory.ts';
import { LABEL_SERVICE_NAME } from '../../kit/names/service.ts';
import {
  barsPanel,
  jaegerSearch,
  logsPanel,
  lokiLogQuery,
  promQuery,
  statPanel,
  timeseriesPanel,
  tracesTablePanel,
  workshopDashboard,
} from './panels.ts';

export const AWS_INVENTORY_UID = BOARDS.awsInventory.uid;

const resources = `${inv.PROM_RESOURCES}{${LABEL_SERVICE_NAME}="${inv.SERVICE_NAME}"}`;
const rateOf = (series: string) => `rate(${series}{${LABEL_SERVICE_NAME}="${inv.SERVICE_NAME}"}[$__rate_interval])`;

export function awsInventory(): dashboard.Dashboard {
  return workshopDashboard(
    BOARDS.awsInventory.title,
    AWS_INVENTORY_UID,
    "The AWS inventory's counts of the account's resources (moto locally), its collection errors and retries, and its cycle traces.",
    ['aws', inv.SERVICE_NAME],
  )
    .withPanel(
      statPanel(
        'Resources',
        'Every resource counted by the newest successful collection of each collector.',
        { x: 0, y: 0, w: 4, h: 8 },
        'short',
        [promQuery('A', `sum(${resources})`, { instant: true })],
      ),
    )
    .withPanel(
      barsPanel(
        'Resources by kind',
        'Resources per kind (EC2 instance, EBS volume, RDS instance, S3 bucket, Lambda function, load balancer, VPC).',
        { x: 4, y: 0, w: 10, h: 8 },
        'short',
        [promQuery('A', `sum by (${inv.ATTR_KIND}) (${resources})`, { legend: `{{${inv.ATTR_KIND}}}` })],
      ),
    )
    .withPanel(
      timeseriesPanel(
        'Resources by region',
        'Resources per region; S3 buckets count in their own region.',
        { x: 14, y: 0, w: 10, h: 8 },
        'short',
        [promQuery('A', `sum by (${inv.ATTR_REGION}) (${resources})`, { legend: `{{${inv.ATTR_REGION}}}` })],
      ),
    )
    .withPanel(
      timeseriesPanel(
        'Resources by kind and state',
        'Running against stopped instances, in-use against available volumes, ... A state that should not be there (a stopped fleet, a failed function) shows up here first.',
        { x: 0, y: 8, w: 12, h: 8 },
        'short',
        [
          promQuery('A', `sum by (${inv.ATTR_KIND}, ${inv.ATTR_STATE}) (${resources})`, {
            legend: `{{${inv.ATTR_KIND}}} {{${inv.ATTR_STATE}}}`,
          }),
        ],
      ),
    )
    .withPanel(
      timeseriesPanel(
        'Collection errors by kind',
        "Failed AWS calls per second, by error kind: throttling and network errors are retried with backoff; credentials and access errors mark the collector failed; bad_response is an answer that could not be used (cut short, not in AWS's shape, over maxResponseBytes, or an empty success); circuit_open counts calls refused while a service and region rest.",
        { x: 12, y: 8, w: 12, h: 8 },
        'ops',
        [
          promQuery('A', `sum by (${inv.ATTR_ERROR_KIND}) (${rateOf(inv.PROM_COLLECTION_ERRORS)})`, {
            legend: `{{${inv.ATTR_ERROR_KIND}}}`,
          }),
        ],
      ),
    )
    .withPanel(
      timeseriesPanel(
        'Retries by collector',
        'AWS calls retried per second after a retryable error, per collector.',
        { x: 0, y: 16, w: 8, h: 8 },
        'ops',
        [
          promQuery('A', `sum by (${inv.ATTR_COLLECTOR}) (${rateOf(inv.PROM_RETRIES)})`, {
            legend: `{{${inv.ATTR_COLLECTOR}}}`,
          }),
        ],
      ),
    )
    .withPanel(
      timeseriesPanel(
        'Collection duration p95',
        'How long one collector takes for one region, retries and backoff included (p95).',
        { x: 8, y: 16, w: 8, h: 8 },
        's',
        [
          promQuery(
            'A',
            `histogram_quantile(0.95, sum by (le, ${inv.ATTR_COLLECTOR}) (${rateOf(`${inv.PROM_COLLECTION_DURATION}_bucket`)}))`,
            {
              legend: `{{${inv.ATTR_COLLECTOR}}}`,
            },
          ),
        ],
      ),
    )
    .withPanel(
      timeseriesPanel(
        'Seconds since last success',
        'Age of each collector\u2019s newest successful collection, per region. It climbs while a collector fails; its counts above are then that old.',
        { x: 16, y: 16, w: 8, h: 8 },
        's',
        [
          promQuery(
            'A',
            `time() - max by (${inv.ATTR_COLLECTOR}, ${inv.ATTR_REGION}) (${inv.PROM_LAST_SUCCESS}{${LABEL_SERVICE_NAME}="${inv.SERVICE_NAME}"})`,
            {
              legend: `{{${inv.ATTR_COLLECTOR}}} {{${inv.ATTR_REGION}}}`,
            },
          ),
        ],
      ),
    )
    .withPanel(
      tracesTablePanel(
        'Newest collection cycles',
        'Jaeger search: the newest cycles, one trace each (a span per region, and under it one span per AWS call from ADOT\u2019s aws-sdk instrumentation). Open one to see retries as repeated calls.',
        { x: 0, y: 24, w: 12, h: 10 },
        jaegerSearch('A', { service: inv.SERVICE_NAME, operation: inv.SPAN_CYCLE, limit: 20 }),
      ),
    )
    .withPanel(
      logsPanel(
        'Inventory logs',
        'Collections finished and failed, with counts and error kinds. Open a record: its trace_id links to the cycle in Jaeger.',
        { x: 12, y: 24, w: 12, h: 10 },
        lokiLogQuery('A', `{${LABEL_SERVICE_NAME}="${inv.SERVICE_NAME}"}`, 200),
      ),
    )
    .build();
}

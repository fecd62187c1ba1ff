/**
 * Pipeline health: the collector's own telemetry, so an attendee can watch spans, metric points
 * and log records flow in (receivers) and out (exporters), and see a backend outage as failed
 * sends and a growing queue.
 */
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { BOARDS } from '../../kit/boards.ts';
import { COLLECTOR, SIGNALS, type Signal } from '../../kit/names/external.ts';
import { promQuery, timeseriesPanel, type Grid, workshopDashboard } from './panels.ts';
import { labAnnotations } from './serviceOverview.ts';

export const PIPELINE_HEALTH_UID = BOARDS.pipelineHealth.uid;

type PerSignal = Record<Signal, string>;

/** One query per signal, summed by component (receiver or exporter). */
function perSignalPanel(
  title: string,
  description: string,
  grid: Grid,
  series: PerSignal,
  by: 'receiver' | 'exporter',
) {
  return timeseriesPanel(
    title,
    description,
    grid,
    'short',
    SIGNALS.map(({ key, label }, i) =>
      promQuery(String.fromCharCode(65 + i), `sum by (${by}) (rate(${series[key]}[$__rate_interval]))`, {
        legend: `${label} {{${by}}}`,
      }),
    ),
  );
}

export function pipelineHealth(): dashboard.Dashboard {
  return workshopDashboard(
    BOARDS.pipelineHealth.title,
    PIPELINE_HEALTH_UID,
    "The ADOT collector's own metrics: what its receivers accept and its exporters send, per second.",
    ['collector'],
  )
    .annotations(labAnnotations())
    .withPanel(
      perSignalPanel(
        'Accepted by receivers',
        'Items per second pushed into the pipelines, per receiver.',
        { x: 0, y: 0, w: 12, h: 8 },
        COLLECTOR.receiverAccepted,
        'receiver',
      ),
    )
    .withPanel(
      perSignalPanel(
        'Refused by receivers',
        'Items per second a receiver could not push on (for example the memory limiter refusing data). Should stay at 0.',
        { x: 12, y: 0, w: 12, h: 8 },
        COLLECTOR.receiverRefused,
        'receiver',
      ),
    )
    .withPanel(
      perSignalPanel(
        'Sent by exporters',
        'Items per second each exporter delivered (Prometheus, Loki, Jaeger, debug, X-Ray in AWS mode).',
        { x: 0, y: 8, w: 12, h: 8 },
        COLLECTOR.exporterSent,
        'exporter',
      ),
    )
    .withPanel(
      perSignalPanel(
        'Failed sends by exporters',
        'Items per second in failed send attempts. Non-zero while a backend is down; the queue then retries them.',
        { x: 12, y: 8, w: 12, h: 8 },
        COLLECTOR.exporterSendFailed,
        'exporter',
      ),
    )
    .withPanel(
      timeseriesPanel(
        'Exporter queue: size and capacity',
        "Batches waiting in each exporter's sending queue, against its capacity. Grows while a backend is unreachable; data is dropped once it is full.",
        { x: 0, y: 16, w: 24, h: 8 },
        'short',
        [
          promQuery('A', `max by (exporter) (${COLLECTOR.exporterQueueSize})`, { legend: 'size {{exporter}}' }),
          promQuery('B', `max by (exporter) (${COLLECTOR.exporterQueueCapacity})`, { legend: 'capacity {{exporter}}' }),
        ],
      ),
    )
    .build();
}

import { metrics, ValueType, type Attributes } from '@opentelemetry/api';
import { ERROR_KINDS, RETRYABLE, type ErrorKind } from './errors';
import * as names from '../../kit/names/inventory';
import type { InventoryState } from './state';

export interface InventoryMetrics {
  errors(collector: string, region: string, kind: ErrorKind): void;
  retried(collector: string, region: string, kind: ErrorKind): void;
  duration(collector: string, region: string, seconds: number, ok: boolean): void;
}

/**
 * The inventory's instruments, through the API only (ADOT's preloaded SDK exports them). The
 * gauges read the state at each export, so they always show the newest completed collection.
 */
export function createMetrics(state: InventoryState): InventoryMetrics {
  const meter = metrics.getMeter(names.INSTRUMENTATION_SCOPE);
  meter
    .createObservableGauge(names.METRIC_RESOURCES, {
      description: 'AWS resources counted by the newest successful collection',
      unit: '{resource}',
      valueType: ValueType.INT,
    })
    .addCallback((result) => {
      for (const s of state.resourceSeries()) {
        result.observe(s.count, {
          [names.ATTR_KIND]: s.kind,
          [names.ATTR_STATE]: s.state,
          [names.ATTR_TYPE]: s.type,
          [names.ATTR_REGION]: s.region,
        });
      }
    });
  meter
    .createObservableGauge(names.METRIC_LAST_SUCCESS, {
      description: 'When each collector last succeeded, per region (Unix seconds)',
      unit: 's',
    })
    .addCallback((result) => {
      for (const s of state.collectorStatuses()) {
        if (s.lastSuccessAt)
          result.observe(Date.parse(s.lastSuccessAt) / 1000, {
            [names.ATTR_COLLECTOR]: s.collector,
            [names.ATTR_REGION]: s.region,
          });
      }
    });
  const errors = meter.createCounter(names.METRIC_COLLECTION_ERRORS, {
    description: 'Failed AWS calls and refused calls (open circuit), by error kind',
    valueType: ValueType.INT,
  });
  const retries = meter.createCounter(names.METRIC_RETRIES, {
    description: 'AWS calls retried after a retryable error',
    valueType: ValueType.INT,
  });
  const duration = meter.createHistogram(names.METRIC_COLLECTION_DURATION, {
    description: 'Time one collector took for one region, retries included',
    unit: 's',
    advice: { explicitBucketBoundaries: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] },
  });
  const labels = (collector: string, region: string, extra: Attributes = {}): Attributes => ({
    [names.ATTR_COLLECTOR]: collector,
    [names.ATTR_REGION]: region,
    ...extra,
  });
  // Every counter series starts at 0 (Prometheus practice): the error panels show 0, not "No data",
  // and the first failure is an increase that rate() can see.
  for (const { collector, region } of state.collectorStatuses()) {
    for (const kind of ERROR_KINDS) errors.add(0, labels(collector, region, { [names.ATTR_ERROR_KIND]: kind }));
    for (const kind of RETRYABLE) retries.add(0, labels(collector, region, { [names.ATTR_ERROR_KIND]: kind }));
  }
  return {
    errors: (collector, region, kind) => errors.add(1, labels(collector, region, { [names.ATTR_ERROR_KIND]: kind })),
    retried: (collector, region, kind) => retries.add(1, labels(collector, region, { [names.ATTR_ERROR_KIND]: kind })),
    duration: (collector, region, seconds, ok) =>
      duration.record(seconds, labels(collector, region, { [names.ATTR_OUTCOME]: ok ? 'ok' : 'failed' })),
  };
}

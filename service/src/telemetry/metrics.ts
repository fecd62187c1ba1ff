import { metrics, type Counter, type Meter } from '@opentelemetry/api';
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CLASS,
  ATTR_HTTP_ROUTE,
  ATTR_SCENARIO,
  INSTRUMENTATION_SCOPE,
  METRIC_SCENARIO_ACTIVE,
  METRIC_ACTIVE_SIMULATED_USERS,
  METRIC_ITEMS_CREATED,
  METRIC_REQUEST_COUNT,
} from '../../../kit/names/service';

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT']);

/** Semconv's rule for bounded cardinality: unknown methods collapse into `_OTHER`. */
export function normaliseMethod(method: string): string {
  const upper = method.toUpperCase();
  return KNOWN_METHODS.has(upper) ? upper : '_OTHER';
}

export function statusClass(statusCode: number): string {
  return `${Math.floor(statusCode / 100)}xx`;
}

export type RequestMetrics = {
  recordRequest(route: string, method: string, statusCode: number): void;
  recordItemCreated(): void;
};

// The meter is looked up when the app is built, not at import time: the metrics API has no
// proxy provider, so a meter taken before the SDK registers would stay a no-op forever.
function meter(): Meter {
  return metrics.getMeter(INSTRUMENTATION_SCOPE);
}

export function createRequestMetrics(): RequestMetrics {
  const m = meter();
  const requestCount: Counter = m.createCounter(METRIC_REQUEST_COUNT, {
    description: 'Completed HTTP requests by route, method and status class',
    unit: '{request}',
  });
  const itemsCreated: Counter = m.createCounter(METRIC_ITEMS_CREATED, {
    description: 'Items created through POST /items',
    unit: '{item}',
  });
  return {
    recordRequest(route, method, statusCode) {
      requestCount.add(1, {
        [ATTR_HTTP_ROUTE]: route,
        [ATTR_HTTP_REQUEST_METHOD]: normaliseMethod(method),
        [ATTR_HTTP_RESPONSE_STATUS_CLASS]: statusClass(statusCode),
      });
    },
    recordItemCreated() {
      itemsCreated.add(1);
    },
  };
}

/** Registers the gauge; returns a function that unregisters its callback. */
export function observeActiveSimulatedUsers(read: () => number): () => void {
  const gauge = meter().createObservableGauge(METRIC_ACTIVE_SIMULATED_USERS, {
    description: 'Users the background simulator pretends are active',
    unit: '{user}',
  });
  const callback = (result: { observe(value: number): void }) => result.observe(read());
  gauge.addCallback(callback);
  return () => gauge.removeCallback(callback);
}

/**
 * The scenario gauge: one series per scenario, 1 while on. The dashboards draw an annotation from
 * it when a scenario starts and stops; the alerts read it as context.
 */
export function observeScenarios(names: readonly string[], isOn: (name: string) => boolean): () => void {
  // No unit: the remote-write translation would turn a unit of "1" into a `_ratio` suffix.
  const gauge = meter().createObservableGauge(METRIC_SCENARIO_ACTIVE, {
    description: 'Lab scenario switched on (1) or off (0), from the flag file',
  });
  const callback = (result: { observe(value: number, attributes: Record<string, string>): void }) => {
    for (const name of names) result.observe(isOn(name) ? 1 : 0, { [ATTR_SCENARIO]: name });
  };
  gauge.addCallback(callback);
  return () => gauge.removeCallback(callback);
}

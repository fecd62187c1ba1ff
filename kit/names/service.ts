/**
 * The one place where metric names, attribute keys and the Prometheus series they become are
 * spelled. The dashboards import these constants, so renaming a metric breaks their build rather
 * than silently emptying a panel in the middle of a workshop.
 *
 * Prometheus names follow the collector's prometheusremotewrite translation: dots become
 * underscores, counters gain `_total`, and a unit of seconds adds `_seconds`.
 */

/** Meter / tracer / logger scope name used by the service's own instruments. */
export const INSTRUMENTATION_SCOPE = 'items-api';

// --- OTel metric names (what the service creates) ---
/** Counter: one per completed request, by route, method and status class. */
export const METRIC_REQUEST_COUNT = 'request_count';
/** Observable gauge: number of users the background simulator pretends are active. */
export const METRIC_ACTIVE_SIMULATED_USERS = 'active_simulated_users';
/** Counter: items successfully created through POST /items. */
export const METRIC_ITEMS_CREATED = 'items_created';
/** Observable gauge: 1 while a lab scenario is on, 0 while off, per scenario (dashboard annotations, alerts). */
export const METRIC_SCENARIO_ACTIVE = 'scenario.active';
/** Histogram emitted by the HTTP instrumentation under stable semconv (OTEL_SEMCONV_STABILITY_OPT_IN=http). */
export const METRIC_HTTP_SERVER_REQUEST_DURATION = 'http.server.request.duration';

// --- Attribute keys (OTel spelling) ---
export const ATTR_HTTP_ROUTE = 'http.route';
export const ATTR_HTTP_REQUEST_METHOD = 'http.request.method';
export const ATTR_HTTP_RESPONSE_STATUS_CODE = 'http.response.status_code';
/** e.g. "2xx", "4xx", "5xx": bounded, unlike the full status code on a custom counter. */
export const ATTR_HTTP_RESPONSE_STATUS_CLASS = 'http.response.status_class';
/** Span attribute copied from the W3C baggage entry `run_id` (never a metric attribute: cardinality). */
export const ATTR_LOADGEN_RUN_ID = 'loadgen.run_id';
/** Scenario name on the scenario gauge (kit/scenarios.ts owns the names). */
export const ATTR_SCENARIO = 'scenario';
/** Baggage key the load generator sets on every request. */
export const BAGGAGE_RUN_ID = 'run_id';

// --- Prometheus series names (what the dashboards query) ---
export const PROM_REQUEST_COUNT = 'request_count_total';
export const PROM_ACTIVE_SIMULATED_USERS = 'active_simulated_users';
export const PROM_ITEMS_CREATED = 'items_created_total';
export const PROM_SCENARIO_ACTIVE = 'scenario_active';
/** OpenFeature's MetricsHook counter of flag evaluations (label feature_flag_key). */
export const PROM_FEATURE_FLAG_EVALUATIONS = 'feature_flag_evaluation_requests_total';
/** Runtime metrics of the preloaded runtime-node instrumentation. */
export const PROM_HEAP_USED = 'v8js_memory_heap_used_bytes';
export const PROM_EVENT_LOOP_DELAY_P99 = 'nodejs_eventloop_delay_p99_seconds';
/** Base name; the series are `_bucket`, `_sum` and `_count`. */
export const PROM_HTTP_SERVER_REQUEST_DURATION = 'http_server_request_duration_seconds';

// --- Prometheus label names (attribute keys with dots as underscores) ---
export const LABEL_HTTP_ROUTE = 'http_route';
export const LABEL_HTTP_REQUEST_METHOD = 'http_request_method';
export const LABEL_HTTP_RESPONSE_STATUS_CODE = 'http_response_status_code';
export const LABEL_HTTP_RESPONSE_STATUS_CLASS = 'http_response_status_class';
export const LABEL_SERVICE_NAME = 'service_name';
export const LABEL_SCENARIO = 'scenario';

// --- Log record field names (pino JSON and OTel log attributes) ---
export const LOG_MSG_REQUEST_COMPLETED = 'request completed';
export const LOG_FIELD_HTTP_ROUTE = 'http_route';
export const LOG_FIELD_HTTP_REQUEST_METHOD = 'http_request_method';
export const LOG_FIELD_HTTP_RESPONSE_STATUS_CODE = 'http_response_status_code';
export const LOG_FIELD_DURATION_MS = 'duration_ms';
export const LOG_FIELD_RUN_ID = 'run_id';
export const LOG_FIELD_TRACE_ID = 'trace_id';
export const LOG_FIELD_SPAN_ID = 'span_id';
export const LOG_FIELD_TRACE_FLAGS = 'trace_flags';
/** Instrumentation scope of the log records the preload's pino bridge sends (Loki's `scope_name`). */
export const LOG_BRIDGE_SCOPE = 'otel-kit/pino-bridge';
export const LOG_FIELD_XRAY_TRACE_ID = 'xray_trace_id';

// --- Resource identity shared with the collector, dashboards and compose ---
export const SERVICE_NAME = 'items-api';
export const SERVICE_NAMESPACE = 'otel-workshop';
export const DEPLOYMENT_ENVIRONMENT = 'workshop';

/** http_route value for requests that matched no route (404s): bounded, never the raw URL. */
export const ROUTE_UNMATCHED = 'unmatched';

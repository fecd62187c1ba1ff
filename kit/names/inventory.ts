/**
 * The one place where the inventory's metric names, attribute keys and the Prometheus series
 * they become are spelled. The dashboards and the e2e import these constants, so renaming a
 * metric breaks their build rather than emptying a panel.
 *
 * Prometheus names follow the collector's prometheusremotewrite translation (as in
 * kit/names/service.ts): counters gain `_total`, a unit of seconds adds `_seconds`.
 */

/** Meter and tracer scope, and the service.name the inventory reports (inventory/otel.env). */
export const INSTRUMENTATION_SCOPE = 'aws-inventory';
export const SERVICE_NAME = 'aws-inventory';

// --- OTel metric names ---
/** Observable gauge: resources counted in the newest successful collection, by kind, state, type and region. */
export const METRIC_RESOURCES = 'aws_resources';
/** Counter: failed AWS calls and failed collections, by collector, region and error kind. */
export const METRIC_COLLECTION_ERRORS = 'inventory_collection_errors';
/** Histogram (s): how long one collector took for one region. */
export const METRIC_COLLECTION_DURATION = 'inventory_collection_duration';
/** Observable gauge (s since the epoch): when each collector last succeeded for a region. */
export const METRIC_LAST_SUCCESS = 'inventory_last_success_timestamp';
/** Counter: AWS calls retried after a retryable error (throttling, network, 5xx). */
export const METRIC_RETRIES = 'inventory_retries';

// --- Attribute keys (metric labels as they are) ---
export const ATTR_KIND = 'kind';
export const ATTR_STATE = 'state';
export const ATTR_TYPE = 'type';
export const ATTR_REGION = 'region';
export const ATTR_COLLECTOR = 'collector';
/** On the duration histogram: `ok` or `failed`. */
export const ATTR_OUTCOME = 'outcome';
/** On the error counter `kind` is the error's kind (throttling, credentials, ...), as the issue names it. */
export const ATTR_ERROR_KIND = 'kind';

// --- Span names and attributes ---
export const SPAN_CYCLE = 'inventory.cycle';
export const SPAN_COLLECT = 'inventory.collect';
export const SPAN_ATTR_COLLECTOR = 'inventory.collector';
export const SPAN_ATTR_REGION = 'inventory.region';
export const SPAN_ATTR_RESOURCE_COUNT = 'inventory.resource_count';
export const SPAN_ATTR_ERROR_KIND = 'inventory.error_kind';
export const SPAN_ATTR_ATTEMPT = 'inventory.attempt';

// --- Prometheus series names ---
export const PROM_RESOURCES = 'aws_resources';
export const PROM_COLLECTION_ERRORS = 'inventory_collection_errors_total';
/** Base name; the series are `_bucket`, `_sum` and `_count`. */
export const PROM_COLLECTION_DURATION = 'inventory_collection_duration_seconds';
export const PROM_LAST_SUCCESS = 'inventory_last_success_timestamp_seconds';
export const PROM_RETRIES = 'inventory_retries_total';

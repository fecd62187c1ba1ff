/**
 * Prometheus series that other programs emit: k6's OpenTelemetry output and the collector's own
 * telemetry. The service's names come from kit/names/service.ts instead.
 *
 * Every name here must appear in dashboards/known-metrics/*.txt (a test checks it). Those lists
 * were first written from documentation and are meant to be regenerated from a real run, so a
 * renamed series fails the unit tests rather than emptying a panel.
 */

/**
 * k6 1.1 `-o experimental-opentelemetry` with K6_OTEL_METRIC_PREFIX=k6_ (k6's own default prefix
 * is empty), translated by prometheusremotewrite: counters gain `_total`, histograms in ms gain
 * `_milliseconds`, and a Rate metric is two counters: `<name>.occurred` (samples that were
 * nonzero: a failed request, a passed check) and `<name>.total` (all samples). Recorded from a
 * real k6 1.1.0 run. k6 tags (name, method, status, scenario, check, run_id) become labels.
 */
export const K6 = {
  vus: 'k6_vus',
  vusMax: 'k6_vus_max',
  httpReqs: 'k6_http_reqs_total',
  httpReqDuration: 'k6_http_req_duration_milliseconds',
  httpReqFailed: { occurred: 'k6_http_req_failed_occurred_total', total: 'k6_http_req_failed_total' },
  checks: { occurred: 'k6_checks_occurred_total', total: 'k6_checks_total' },
  iterations: 'k6_iterations_total',
} as const;

/** k6 tag on every metric of a run (loadgen/main.ts sets it on each VU). */
export const K6_LABEL_RUN_ID = 'run_id';

/**
 * The collector's internal telemetry (Prometheus reader on :8888, scraped by Prometheus).
 * Since collector v0.120 counters carry `_total` (see open-telemetry/opentelemetry-collector#12458).
 * Names assume the reader does not append units: collector v0.130 has a known bug where a
 * configured Prometheus reader emits `otelcol_exporter_sent_spans__spans__total`; its documented
 * workaround is `without_units: true` on that reader. Unit-bearing metrics (memory, uptime) are
 * left out because their names depend on that setting.
 * Labels: `receiver` / `exporter` = the component id, e.g. "otlp" or "otlp/jaeger".
 */
export const COLLECTOR = {
  receiverAccepted: {
    spans: 'otelcol_receiver_accepted_spans_total',
    metricPoints: 'otelcol_receiver_accepted_metric_points_total',
    logRecords: 'otelcol_receiver_accepted_log_records_total',
  },
  receiverRefused: {
    spans: 'otelcol_receiver_refused_spans_total',
    metricPoints: 'otelcol_receiver_refused_metric_points_total',
    logRecords: 'otelcol_receiver_refused_log_records_total',
  },
  exporterSent: {
    spans: 'otelcol_exporter_sent_spans_total',
    metricPoints: 'otelcol_exporter_sent_metric_points_total',
    logRecords: 'otelcol_exporter_sent_log_records_total',
  },
  exporterSendFailed: {
    spans: 'otelcol_exporter_send_failed_spans_total',
    metricPoints: 'otelcol_exporter_send_failed_metric_points_total',
    logRecords: 'otelcol_exporter_send_failed_log_records_total',
  },
  exporterQueueSize: 'otelcol_exporter_queue_size',
  exporterQueueCapacity: 'otelcol_exporter_queue_capacity',
} as const;

export type Signal = 'spans' | 'metricPoints' | 'logRecords';
export const SIGNALS: readonly { key: Signal; label: string }[] = [
  { key: 'spans', label: 'spans' },
  { key: 'metricPoints', label: 'metric points' },
  { key: 'logRecords', label: 'log records' },
];

/**
 * Jaeger's spanmetrics connector (jaeger.yaml), scraped by Prometheus from jaeger:8889. Its latency
 * histogram (milliseconds) carries exemplars labelled `trace_id` for sampled spans, which the
 * service's own histogram does not: ADOT JS 0.13 attaches no exemplars (measured: Prometheus'
 * query_exemplars answers [] for http_server_request_duration_seconds_bucket after a load run).
 */
export const JAEGER_SPANMETRICS = {
  calls: 'traces_span_metrics_calls_total',
  duration: 'traces_span_metrics_duration_milliseconds',
} as const;
/** Span-metrics dimensions: the service is `service_name`, the kind `span_kind`. */
export const SPANMETRICS_LABEL_SERVICE = 'service_name';
export const SPANMETRICS_LABEL_SPAN_KIND = 'span_kind';
export const SPANMETRICS_LABEL_SPAN_NAME = 'span_name';
export const SPANMETRICS_SERVER_SPAN_KIND = 'SPAN_KIND_SERVER';
/** The exemplar label the spanmetrics connector writes the trace id under. */
export const SPANMETRICS_EXEMPLAR_TRACE_ID_LABEL = 'trace_id';

/** Prometheus's own series of its alerting rules (alerts/*.rules.yml): one per pending or firing alert. */
export const PROM_ALERTS = 'ALERTS';
export const PROM_ALERTS_LABEL_STATE = 'alertstate';

import { describe, expect, it } from 'vitest';
import { collectorTrouble, parseExposition, readCollector } from './collector-metrics.ts';

// The collector's own metrics as its Prometheus reader writes them (lines taken from the native stack's).
const scope = 'otel_scope_name="go.opentelemetry.io/collector/exporter/exporterhelper",otel_scope_schema_url=""';
const exposition = (o: { failedSpans?: number; queue?: number; acceptedSpans?: number; refusedLogs?: number }) =>
  [
    '# HELP otelcol_exporter_queue_size Current size of the retry queue (in batches). [Alpha]',
    '# TYPE otelcol_exporter_queue_size gauge',
    `otelcol_exporter_queue_size{data_type="traces",exporter="otlp/jaeger",${scope}} ${o.queue ?? 0}`,
    `otelcol_exporter_queue_capacity{data_type="traces",exporter="otlp/jaeger",${scope}} 1000`,
    `otelcol_exporter_send_failed_spans_total{exporter="otlp/jaeger",${scope}} ${o.failedSpans ?? 0}`,
    `otelcol_exporter_send_failed_spans_total{exporter="debug",${scope}} 0`,
    `otelcol_receiver_accepted_spans_total{receiver="otlp",transport="http"} ${o.acceptedSpans ?? 10}`,
    `otelcol_receiver_accepted_log_records_total{receiver="otlp",transport="http"} 5`,
    `otelcol_receiver_refused_log_records_total{receiver="otlp",transport="http"} ${o.refusedLogs ?? 0}`,
    'target_info{service_instance_id="fcdd",service_name="otelcol-kit",service_version="0.131.0"} 1',
  ].join('\n');

describe("the collector's own metrics", () => {
  it('parses names, labels (escapes included) and values; skips comments', () => {
    expect(parseExposition('# HELP x\nm{a="1",b="q\\"x"} 2.5\nplain 3')).toEqual([
      { name: 'm', labels: { a: '1', b: 'q"x' }, value: 2.5 },
      { name: 'plain', labels: {}, value: 3 },
    ]);
  });

  it('reads version, accepted and refused per signal, failures per exporter, queues with capacity', () => {
    const r = readCollector(exposition({ acceptedSpans: 7, queue: 3 }));
    expect(r.version).toBe('0.131.0');
    expect(r.accepted).toMatchObject({ spans: 7, 'log records': 5, 'metric points': 0 });
    expect(r.failed.spans).toEqual({ 'otlp/jaeger': 0, debug: 0 });
    expect(r.queue).toEqual({ 'otlp/jaeger (traces)': { size: 3, capacity: 1000 } });
  });

  it('names failed sends, refused records and a queue that grew; a steady queue is fine', () => {
    const before = readCollector(exposition({}));
    expect(collectorTrouble(before, readCollector(exposition({ queue: 1 })))).toEqual({ failed: [], queues: [] });
    expect(collectorTrouble(before, readCollector(exposition({ failedSpans: 12, refusedLogs: 2, queue: 9 })))).toEqual({
      failed: ['otlp/jaeger failed to send 12 spans', 'receivers refused 2 log records'],
      queues: ['otlp/jaeger (traces) queue 0 -> 9 of 1000'],
    });
  });
});

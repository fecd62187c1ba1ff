import { describe, expect, it } from 'vitest';
import { extractDerivedValue, interpolateSpanMacros, tracesToLogsQuery } from './links.ts';

const span = {
  traceId: '6752f3c1aabbccddeeff001122334455',
  spanId: '0011223344556677',
  name: 'GET /crash',
  tags: { 'service.name': 'items-api' },
};

describe('links rebuilt from the provisioning file', () => {
  it('a label matcher reads structured metadata, not the line', () => {
    const field = { name: 'TraceID', matcherType: 'label', matcherRegex: 'trace_id', datasourceUid: 'jaeger' };
    expect(extractDerivedValue(field, { trace_id: span.traceId }, 'boom')).toBe(span.traceId);
    expect(extractDerivedValue(field, { traceid: span.traceId }, `trace_id=${span.traceId}`)).toBeUndefined();
  });

  it('a regex matcher reads the line', () => {
    const field = { name: 'TraceID', matcherRegex: '"trace_id":"(\\w+)"', datasourceUid: 'jaeger' };
    expect(extractDerivedValue(field, {}, `{"trace_id":"${span.traceId}"}`)).toBe(span.traceId);
  });

  it('interpolates the span macros Grafana offers', () => {
    const q = interpolateSpanMacros(
      '{service_name="${__span.tags["service.name"]}"} | trace_id="${__trace.traceId}" | span_id="${__span.spanId}"',
      span,
    );
    expect(q).toBe(`{service_name="items-api"} | trace_id="${span.traceId}" | span_id="${span.spanId}"`);
  });

  it('a span tag the span lacks is an error (Grafana hides such a link), not an empty selector', () => {
    expect(() =>
      interpolateSpanMacros('{service_name="${__span.tags["service.name"]}"}', { ...span, tags: {} }),
    ).toThrow(/service\.name.*hide the link/);
  });

  it('without a custom query, tags become selectors and ids line filters', () => {
    const ds = [
      {
        name: 'Jaeger',
        uid: 'jaeger',
        type: 'jaeger',
        jsonData: {
          tracesToLogsV2: {
            datasourceUid: 'loki',
            tags: [{ key: 'service.name', value: 'service_name' }],
            filterByTraceId: true,
          },
        },
      },
    ];
    expect(tracesToLogsQuery(ds, 'jaeger', span)).toEqual({
      datasourceUid: 'loki',
      query: `{service_name="items-api"} |="${span.traceId}"`,
    });
    expect(() => tracesToLogsQuery(ds, 'tempo', span)).toThrow(/"tempo" has no tracesToLogsV2/);
  });
});

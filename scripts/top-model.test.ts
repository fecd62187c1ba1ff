import { describe, expect, it } from 'vitest';
import {
  collectorFrom,
  errorTracesFrom,
  fitColumns,
  inventoryFrom,
  k6From,
  PROM_QUERIES,
  renderView,
  routesFrom,
  type TopSnapshot,
} from './top-model.ts';
import { syntaxErrors } from '../dashboards/src/queryCheck.ts';

const v = (value: number, metric: Record<string, string> = {}) => ({
  metric,
  value: [0, String(value)] as [number, string],
});

describe('the queries', () => {
  it.each(Object.entries(PROM_QUERIES))('%s is valid PromQL', (_key, query) => {
    expect(syntaxErrors('promql', query)).toEqual([]);
  });
});

describe('reading the answers', () => {
  it('routes: rate, error share and latency in ms, busiest first', () => {
    const rows = routesFrom({
      rps: [v(2, { http_route: '/items' }), v(8, { http_route: '/items/:id' })],
      errorRps: [v(1, { http_route: '/items' })],
      p50: [v(0.004, { http_route: '/items' })],
      p95: [v(0.02, { http_route: '/items' }), v(Number.NaN, { http_route: '/items/:id' })],
      p99: [],
    });
    expect(rows).toEqual([
      { route: '/items/:id', rps: 8, errorPct: 0, p50Ms: null, p95Ms: null, p99Ms: null },
      { route: '/items', rps: 2, errorPct: 50, p50Ms: 4, p95Ms: 20, p99Ms: null },
    ]);
  });

  it('an error share never shows above 100 % (rate() extrapolates the two series apart)', () => {
    expect(
      routesFrom({ rps: [v(1, { http_route: '/crash' })], errorRps: [v(1.002, { http_route: '/crash' })] })[0]!
        .errorPct,
    ).toBe(100);
  });

  it('collector counts per signal, 0 for what Prometheus did not answer', () => {
    const c = collectorFrom({ accepted_spans: [v(10)], failed_logRecords: [v(1)], queued: [v(3)] });
    expect(c.spans).toEqual({ accepted: 10, refused: 0, failed: 0 });
    expect(c.logRecords.failed).toBe(1);
    expect(c.queued).toBe(3);
  });

  it('k6 only while a run sends metrics', () => {
    expect(k6From({ k6Rps: [v(0)] })).toBeNull();
    expect(k6From({ k6Rps: [v(50)], k6Failed: [v(1)], k6P95: [v(42)] })).toEqual({ rps: 50, failedPct: 2, p95Ms: 42 });
  });

  it('the inventory only while it sends metrics: resources, errors in the window, the oldest count', () => {
    expect(inventoryFrom({ inventoryResources: [] })).toBeNull();
    expect(
      inventoryFrom({ inventoryResources: [v(33)], inventoryErrors: [v(2.0001)], inventoryOldest: [v(12.4)] }),
    ).toEqual({
      resources: 33,
      errorsLastMinute: 2,
      oldestCountSeconds: 12,
    });
  });

  it('error traces: id, X-Ray form, route of the server span, age; newest first', () => {
    const now = 1_790_000_100_000;
    const trace = (id: string, ageS: number) => ({
      traceID: id,
      spans: [
        { startTime: (now - ageS * 1000) * 1000, tags: [{ key: 'span.kind', value: 'internal' }] },
        {
          startTime: (now - ageS * 1000) * 1000,
          tags: [
            { key: 'span.kind', value: 'server' },
            { key: 'http.route', value: '/crash' },
          ],
        },
      ],
    });
    const rows = errorTracesFrom([trace('6b0614f0' + 'a'.repeat(24), 30), trace('6b0614f0' + 'b'.repeat(24), 5)], now);
    expect(rows[0]).toEqual({
      traceId: '6b0614f0' + 'b'.repeat(24),
      xrayTraceId: `1-6b0614f0-${'b'.repeat(24)}`,
      route: '/crash',
      ageSeconds: 5,
    });
    expect(rows).toHaveLength(2);
  });
});

describe('the view', () => {
  const snapshot: TopSnapshot = {
    generatedAt: '2026-11-24T23:59:59.000Z',
    sources: {
      service: { url: 's', up: true },
      collector: { url: 'c', up: true },
      prometheus: { url: 'p', up: true },
      jaeger: { url: 'j', up: true },
      loki: { url: 'l', up: false, error: 'ECONNREFUSED' },
    },
    routes: [{ route: '/items', rps: 12.5, errorPct: 0, p50Ms: 3, p95Ms: 9.5, p99Ms: 14 }],
    errorTraces: [
      {
        traceId: '6b0614f0' + 'c'.repeat(24),
        xrayTraceId: `1-6b0614f0-${'c'.repeat(24)}`,
        route: '/crash',
        ageSeconds: 7,
      },
    ],
    logs: null,
    collector: {
      spans: { accepted: 20, refused: 0, failed: 0 },
      metricPoints: { accepted: 5, refused: 0, failed: 0 },
      logRecords: { accepted: 13, refused: 0, failed: 0 },
      queued: 0,
    },
    k6: null,
    inventory: { resources: 33, errorsLastMinute: 0, oldestCountSeconds: 9 },
  };

  it('shows health, routes, error traces ready to paste, and says what is down', () => {
    const text = renderView(snapshot, { width: 160, style: { color: false } });
    expect(text).toContain('loki DOWN');
    expect(text).toContain('/items');
    expect(text).toContain('12.5');
    expect(text).toContain(`1-6b0614f0-${'c'.repeat(24)}`);
    expect(text).toContain('Loki not reachable');
    expect(text).toContain('no load run sending metrics');
    expect(text).toContain('33 resources  0 errors (last 1m)  oldest count 9s old');
    expect(renderView({ ...snapshot, inventory: null }, { width: 160, style: { color: false } })).toContain(
      'AWS inventory (aws-inventory)\n  not sending metrics',
    );
    expect(text).not.toContain('\x1b[');
  });

  it('a narrow terminal drops columns instead of wrapping', () => {
    const text = renderView(snapshot, { width: 60, style: { color: false } });
    for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(60);
    expect(text).toContain('6b0614f0' + 'c'.repeat(24));
    expect(text).not.toContain('X-Ray id');
  });

  it('colour only when asked', () => {
    expect(renderView(snapshot, { width: 160, style: { color: true } })).toContain('\x1b[31mloki DOWN');
  });

  it('fitColumns keeps the most important columns', () => {
    const cols = [
      { title: 'a', width: 10, keep: 9, cell: () => '' },
      { title: 'b', width: 10, keep: 1, cell: () => '' },
      { title: 'c', width: 10, keep: 5, cell: () => '' },
    ];
    expect(fitColumns(cols, 25).map((c) => c.title)).toEqual(['a', 'c']);
    expect(fitColumns(cols, 5).map((c) => c.title)).toEqual(['a']);
  });
});

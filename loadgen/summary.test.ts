import { describe, expect, it } from 'vitest';
import { buildSummary, renderSummaryText } from './summary.ts';
import type { K6SummaryData } from './summary.ts';

const crashIds = ['6923cd1d' + '1'.repeat(24), '6923cd1d' + '2'.repeat(24), '6923cd1d' + '3'.repeat(24)];

function data(overrides: Partial<K6SummaryData> = {}): K6SummaryData {
  return {
    metrics: {
      http_reqs: { type: 'counter', values: { count: 25, rate: 5 } },
      'http_reqs{name:/items,method:GET}': {
        type: 'counter',
        values: { count: 3 },
        thresholds: { 'count>=0': { ok: true } },
      },
      'http_reqs{name:/items/{id},method:GET}': {
        type: 'counter',
        values: { count: 9 },
        thresholds: { 'count>=0': { ok: true } },
      },
      'http_reqs{name:/crash,method:GET}': {
        type: 'counter',
        values: { count: 2 },
        thresholds: { 'count>=0': { ok: true } },
      },
      http_req_failed: {
        type: 'rate',
        values: { rate: 0, passes: 0, fails: 25 },
        thresholds: { 'rate<0.01': { ok: true } },
      },
      'http_req_duration{expected_response:true}': {
        type: 'trend',
        values: { avg: 3.2, 'p(95)': 8.5, 'p(99)': 12, max: 20 },
        thresholds: { 'p(95)<500': { ok: true } },
      },
      checks: { type: 'rate', values: { rate: 1, passes: 26, fails: 0 }, thresholds: { 'rate>0.99': { ok: true } } },
      'loadgen_crash_traced{slot:0}': {
        type: 'counter',
        values: { count: 1 },
        thresholds: { 'count>=0': { ok: true } },
      },
      'loadgen_crash_traced{slot:1}': {
        type: 'counter',
        values: { count: 1 },
        thresholds: { 'count>=0': { ok: true } },
      },
      'loadgen_crash_traced{slot:2}': {
        type: 'counter',
        values: { count: 0 },
        thresholds: { 'count>=0': { ok: true } },
      },
    },
    root_group: {
      name: '',
      checks: [{ name: 'GET /crash answers 500 with our trace id', passes: 2, fails: 0 }],
      groups: [{ name: 'nested', checks: [{ name: 'GET /crash answers 500 with our trace id', passes: 1, fails: 1 }] }],
    },
    state: { testRunDurationMs: 4321.7 },
    setup_data: { runId: 'e2e-1', profile: 'counted', baseUrl: 'http://127.0.0.1:8080', crashTraceIds: crashIds },
    ...overrides,
  };
}

describe('buildSummary', () => {
  it('reports per-route counts, with 0 for routes k6 never called', () => {
    const summary = buildSummary(data());
    expect(summary.requests.byRoute).toEqual({
      'GET /items': 3,
      'GET /items/{id}': 9,
      'POST /items': 0,
      'GET /crash': 2,
      'GET /health': 0,
    });
    expect(summary.requests.total).toBe(25);
    expect(summary.runId).toBe('e2e-1');
  });

  it('counts iterations an arrival-rate scenario could not start (0 when k6 reports none)', () => {
    expect(buildSummary(data()).requests.droppedIterations).toBe(0);
    const overloaded = data();
    overloaded.metrics['dropped_iterations'] = { type: 'counter', values: { count: 17, rate: 0.5 } };
    expect(buildSummary(overloaded).requests.droppedIterations).toBe(17);
  });

  it('lists only the reserved /crash trace ids that were sent, with their X-Ray form', () => {
    expect(buildSummary(data()).crashTraces).toEqual([
      { traceId: crashIds[0], xrayTraceId: `1-6923cd1d-${'1'.repeat(24)}` },
      { traceId: crashIds[1], xrayTraceId: `1-6923cd1d-${'2'.repeat(24)}` },
    ]);
  });

  it('hides bookkeeping thresholds but counts them in the verdict', () => {
    const summary = buildSummary(data());
    expect(summary.thresholds.map((t) => t.expression)).toEqual(['rate<0.01', 'p(95)<500', 'rate>0.99']);
    expect(summary.thresholdsOk).toBe(true);
    const failing = data();
    failing.metrics['checks']!.thresholds = { 'rate>0.99': { ok: false } };
    expect(buildSummary(failing).thresholdsOk).toBe(false);
  });

  it('adds up checks of the same name across groups', () => {
    expect(buildSummary(data()).checks.byName).toEqual({
      'GET /crash answers 500 with our trace id': { passes: 3, fails: 1 },
    });
  });

  it('survives a run aborted in setup (no setup data)', () => {
    const summary = buildSummary(data({ setup_data: undefined }));
    expect(summary.runId).toBeNull();
    expect(summary.crashTraces).toEqual([]);
    expect(renderSummaryText(summary)).toContain('setup did not finish');
    expect(renderSummaryText(summary)).toContain('ABORTED before any traffic');
  });
});

describe('renderSummaryText', () => {
  it('prints the crash trace ids and where to paste them', () => {
    const text = renderSummaryText(buildSummary(data()));
    expect(text).toContain(`${crashIds[0]}   X-Ray: 1-6923cd1d-${'1'.repeat(24)}`);
    expect(text).toMatch(/Explore > Jaeger/);
    expect(text).toContain('all thresholds passed');
    expect(text).toContain('✗ GET /crash answers 500 with our trace id  (1 of 4 failed)');
  });
});

describe('many crash traces', () => {
  it('shows five on screen and points to the JSON for the rest', () => {
    const ids = Array.from({ length: 8 }, (_, i) => '6923cd1d' + String(i).repeat(24));
    const metrics: K6SummaryData['metrics'] = { ...data().metrics };
    ids.forEach(
      (_, slot) => (metrics[`loadgen_crash_traced{slot:${slot}}`] = { type: 'counter', values: { count: 1 } }),
    );
    const summary = buildSummary(
      data({ metrics, setup_data: { runId: 'r', profile: 'counted', baseUrl: 'u', crashTraceIds: ids } }),
    );
    expect(summary.crashTraces).toHaveLength(8);
    const text = renderSummaryText(summary);
    expect(text).toContain(ids[4]);
    expect(text).not.toContain(ids[5]);
    expect(text).toContain('… and 3 more in the SUMMARY_JSON file');
  });
});

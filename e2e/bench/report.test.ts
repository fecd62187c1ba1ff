import { describe, expect, it } from 'vitest';
import { goals, median, overheadUs, percentiles, renderTable, type BenchResults } from './report.ts';

function results(overrides: Partial<BenchResults> = {}): BenchResults {
  return {
    machine: { cpus: 2, memoryGiB: 24, node: '24.9.0' },
    p1: {
      rows: [
        { variant: 'bare', rps: 10_000, rounds: [10_000] },
        { variant: 'instrumented (npm start)', rps: 4_000, rounds: [4_000] },
      ],
      ratio: 0.4,
      overheadUs: 150,
      breakdownUs: { 'express spans': 60 },
    },
    p2: {
      traceToJaegerMs: { p50: 1200, p95: 1500, samples: 20 },
      logToDoorMs: { p50: 1800, p95: 2600, samples: 20 },
      backgroundRps: 100,
    },
    p4: {
      idleMiB: { jaeger: 100, prometheus: 200 },
      burstPeakMiB: { jaeger: 300, prometheus: 400 },
      idleTotalMiB: 300,
      burstTotalMiB: 700,
    },
    p5: {
      targetRps: 1000,
      achievedRps: 1000,
      droppedIterations: 0,
      p95Ms: 40,
      delivered: { spans: { sent: 30_000, got: 29_700 }, logs: { sent: 30_000, got: 30_000 } },
    },
    ...overrides,
  };
}

describe('benchmark arithmetic', () => {
  it('percentiles by rank, median of an even count', () => {
    expect(percentiles([5, 1, 4, 2, 3, 6, 7, 8, 9, 10])).toEqual({ p50: 5, p95: 10, samples: 10 });
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(Number.isNaN(median([]))).toBe(true);
  });

  it('per-request cost: the extra µs of the serving thread at saturation', () => {
    expect(overheadUs(4_000, 10_000)).toBeCloseTo(150);
    expect(overheadUs(10_000, 10_000)).toBe(0);
  });
});

describe('goals', () => {
  const byWhat = (r: BenchResults) => Object.fromEntries(goals(r).map((g) => [g.what, g]));

  it('says which goals are met and, for the others, by how much', () => {
    const g = byWhat(results());
    expect(g['throughput instrumented ÷ bare']).toMatchObject({ met: false, gap: '0.27 short' });
    expect(g['p95 request → trace in Jaeger']).toMatchObject({ met: true, gap: undefined });
    expect(g["p95 request → log record at Loki's door"]).toMatchObject({ met: false, gap: '0.60 s over' });
    expect(g['native stack RSS, idle (moto aside)']!.met).toBe(true);
    expect(g['telemetry delivered (lowest signal)']).toMatchObject({ measured: '99.0 %', met: false });
  });

  it('a full delivery and an achieved rate within 1 % meet P5', () => {
    const g = byWhat(
      results({
        p5: {
          targetRps: 1000,
          achievedRps: 995,
          droppedIterations: 0,
          p95Ms: 40,
          delivered: { spans: { sent: 10, got: 10 } },
        },
      }),
    );
    expect(g['k6 burst at 1000 rps: achieved rate']!.met).toBe(true);
    expect(g['telemetry delivered (lowest signal)']!.met).toBe(true);
  });

  it('renders every goal row with the machine it ran on', () => {
    const text = renderTable(results());
    expect(text).toContain('machine: 2 cores, 24 GiB, Node 24.9.0');
    expect(text.split('\n').filter((l) => /^P\d {2}/.test(l))).toHaveLength(goals(results()).length);
    expect(text).toContain('express spans 60');
  });
});

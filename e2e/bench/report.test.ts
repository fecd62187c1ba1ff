import { describe, expect, it } from 'vitest';
import {
  comparePeers,
  cpuUsFromProcStat,
  goals,
  median,
  percentiles,
  renderTable,
  roundOrder,
  type BenchResults,
} from './report.ts';

function results(overrides: Partial<BenchResults> = {}): BenchResults {
  return {
    machine: { cpus: 2, memoryGiB: 24, node: '24.9.0' },
    p1: {
      rows: [
        { variant: 'bare', rps: 10_000, rounds: [10_000], cpuUs: 100, cpuRounds: [100] },
        { variant: 'instrumented (npm start)', rps: 4_000, rounds: [4_000], cpuUs: 250, cpuRounds: [250] },
      ],
      ratio: 0.4,
      ceiling: 0.43,
      overheadUs: 150,
      breakdownUs: { 'express spans': 60 },
      peers: [{ variant: 'peer: ADOT zero-code register', ratio: 0.3, oursAheadRounds: 2, rounds: 3 }],
    },
    p2: {
      traceToJaegerMs: { p50: 500, p95: 900, samples: 20 },
      logToDoorMs: { p50: 900, p95: 1600, samples: 20 },
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
  it('each round runs every variant once, and no variant holds the same place in every round', () => {
    const variants = ['bare', 'ours', 'a', 'b', 'c', 'd', 'e', 'peer1', 'peer2'];
    const orders = [1, 2, 3].map((round) => roundOrder(variants, round, 3));
    for (const order of orders) expect([...order].sort()).toEqual([...variants].sort());
    expect(orders[0]).toEqual(variants);
    for (const v of variants) expect(new Set(orders.map((o) => o.indexOf(v))).size).toBe(3);
    // More rounds than variants wrap around; one variant is one order.
    expect(roundOrder(['x', 'y'], 3, 5)).toEqual(['x', 'y']);
    expect(roundOrder(['x', 'y'], 2, 5)).toEqual(['y', 'x']);
    expect(roundOrder(['only'], 4, 4)).toEqual(['only']);
  });

  it('percentiles by rank, median of an even count', () => {
    expect(percentiles([5, 1, 4, 2, 3, 6, 7, 8, 9, 10])).toEqual({ p50: 5, p95: 10, samples: 10 });
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(Number.isNaN(median([]))).toBe(true);
  });

  it("CPU time from /proc/<pid>/stat: utime + stime, after a command name with spaces and ')'", () => {
    const stat = '4242 (node (a) b) S 1 4242 4242 0 -1 4194560 900 0 0 0 250 50 0 0 20 0 11 0 100 0 0\n';
    expect(cpuUsFromProcStat(stat)).toBe(3_000_000);
  });

  it('ours against a peer on CPU per request within each round, not median against median', () => {
    const row = (variant: string, cpuRounds: number[]) => ({
      variant,
      rps: Number.NaN,
      rounds: [],
      cpuUs: median(cpuRounds),
      cpuRounds,
    });
    // Round 2 ran on a busier machine: every variant cost more, ours still less than the peer there.
    const [peer] = comparePeers(row('bare', [100, 200, 100]), row('ours', [250, 480, 250]), [
      row('peer', [300, 500, 240]),
    ]);
    expect(peer).toEqual({ variant: 'peer', ratio: 0.4, oursAheadRounds: 2, rounds: 3 });
  });
});

describe('goals', () => {
  const byWhat = (r: BenchResults) => Object.fromEntries(goals(r).map((g) => [g.what, g]));

  it('says which goals are met and, for the others, by how much', () => {
    const g = byWhat(results());
    expect(g['throughput instrumented ÷ bare (by CPU per request)']).toMatchObject({
      met: false,
      gap: '0.05 short (0.43 with no span recorded at all)',
    });
    expect(g['ahead of ADOT zero-code register (0.30)']).toMatchObject({
      measured: '2 of 3 rounds',
      met: false,
      gap: 'behind in 1',
    });
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

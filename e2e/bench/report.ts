// The benchmark's results, their goals, and the table `npm run bench` prints. Pure, so the goal
// verdicts and the arithmetic are unit-tested.

export interface Percentiles {
  p50: number;
  p95: number;
  samples: number;
}

export interface ThroughputRow {
  variant: string;
  /** Median requests per second over the rounds. */
  rps: number;
  rounds: number[];
}

export interface BenchResults {
  machine: { cpus: number; memoryGiB: number; node: string };
  p1: { rows: ThroughputRow[]; ratio: number; overheadUs: number; breakdownUs: Record<string, number> };
  p2: { traceToJaegerMs: Percentiles; logToDoorMs: Percentiles; backgroundRps: number };
  /**
   * Totals leave out moto: it stands in for the AWS X-Ray API (not part of the stack an attendee
   * runs) and keeps every segment it receives in memory. It is listed per process all the same.
   */
  p4: {
    idleMiB: Record<string, number>;
    burstPeakMiB: Record<string, number>;
    idleTotalMiB: number;
    burstTotalMiB: number;
  };
  p5: {
    targetRps: number;
    achievedRps: number;
    droppedIterations: number;
    p95Ms: number | null;
    delivered: Record<string, { sent: number; got: number }>;
  };
}

export function percentiles(values: number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) =>
    sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  return { p50: at(0.5), p95: at(0.95), samples: sorted.length };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Per-request cost of a variant over the bare service, in µs of the one thread Node serves
 * from: at saturation a request takes 1/rps seconds of it.
 */
export function overheadUs(rps: number, bareRps: number): number {
  return 1e6 / rps - 1e6 / bareRps;
}

export interface Goal {
  id: string;
  what: string;
  measured: string;
  goal: string;
  met: boolean;
  /** How far off, in the goal's own terms, when not met. */
  gap?: string;
}

export function goals(r: BenchResults): Goal[] {
  const delivered = Object.values(r.p5.delivered);
  const deliveredPct = delivered.length
    ? Math.min(...delivered.map((d) => (d.sent === 0 ? 100 : (100 * d.got) / d.sent)))
    : Number.NaN;
  const out: Goal[] = [
    {
      id: 'P1',
      what: 'throughput instrumented ÷ bare',
      measured: r.p1.ratio.toFixed(2),
      goal: '≥ 0.67',
      met: r.p1.ratio >= 0.67,
      gap: `${(0.67 - r.p1.ratio).toFixed(2)} short`,
    },
    {
      id: 'P2',
      what: 'p95 request → trace in Jaeger',
      measured: `${(r.p2.traceToJaegerMs.p95 / 1000).toFixed(2)} s`,
      goal: '≤ 2 s',
      met: r.p2.traceToJaegerMs.p95 <= 2000,
      gap: `${((r.p2.traceToJaegerMs.p95 - 2000) / 1000).toFixed(2)} s over`,
    },
    {
      id: 'P2',
      what: "p95 request → log record at Loki's door",
      measured: `${(r.p2.logToDoorMs.p95 / 1000).toFixed(2)} s`,
      goal: '≤ 2 s',
      met: r.p2.logToDoorMs.p95 <= 2000,
      gap: `${((r.p2.logToDoorMs.p95 - 2000) / 1000).toFixed(2)} s over`,
    },
    {
      id: 'P4',
      what: 'native stack RSS, idle (moto aside)',
      measured: `${r.p4.idleTotalMiB.toFixed(0)} MiB`,
      goal: '≤ 1024 MiB',
      met: r.p4.idleTotalMiB <= 1024,
      gap: `${(r.p4.idleTotalMiB - 1024).toFixed(0)} MiB over`,
    },
    {
      id: 'P4',
      what: 'native stack RSS, burst peak (moto aside)',
      measured: `${r.p4.burstTotalMiB.toFixed(0)} MiB`,
      goal: '≤ 1536 MiB',
      met: r.p4.burstTotalMiB <= 1536,
      gap: `${(r.p4.burstTotalMiB - 1536).toFixed(0)} MiB over`,
    },
    {
      id: 'P5',
      what: `k6 burst at ${r.p5.targetRps} rps: achieved rate`,
      measured: `${r.p5.achievedRps.toFixed(0)} rps`,
      goal: `${r.p5.targetRps} rps`,
      met: r.p5.achievedRps >= r.p5.targetRps * 0.99,
      gap: `${(r.p5.targetRps - r.p5.achievedRps).toFixed(0)} rps short`,
    },
    {
      id: 'P5',
      what: 'dropped iterations',
      measured: String(r.p5.droppedIterations),
      goal: '0',
      met: r.p5.droppedIterations === 0,
      gap: `${r.p5.droppedIterations} dropped`,
    },
    {
      id: 'P5',
      what: 'telemetry delivered (lowest signal)',
      measured: `${deliveredPct.toFixed(1)} %`,
      goal: '100 %',
      met: deliveredPct >= 100,
      gap: `${(100 - deliveredPct).toFixed(1)} points short`,
    },
  ];
  return out.map((g) => (g.met ? { ...g, gap: undefined } : g));
}

export function renderTable(r: BenchResults): string {
  const rows = goals(r);
  const width = (k: keyof Goal) => Math.max(...rows.map((g) => String(g[k] ?? '').length), k.length);
  const line = (cells: string[], widths: number[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  const widths = [width('id'), width('what'), width('measured'), width('goal'), 4, width('gap')];
  const out = [
    `machine: ${r.machine.cpus} cores, ${r.machine.memoryGiB.toFixed(0)} GiB, Node ${r.machine.node}`,
    line(['id', 'what', 'measured', 'goal', 'met', 'gap'], widths),
    ...rows.map((g) => line([g.id, g.what, g.measured, g.goal, g.met ? 'yes' : 'no', g.gap ?? ''], widths)),
    '',
    'P1 throughput of GET /items by variant (median rps; per-request cost over bare):',
    ...r.p1.rows.map(
      (row) =>
        `  ${row.variant.padEnd(34)} ${row.rps.toFixed(0).padStart(6)} rps  ${row.variant === 'bare' ? '' : `+${overheadUs(row.rps, r.p1.rows.find((x) => x.variant === 'bare')!.rps).toFixed(0)} µs`}`,
    ),
    `  where the instrumented cost goes (µs per request saved by turning one part off): ${Object.entries(
      r.p1.breakdownUs,
    )
      .map(([k, v]) => `${k} ${v.toFixed(0)}`)
      .join(', ')}`,
    `P2 under ${r.p2.backgroundRps} rps: trace p50 ${r.p2.traceToJaegerMs.p50} ms / p95 ${r.p2.traceToJaegerMs.p95} ms; log p50 ${r.p2.logToDoorMs.p50} ms / p95 ${r.p2.logToDoorMs.p95} ms (${r.p2.traceToJaegerMs.samples} probes)`,
    `P4 RSS idle: ${Object.entries(r.p4.idleMiB)
      .map(([k, v]) => `${k} ${v.toFixed(0)}`)
      .join(', ')} MiB; burst peak: ${Object.entries(r.p4.burstPeakMiB)
      .map(([k, v]) => `${k} ${v.toFixed(0)}`)
      .join(', ')} MiB`,
    `P5 delivered: ${Object.entries(r.p5.delivered)
      .map(([k, v]) => `${k} ${v.got} of ${v.sent}`)
      .join('; ')}; client p95 ${r.p5.p95Ms?.toFixed(1) ?? '?'} ms`,
  ];
  return out.join('\n');
}

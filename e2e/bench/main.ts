// `npm run bench`: what a workshop attendee feels, measured in one run on this machine and
// printed beside the goals (a benchmark, never a timed test). Writes the results as JSON too
// (BENCH_JSON, default bench-results.json in the working directory).
//   P1 throughput of GET /items instrumented ÷ bare, beside the two zero-code setups, and where the
//      per-request cost goes
//   P2 request → trace queryable in Jaeger, and → log record at Loki's door, under 100 rps
//   P4 resident memory of every process of the native stack, idle and during a burst
//   P5 a k6 burst aimed at 1,000 rps for 30 s with the whole stack on the same cores
// Knobs: BENCH_ROUNDS (P1 rounds, default 3), BENCH_SECONDS (P1 seconds per round, default 5),
// BENCH_RPS (P5 target, default 1000), BENCH_SKIP=p1,p5 (skip parts while iterating).
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startE2eStack } from '../harness.ts';
import { renderTable, type BenchResults } from './report.ts';
import { measureBurst, measureFreshness, stackRss } from './stack-measures.ts';
import { measureThroughput } from './throughput.ts';

const env = (name: string, fallback: number) => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  return n;
};

async function main(): Promise<void> {
  const skip = new Set((process.env.BENCH_SKIP ?? '').split(',').filter(Boolean));
  const log = (line: string) => console.error(`[bench] ${line}`);
  // moto stands in for the AWS X-Ray API and is no part of the stack an attendee runs (report.ts).
  const sum = (r: Record<string, number>) =>
    Object.entries(r).reduce((a, [name, mib]) => (name === 'moto' ? a : a + mib), 0);
  const empty = { p50: Number.NaN, p95: Number.NaN, samples: 0 };

  const p1 = skip.has('p1')
    ? {
        rows: [{ variant: 'bare', rps: Number.NaN, rounds: [], cpuUs: Number.NaN, cpuRounds: [] }],
        ratio: Number.NaN,
        ceiling: Number.NaN,
        overheadUs: Number.NaN,
        breakdownUs: {},
        peers: [],
      }
    : await measureThroughput({ rounds: env('BENCH_ROUNDS', 3), seconds: env('BENCH_SECONDS', 5), log });

  const stack = await startE2eStack();
  let results: BenchResults;
  try {
    await new Promise((r) => setTimeout(r, 10_000)); // settle: first scrapes, JIT, connection pools
    const idle = stackRss(stack);
    const p2 = skip.has('p2')
      ? { traceToJaegerMs: empty, logToDoorMs: empty, backgroundRps: 100 }
      : await measureFreshness(stack, { backgroundRps: 100, probes: 20, log });
    const burst = skip.has('p5')
      ? {
          p5: {
            targetRps: env('BENCH_RPS', 1000),
            achievedRps: Number.NaN,
            droppedIterations: Number.NaN,
            p95Ms: null,
            delivered: {},
          },
          peakMiB: idle,
        }
      : await measureBurst(stack, { targetRps: env('BENCH_RPS', 1000), seconds: 30, log });
    results = {
      machine: { cpus: os.cpus().length, memoryGiB: os.totalmem() / 2 ** 30, node: process.versions.node },
      p1,
      p2,
      p4: { idleMiB: idle, burstPeakMiB: burst.peakMiB, idleTotalMiB: sum(idle), burstTotalMiB: sum(burst.peakMiB) },
      p5: burst.p5,
    };
  } finally {
    await stack.stop();
  }
  const file = path.resolve(process.env.BENCH_JSON ?? 'bench-results.json');
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  console.log(renderTable(results));
  console.log(`\nresults: ${file}`);
}

main().catch((error: unknown) => {
  console.error(`bench: ${(error as Error).message}`);
  process.exitCode = 1;
});

// P1: saturation throughput of GET /items, the service bare (no preload) against the service as
// `npm start` runs it, with one part turned off at a time, and under the two zero-code setups a
// user would pick instead of ours, in interleaved rounds so drift on the machine hits every variant
// alike. Telemetry goes to a local OTLP sink that answers at once.
// Each variant's cost is the service process's CPU time per request (user + system, all threads,
// from /proc), besides its requests per second: at saturation a request costs its CPU time, and
// CPU time does not change with what else the machine runs, where requests per second do (on a
// shared 2-core machine they moved by 2x between rounds of one run).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import autocannon from 'autocannon';
import { REPO_ROOT, SERVICE_ENTRY } from '../../kit/layout.ts';
import { comparePeers, cpuUsFromProcStat, median, roundOrder, type ThroughputRow } from './report.ts';
import { freePort } from '../../kit/testing/processes.ts';

interface Variant {
  name: string;
  /** bare: no telemetry; ours: `npm start`; part: ours with one part off; peer: a zero-code setup. */
  kind: 'bare' | 'ours' | 'part' | 'peer';
  /** node arguments; undefined = npm start's */
  args?: string[];
  env: Record<string, string>;
}

const startArgs = (
  JSON.parse(readFileSync(`${REPO_ROOT}/package.json`, 'utf8')) as { scripts: { start: string } }
).scripts.start
  .split(/\s+/)
  .slice(1);
/** The instrumentations the service enables (service/otel.env owns the list). */
const ALL_INSTRUMENTATIONS =
  /^OTEL_NODE_ENABLED_INSTRUMENTATIONS=(.*)$/m
    .exec(readFileSync(`${REPO_ROOT}/service/otel.env`, 'utf8'))?.[1]
    ?.trim() ?? '';
if (!ALL_INSTRUMENTATIONS) throw new Error('service/otel.env sets no OTEL_NODE_ENABLED_INSTRUMENTATIONS');
/**
 * The zero-code setups send logs the only way they can, through the pino instrumentation (ours
 * turns it off: the preload's bridge sends the records).
 */
const PEER_INSTRUMENTATIONS = `${ALL_INSTRUMENTATIONS},pino`;
const without = (name: string) =>
  ALL_INSTRUMENTATIONS.split(',')
    .filter((i) => i !== name)
    .join(',');

/** The service as `npm start` runs it. */
const OURS = 'instrumented (npm start)';
/**
 * Ours with every span dropped by the sampler, everything else on: the HTTP and Express
 * instrumentations still run for every request (context, propagation, attributes, the duration
 * histogram) and the metrics and log records still go out. No setup built on ADOT's HTTP
 * instrumentation, with the same metrics and logs, can be cheaper, so its ratio is the ceiling for P1.
 */
export const NO_SPANS = 'without span recording';

export const VARIANTS: Variant[] = [
  { name: 'bare', kind: 'bare', args: [SERVICE_ENTRY], env: {} },
  { name: OURS, kind: 'ours', env: {} },
  { name: 'without traces export', kind: 'part', env: { OTEL_TRACES_EXPORTER: 'none' } },
  { name: 'without logs export', kind: 'part', env: { OTEL_LOGS_EXPORTER: 'none' } },
  { name: 'without metrics export', kind: 'part', env: { OTEL_METRICS_EXPORTER: 'none' } },
  { name: NO_SPANS, kind: 'part', env: { OTEL_TRACES_SAMPLER: 'always_off' } },
  // No server span, so no route naming either: what ADOT's HTTP instrumentation costs as a whole.
  {
    name: 'without HTTP instrumentation',
    kind: 'part',
    env: { OTEL_NODE_ENABLED_INSTRUMENTATIONS: without('http') },
  },
  // Layer spans are already off (express-layers.ts); this removes the instrumentation that names routes.
  {
    name: 'without express instrumentation',
    kind: 'part',
    env: { OTEL_NODE_ENABLED_INSTRUMENTATIONS: without('express') },
  },
  {
    name: 'without runtime-node metrics',
    kind: 'part',
    env: { OTEL_NODE_ENABLED_INSTRUMENTATIONS: without('runtime-node') },
  },
  // The peers: the same compiled service and the same service/otel.env (every signal exported over
  // OTLP/HTTP, the same batch and queue settings, the same instrumentations plus pino for their
  // logs), only the preload differs.
  {
    name: 'peer: ADOT zero-code register',
    kind: 'peer',
    args: ['--require', '@aws/aws-distro-opentelemetry-node-autoinstrumentation/register', SERVICE_ENTRY],
    env: { OTEL_NODE_ENABLED_INSTRUMENTATIONS: PEER_INSTRUMENTATIONS },
  },
  {
    name: 'peer: upstream zero-code register',
    kind: 'peer',
    args: ['--require', '@opentelemetry/auto-instrumentations-node/register', SERVICE_ENTRY],
    env: { OTEL_NODE_ENABLED_INSTRUMENTATIONS: PEER_INSTRUMENTATIONS },
  },
];

/** An OTLP/HTTP endpoint that reads each export and answers 200 at once: the cost under test is the service's. */
async function startSink(): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** CPU time a process has used so far, µs. */
function cpuTimeUs(pid: number): number {
  return cpuUsFromProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
}

async function measure(
  variant: Variant,
  sinkUrl: string,
  seconds: number,
): Promise<{ rps: number; cpuUsPerRequest: number }> {
  const port = await freePort();
  const child = spawn(process.execPath, variant.args ? ['--env-file=service/otel.env', ...variant.args] : startArgs, {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      ...variant.env,
      HOST: '127.0.0.1',
      PORT: String(port),
      OTEL_EXPORTER_OTLP_ENDPOINT: sinkUrl,
      STORE_LATENCY_MS: '0',
      STORE_LATENCY_JITTER_MS: '0',
    },
    stdio: 'ignore',
  });
  try {
    const url = `http://127.0.0.1:${port}/items?limit=10`;
    for (let i = 0; i < 100; i++) {
      try {
        if ((await fetch(`http://127.0.0.1:${port}/health`)).ok) break;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    await autocannon({ url, connections: 32, duration: 1 }); // warm-up: JIT, pools
    const cpuBefore = cpuTimeUs(child.pid!);
    const result = await autocannon({ url, connections: 32, duration: seconds });
    const cpuUs = cpuTimeUs(child.pid!) - cpuBefore;
    if (result.non2xx > 0 || result.errors > 0)
      throw new Error(`${variant.name}: ${result.non2xx} non-2xx, ${result.errors} errors`);
    return { rps: result.requests.average, cpuUsPerRequest: cpuUs / result.requests.total };
  } finally {
    child.kill('SIGKILL');
  }
}

export async function measureThroughput(opts: { rounds: number; seconds: number; log: (line: string) => void }) {
  const sink = await startSink();
  const rounds = new Map<string, number[]>(VARIANTS.map((v) => [v.name, []]));
  const cpuRounds = new Map<string, number[]>(VARIANTS.map((v) => [v.name, []]));
  try {
    for (let round = 1; round <= opts.rounds; round++) {
      for (const variant of roundOrder(VARIANTS, round, opts.rounds)) {
        const { rps, cpuUsPerRequest } = await measure(variant, sink.url, opts.seconds);
        rounds.get(variant.name)!.push(rps);
        cpuRounds.get(variant.name)!.push(cpuUsPerRequest);
        opts.log(
          `P1 round ${round}: ${variant.name} ${rps.toFixed(0)} rps, ${cpuUsPerRequest.toFixed(0)} µs CPU a request`,
        );
      }
    }
  } finally {
    sink.server.close();
  }
  const rows: ThroughputRow[] = VARIANTS.map((v) => ({
    variant: v.name,
    rps: median(rounds.get(v.name)!),
    rounds: rounds.get(v.name)!,
    cpuUs: median(cpuRounds.get(v.name)!),
    cpuRounds: cpuRounds.get(v.name)!,
  }));
  const rowOf = (kind: Variant['kind']) => rows.filter((_, i) => VARIANTS[i]!.kind === kind);
  const bare = rowOf('bare')[0]!;
  const ours = rowOf('ours')[0]!;
  const fullOverhead = ours.cpuUs - bare.cpuUs;
  const breakdownUs = Object.fromEntries(
    rowOf('part').map((row) => [row.variant.replace(/^without /, ''), ours.cpuUs - row.cpuUs]),
  );
  return {
    rows,
    // At saturation throughput is the inverse of a request's cost: bare's CPU ÷ ours is ours ÷ bare in rps.
    ratio: bare.cpuUs / ours.cpuUs,
    ceiling: bare.cpuUs / (rows.find((row) => row.variant === NO_SPANS)?.cpuUs ?? Number.NaN),
    overheadUs: fullOverhead,
    breakdownUs,
    peers: comparePeers(bare, ours, rowOf('peer')),
  };
}

// P1: saturation throughput of GET /items, the service bare (no preload) against the service as
// `npm start` runs it, and with one part turned off at a time, in interleaved rounds so drift on
// the machine hits every variant alike. Telemetry goes to a local OTLP sink that answers at once.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import autocannon from 'autocannon';
import { REPO_ROOT, SERVICE_ENTRY } from '../../kit/layout.ts';
import { median, overheadUs, type ThroughputRow } from './report.ts';
import { freePort } from '../../kit/testing/processes.ts';

interface Variant {
  name: string;
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
const without = (name: string) =>
  ALL_INSTRUMENTATIONS.split(',')
    .filter((i) => i !== name)
    .join(',');

export const VARIANTS: Variant[] = [
  { name: 'bare', args: [SERVICE_ENTRY], env: {} },
  { name: 'instrumented (npm start)', env: {} },
  { name: 'without traces export', env: { OTEL_TRACES_EXPORTER: 'none' } },
  { name: 'without logs export', env: { OTEL_LOGS_EXPORTER: 'none' } },
  { name: 'without metrics export', env: { OTEL_METRICS_EXPORTER: 'none' } },
  // Layer spans are already off (express-layers.ts); this removes the instrumentation that names routes.
  { name: 'without express instrumentation', env: { OTEL_NODE_ENABLED_INSTRUMENTATIONS: without('express') } },
  { name: 'without pino instrumentation', env: { OTEL_NODE_ENABLED_INSTRUMENTATIONS: without('pino') } },
  { name: 'without runtime-node metrics', env: { OTEL_NODE_ENABLED_INSTRUMENTATIONS: without('runtime-node') } },
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

async function measure(variant: Variant, sinkUrl: string, seconds: number): Promise<number> {
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
    const result = await autocannon({ url, connections: 32, duration: seconds });
    if (result.non2xx > 0 || result.errors > 0)
      throw new Error(`${variant.name}: ${result.non2xx} non-2xx, ${result.errors} errors`);
    return result.requests.average;
  } finally {
    child.kill('SIGKILL');
  }
}

export async function measureThroughput(opts: { rounds: number; seconds: number; log: (line: string) => void }) {
  const sink = await startSink();
  const rounds = new Map<string, number[]>(VARIANTS.map((v) => [v.name, []]));
  try {
    for (let round = 1; round <= opts.rounds; round++) {
      for (const variant of VARIANTS) {
        const rps = await measure(variant, sink.url, opts.seconds);
        rounds.get(variant.name)!.push(rps);
        opts.log(`P1 round ${round}: ${variant.name} ${rps.toFixed(0)} rps`);
      }
    }
  } finally {
    sink.server.close();
  }
  const rows: ThroughputRow[] = VARIANTS.map((v) => ({
    variant: v.name,
    rps: median(rounds.get(v.name)!),
    rounds: rounds.get(v.name)!,
  }));
  const bare = rows[0]!.rps;
  const full = rows[1]!.rps;
  const fullOverhead = overheadUs(full, bare);
  const breakdownUs = Object.fromEntries(
    rows.slice(2).map((row) => [row.variant.replace(/^without /, ''), fullOverhead - overheadUs(row.rps, bare)]),
  );
  return { rows, ratio: full / bare, overheadUs: fullOverhead, breakdownUs };
}

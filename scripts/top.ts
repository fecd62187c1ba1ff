/**
 * `npm run top [-- --once] [--json] [--interval N] [--native] [--no-color]`: the stack at a glance
 * in the terminal, from the stack's own APIs. The decisions live in top-model.ts; this file only
 * fetches (every request bounded in time) and draws.
 *   PROMETHEUS_URL, JAEGER_URL, LOKI_URL, SERVICE_URL, COLLECTOR_METRICS_URL override an address
 *   (scripts/command-line.ts, shared with npm run verify).
 */
import * as names from '../kit/names/service.ts';
import { ERROR_SPAN_TAGS } from '../kit/names/jaeger-search.ts';
import { readCommandLine } from './command-line.ts';
import {
  LOGQL_LEVELS,
  PROM_QUERIES,
  collectorFrom,
  errorTracesFrom,
  inventoryFrom,
  k6From,
  renderView,
  routesFrom,
  type PromAnswers,
  type Source,
  type TopSnapshot,
  type Vector,
} from './top-model.ts';

const USAGE = 'usage: npm run top -- [--once] [--json] [--interval SECONDS] [--native] [--no-color]';
const TIMEOUT_MS = 3_000;

const { flags, urls, fail } = readCommandLine('top', USAGE, {
  once: { type: 'boolean' },
  json: { type: 'boolean' },
  interval: { type: 'string' },
  native: { type: 'boolean' },
  'no-color': { type: 'boolean' },
});
const intervalSeconds = flags.interval === undefined ? 2 : Number(flags.interval);
if (!Number.isFinite(intervalSeconds) || intervalSeconds < 1 || intervalSeconds > 3600)
  fail(`--interval must be 1..3600 seconds, got ${flags.interval}`);

async function get(url: string): Promise<Response> {
  return fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
}

async function probe(url: string): Promise<Source> {
  try {
    const res = await get(url);
    await res.arrayBuffer();
    return res.ok ? { url, up: true } : { url, up: false, error: `HTTP ${res.status}` };
  } catch (error) {
    return { url, up: false, error: (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message };
  }
}

async function promQuery(query: string): Promise<Vector | undefined> {
  try {
    const res = await get(`${urls.prometheus}/api/v1/query?${new URLSearchParams({ query }).toString()}`);
    if (!res.ok) return undefined;
    return ((await res.json()) as { data: { result: Vector } }).data.result;
  } catch {
    return undefined;
  }
}

async function snapshot(): Promise<TopSnapshot> {
  const now = Date.now();
  const [service, collector, prometheus, jaeger, loki] = await Promise.all([
    probe(`${urls.service}/health`),
    probe(urls.collectorMetrics),
    probe(`${urls.prometheus}/-/ready`),
    probe(`${urls.jaeger}/api/services`),
    // Loki's own API, not /ready: the native stack's stand-in (Loki's door) answers /ready too.
    probe(`${urls.loki}/loki/api/v1/status/buildinfo`),
  ]);
  const answers: PromAnswers = {};
  if (prometheus.up)
    await Promise.all(Object.entries(PROM_QUERIES).map(async ([key, q]) => (answers[key] = await promQuery(q))));
  let errorTraces: TopSnapshot['errorTraces'] = [];
  if (jaeger.up) {
    const params = new URLSearchParams({
      service: names.SERVICE_NAME,
      tags: JSON.stringify(Object.fromEntries([ERROR_SPAN_TAGS.split('=') as [string, string]])),
      limit: '20',
      start: String((now - 15 * 60_000) * 1000),
      end: String((now + 60_000) * 1000),
    });
    try {
      const res = await get(`${urls.jaeger}/api/traces?${params.toString()}`);
      if (res.ok)
        errorTraces = errorTracesFrom(
          ((await res.json()) as { data: Parameters<typeof errorTracesFrom>[0] | null }).data ?? [],
          now,
        );
    } catch {
      // shown as none; the header says whether Jaeger is up
    }
  }
  let logs: TopSnapshot['logs'] = null;
  try {
    const res = await get(`${urls.loki}/loki/api/v1/query?${new URLSearchParams({ query: LOGQL_LEVELS }).toString()}`);
    if (res.ok) {
      const result = ((await res.json()) as { data: { result: Vector } }).data.result;
      logs = {
        perMinuteByLevel: Object.fromEntries(
          result.map((s) => [s.metric['detected_level'] ?? 'unknown', Number(s.value[1])]),
        ),
      };
    }
  } catch {
    // Loki not reachable: logs stays null and the view says so
  }
  return {
    generatedAt: new Date(now).toISOString(),
    sources: { service, collector, prometheus, jaeger, loki },
    routes: routesFrom(answers),
    errorTraces,
    logs,
    collector: collectorFrom(answers),
    k6: k6From(answers),
    inventory: inventoryFrom(answers),
  };
}

const color = !flags['no-color'] && !process.env.NO_COLOR && process.stdout.isTTY === true;
const width = () => process.stdout.columns ?? 120;

async function main(): Promise<void> {
  if (flags.once || flags.json) {
    const s = await snapshot();
    if (Object.values(s.sources).every((src) => !src.up))
      fail(
        `nothing of the stack answers (Prometheus at ${urls.prometheus}, the service at ${urls.service}, …): start it with \`npm run stack\`, or pass --native for the native stack`,
      );
    console.log(flags.json ? JSON.stringify(s, null, 2) : renderView(s, { width: width(), style: { color } }));
    return;
  }
  // Full screen: the alternate buffer, cursor hidden; both restored however the view ends.
  const restore = () => process.stdout.write('\x1b[?25h\x1b[?1049l');
  process.stdout.write('\x1b[?1049h\x1b[?25l');
  process.on('exit', restore);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(0));
  for (;;) {
    const s = await snapshot();
    process.stdout.write(`\x1b[H\x1b[2J${renderView(s, { width: width(), style: { color }, intervalSeconds })}\n`);
    await new Promise((r) => setTimeout(r, intervalSeconds * 1000));
  }
}

main().catch((error: unknown) => fail((error as Error).message));

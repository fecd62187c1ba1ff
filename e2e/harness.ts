// Glue between the e2e test and the parts it drives: the native stack of real binaries,
// the dashboards' targets, and k6 running the loadgen scripts. Prometheus and Jaeger targets
// run against the real programs; Loki targets are judged at Loki's door (what the collector
// delivered, mapped as Loki documents), because Loki itself may not run here.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  listDashboardTargets,
  loadCommittedDashboards,
  parseJaegerQuery,
  resolveTargets,
  type DashboardTarget,
} from '../dashboards/src/targets.ts';
import { select } from '../native/loki-door/logql.ts';
import { nativeUrls, REPO_ROOT, type NativeUrls } from '../kit/layout.ts';
import { startStack, type NativeStack } from '../native/run/stack.ts';
import { startThrottleProxy, type ThrottleProxy } from './aws-throttle-proxy.ts';
import {
  jaegerDependencies,
  jaegerSearch,
  lokiDoorRecords,
  promInstant,
  promRange,
  type PromSeries,
} from './backends.ts';

export const AWS_REGION = 'us-east-1';
/** Grafana's $__interval for a panel a few hundred pixels wide over the e2e window. */
const PANEL_INTERVAL_SECONDS = 15;

export interface QueryAnswer {
  rows: number;
  raw: string;
  /** How the answer was obtained: from the real backend, or judged at Loki's door. */
  judgedAt: 'backend' | 'loki-door';
}

/** Base URLs by IP: this process does not see the stack's private /etc/hosts. */
export type StackUrls = NativeUrls;

export interface E2eStack {
  urls: StackUrls;
  awsRegion: string;
  native: NativeStack;
  /** Between the AWS inventory and moto: throttles the first INVENTORY_THROTTLED_CALLS of INVENTORY_THROTTLED_ACTION. */
  throttleProxy: ThrottleProxy;
  queryTarget(target: DashboardTarget, fromSec: number): Promise<QueryAnswer>;
  stop(): Promise<void>;
}

/** A target's query with Grafana's macros and variable defaults substituted for [fromSec, now]. */
export function resolveQuery(target: DashboardTarget, fromSec: number): string {
  return resolveTargets([target], { from: fromSec, to: Date.now() / 1000, intervalSeconds: PANEL_INTERVAL_SECONDS })[0]!
    .query;
}

export function listPanelTargets(): DashboardTarget[] {
  return listDashboardTargets(loadCommittedDashboards());
}

/** A series counts as data when it has at least one real number (histogram_quantile gives NaN on empty buckets). */
function seriesWithValues(series: PromSeries[]): number {
  const real = (v: [number, string]) => Number.isFinite(Number(v[1]));
  return series.filter((s) => (s.values ?? (s.value ? [s.value] : [])).some(real)).length;
}

async function queryTarget(urls: StackUrls, target: DashboardTarget, fromSec: number): Promise<QueryAnswer> {
  const to = Date.now() / 1000;
  const [resolved] = resolveTargets([target], { from: fromSec, to, intervalSeconds: PANEL_INTERVAL_SECONDS });
  const query = resolved!.query;
  if (target.language === 'jaeger') {
    const jaeger = parseJaegerQuery(query);
    if (target.mode === 'dependencyGraph') {
      const edges = await jaegerDependencies(urls.jaeger, to + 60, to + 60 - fromSec);
      return { rows: edges.length, raw: JSON.stringify(edges), judgedAt: 'backend' };
    }
    const traces = await jaegerSearch(urls.jaeger, {
      service: jaeger.service ?? '',
      ...(jaeger.operation ? { operation: jaeger.operation } : {}),
      tags: logfmtTags(jaeger.tags ?? ''),
      limit: jaeger.limit ?? 20,
      startSec: fromSec,
      endSec: to + 60,
    });
    return { rows: traces.length, raw: JSON.stringify(traces.map((t) => t.traceID)), judgedAt: 'backend' };
  }
  if (target.language === 'logql') {
    // The records a Loki target would select under Loki's documented OTLP mapping. A query the
    // door cannot evaluate throws UnsupportedAtDoor, naming the part it cannot judge.
    const records = await lokiDoorRecords(urls.loki);
    const selected = select(
      query,
      records.map((r) => r.loki),
    );
    return { rows: selected.length, raw: JSON.stringify(selected.slice(0, 3)), judgedAt: 'loki-door' };
  }
  const series =
    target.mode === 'instant'
      ? await promInstant(urls.prometheus, query, to)
      : await promRange(urls.prometheus, query, fromSec, to, PANEL_INTERVAL_SECONDS);
  return { rows: seriesWithValues(series), raw: JSON.stringify(series), judgedAt: 'backend' };
}

/** The Jaeger plugin's tags field (logfmt) as the map its backend sends: key=value, values may be quoted. */
function logfmtTags(tags: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const match of tags.matchAll(/([^\s="]+)=("(?:[^"\\]|\\.)*"|\S*)/g)) {
    out[match[1]!] = match[2]!.startsWith('"') ? (JSON.parse(match[2]!) as string) : match[2]!;
  }
  return out;
}

/** The EC2 call the e2e throttles on its way to moto, and how many times (the inventory retries up to 4 attempts). */
export const INVENTORY_THROTTLED_ACTION = 'DescribeVolumes';
export const INVENTORY_THROTTLED_CALLS = 2;
/** Short, so the inventory's panels have several cycles to show within the suite's run. */
export const INVENTORY_E2E_INTERVAL_SECONDS = 10;
/** A circuit rests this long in the e2e (the shipped 60 s would only make the outage case slower). */
export const INVENTORY_E2E_BREAKER_OPEN_SECONDS = 10;

/** The shipped inventory/config.yaml with the e2e's shorter circuit rest, in a temporary file. */
function inventoryE2eConfig(): string {
  const shipped = parseYaml(readFileSync(join(REPO_ROOT, 'inventory', 'config.yaml'), 'utf8')) as {
    circuitBreaker?: Record<string, number>;
  };
  shipped.circuitBreaker = { ...shipped.circuitBreaker, openSeconds: INVENTORY_E2E_BREAKER_OPEN_SECONDS };
  const file = join(mkdtempSync(join(tmpdir(), 'otel-kit-inventory-')), 'config.yaml');
  writeFileSync(file, stringifyYaml(shipped));
  return file;
}

/**
 * The native stack in AWS mode: the collector also exports to X-Ray, served locally by moto; the
 * AWS inventory counts the seeded moto through a throttling proxy.
 */
export async function startE2eStack(extraEnv: { service?: Record<string, string> } = {}): Promise<E2eStack> {
  const inventoryConfig = inventoryE2eConfig();
  const throttleProxy = await startThrottleProxy({
    target: nativeUrls().moto,
    action: INVENTORY_THROTTLED_ACTION,
    times: INVENTORY_THROTTLED_CALLS,
  });
  let native: NativeStack;
  try {
    native = await startStack({
      aws: true,
      service: true,
      inventory: true,
      // The proxy listens on 127.0.0.1, which the stack's private mount namespace shares.
      env: {
        ...(extraEnv.service ? { service: extraEnv.service } : {}),
        inventory: {
          AWS_ENDPOINT_URL: throttleProxy.url,
          INVENTORY_INTERVAL_SECONDS: String(INVENTORY_E2E_INTERVAL_SECONDS),
          INVENTORY_CONFIG: inventoryConfig,
        },
      },
      log: (line) => console.log(`[stack] ${line}`),
    });
  } catch (error) {
    await throttleProxy.close();
    rmSync(dirname(inventoryConfig), { recursive: true, force: true });
    throw error;
  }
  const urls = native.urls;
  return {
    urls,
    awsRegion: AWS_REGION,
    native,
    throttleProxy,
    queryTarget: (target, fromSec) => queryTarget(urls, target, fromSec),
    stop: async () => {
      await native.stop();
      await throttleProxy.close();
      rmSync(dirname(inventoryConfig), { recursive: true, force: true });
    },
  };
}

export interface LoadRun {
  exitCode: number;
  /** k6 requests per route name ("GET /items/{id}"), from the loadgen summary. */
  requestsByName: Record<string, number>;
  crashTraceIds: string[];
  /** Iterations k6 could not start (arrival-rate scenarios without a free VU). */
  droppedIterations: number;
  /** Client-side p95 of expected responses, ms. */
  p95Ms: number | null;
  outputTail: string;
}

/**
 * Runs `npm run load -- <profile>` exactly as an attendee would, against the native stack, with
 * k6's metrics sent to the collector, and reads the summary JSON the loadgen writes.
 */
export async function runLoad(
  stack: E2eStack,
  opts: { profile: string; runId: string; iterations?: number; env?: Record<string, string> },
): Promise<LoadRun> {
  const dir = mkdtempSync(join(tmpdir(), 'otel-kit-k6-'));
  const summaryPath = join(dir, 'summary.json');
  const env = {
    ...process.env,
    RUN_ID: opts.runId,
    SUMMARY_JSON: summaryPath,
    BASE_URL: stack.urls.service,
    K6_OTEL_HTTP_EXPORTER_ENDPOINT: stack.urls.collectorOtlpHttp.replace(/^https?:\/\//, ''),
    ...(opts.iterations ? { ITERATIONS: String(opts.iterations) } : {}),
    ...opts.env,
  };
  const output: string[] = [];
  const exitCode = await new Promise<number>((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', 'load', '--', opts.profile], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer) => {
      output.push(chunk.toString());
      if (output.length > 400) output.splice(0, output.length - 400);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    // Bounded: a counted run takes seconds; ten minutes means k6 hangs.
    const timer = setTimeout(() => child.kill('SIGKILL'), 600_000);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(code ?? (signal ? 128 : 1));
    });
  });
  const outputTail = output.join('').split('\n').slice(-60).join('\n');
  let summary: {
    requests?: { byRoute?: Record<string, number>; droppedIterations?: number };
    crashTraces?: { traceId: string }[];
    latencyMs?: { p95?: number | null };
  } = {};
  try {
    summary = JSON.parse(readFileSync(summaryPath, 'utf8')) as typeof summary;
  } catch {
    // No summary: k6 did not get that far; exitCode and outputTail say why.
  }
  rmSync(dir, { recursive: true, force: true });
  return {
    exitCode,
    requestsByName: summary.requests?.byRoute ?? {},
    crashTraceIds: (summary.crashTraces ?? []).map((c) => c.traceId),
    droppedIterations: summary.requests?.droppedIterations ?? 0,
    p95Ms: summary.latencyMs?.p95 ?? null,
    outputTail,
  };
}

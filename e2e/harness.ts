// Glue between the e2e test and the parts it drives: the native stack of real binaries,
// the dashboards' targets (asked through kit/checks/panels.ts, as `npm run verify` asks them), and
// k6 running the loadgen scripts. Loki targets are judged at Loki's door (what the collector
// delivered, mapped as Loki documents), because Loki itself may not run here.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { nativeUrls, REPO_ROOT, type NativeUrls } from '../kit/layout.ts';
import { startStack, type NativeStack } from '../native/run/stack.ts';
import { startThrottleProxy, type ThrottleProxy } from './aws-throttle-proxy.ts';
import type { DashboardTarget } from '../kit/dashboard-targets.ts';
import { queryTarget, type QueryAnswer } from '../kit/checks/panels.ts';

export const AWS_REGION = 'us-east-1';

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
    queryTarget: (target, fromSec) =>
      queryTarget(
        { prometheus: urls.prometheus, jaeger: urls.jaeger, logs: { kind: 'door', url: urls.loki } },
        target,
        fromSec,
      ),
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

export interface VerifyRunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
  doc?: { ok: boolean; checks: { name: string; ok: boolean; ms: number; detail: string; fix: string }[] };
}

/** `npm run verify -- --native --aws --json` as a facilitator would run it (the launcher, type stripping). */
export async function runVerify(extraArgs: string[] = []): Promise<VerifyRunResult> {
  const started = Date.now();
  const child = spawn(
    process.execPath,
    [
      join(REPO_ROOT, 'scripts/require-node.cjs'),
      'verify',
      join(REPO_ROOT, 'scripts/verify.ts'),
      '--native',
      '--aws',
      '--json',
      ...extraArgs,
    ],
    { cwd: REPO_ROOT, env: { PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  // Bounded: every check of verify is; three minutes means something hangs.
  const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearTimeout(timer);
  let doc: VerifyRunResult['doc'];
  try {
    doc = JSON.parse(stdout) as VerifyRunResult['doc'];
  } catch {
    // not JSON: stdout and stderr say why
  }
  return { code, stdout, stderr, ms: Date.now() - started, ...(doc ? { doc } : {}) };
}

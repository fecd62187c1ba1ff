/**
 * Runs the COMPILED inventory exactly as `npm run start:inventory` does (its own command line, so
 * a missing --require fails here) against a real moto (the pinned wheel the native build
 * installs), seeded with the known resource set, exporting to a local OTLP/HTTP receiver.
 * `npm test` builds dist/ before vitest runs; `.ci/run` builds moto before `npm test`.
 */
import { spawn, type ChildProcess, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OtlpReceiver } from '../../kit/testing/otlp-receiver';
import { cachedBinary } from '../../native/build/plan-files';
import { INVENTORY_ENTRY, PRELOAD, REPO_ROOT as repoRoot } from '../../kit/layout';
import * as names from '../../kit/names/inventory';
import { seed } from './seed/seed';
import { freePort } from '../../kit/testing/processes';
import { DelayProxy } from './test-support/delay-proxy';

const startCommand: string = JSON.parse(readFileSync(resolve(repoRoot, 'package.json'), 'utf8')).scripts[
  'start:inventory'
];
const [, ...startArgs] = startCommand.split(/\s+/);
const moto = cachedBinary('moto');
const built = existsSync(resolve(repoRoot, INVENTORY_ENTRY)) && existsSync(resolve(repoRoot, PRELOAD));
const CREDENTIALS = { accessKeyId: 'moto-local', secretAccessKey: 'moto-local' };

async function waitFor(url: string, timeoutMs: number): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return res;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer 2xx within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function startInventory(env: Record<string, string>): {
  child: ChildProcessWithoutNullStreams;
  output: () => string;
  exited: Promise<number | null>;
} {
  const child = spawn(process.execPath, startArgs, {
    cwd: repoRoot,
    // Nothing OTEL- or AWS-related from the test runner: inventory/otel.env and env supply it.
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', AWS_EC2_METADATA_DISABLED: 'true', ...env },
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  return { child, output: () => out, exited };
}

describe.skipIf(!built)('compiled inventory: configuration errors', () => {
  it.each([
    [{ PORT: 'eighty' }, /PORT/],
    [{ INVENTORY_REGIONS: 'us-east-1,atlantis' }, /INVENTORY_REGIONS: not AWS regions: atlantis/],
    [{ INVENTORY_CONFIG: '/nonexistent.yaml' }, /INVENTORY_CONFIG: cannot read \/nonexistent\.yaml/],
  ])('%j stops start-up with exit 2, naming the variable', async (env, message) => {
    const run = startInventory(env);
    const code = await Promise.race([
      run.exited,
      new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 15_000)),
    ]);
    if (code === 'timeout') run.child.kill('SIGKILL');
    expect(code).toBe(2);
    expect(run.output()).toMatch(message);
  });
});

describe.skipIf(!built)('compiled inventory: no credential in a URL reaches its output', () => {
  it('the userinfo of AWS_ENDPOINT_URL and of the OTLP endpoint is REDACTED in every line', async () => {
    // Both endpoints are ours and reset every connection at once: a port that was merely free
    // could be taken meanwhile by another test's server that never answers, and every AWS attempt
    // would then wait out its 10 s timeout instead of failing.
    const resetter = createServer((socket) => socket.destroy());
    await new Promise<void>((done) => resetter.listen(0, '127.0.0.1', done));
    const resetPort = (resetter.address() as AddressInfo).port;
    const run = startInventory({
      PORT: String(await freePort()),
      AWS_ENDPOINT_URL: `http://user:s3cret-aws@127.0.0.1:${resetPort}`,
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://user:s3cret-otlp@127.0.0.1:${resetPort}`,
      AWS_ACCESS_KEY_ID: 'x',
      AWS_SECRET_ACCESS_KEY: 'x',
      AWS_REGION: 'us-east-1',
      INVENTORY_REGIONS: 'us-east-1',
    });
    try {
      // Until the listening line, a failed collection and the export warning are all out (bounded).
      const deadline = Date.now() + 20_000;
      const wanted = [/aws-inventory listening/, /collection failed/, /telemetry export is failing/];
      while (!wanted.every((w) => w.test(run.output())) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 200));
      for (const w of wanted) expect(run.output()).toMatch(w);
      expect(run.output()).toContain('REDACTED@127.0.0.1');
      expect(run.output()).not.toMatch(/s3cret/);
    } finally {
      run.child.kill('SIGKILL');
      await run.exited;
      resetter.close();
    }
  }, 30_000);
});

describe.skipIf(!built || !moto)('compiled inventory under the real ADOT preload, against a seeded moto', () => {
  const receiver = new OtlpReceiver();
  let motoProcess: ChildProcess | undefined;
  let inventory: ReturnType<typeof startInventory> | undefined;
  let port = 0;
  let motoEndpoint = '';
  let otlpEndpoint = '';

  beforeAll(async () => {
    const otlp = await receiver.start();
    otlpEndpoint = otlp;
    const motoPort = await freePort();
    motoProcess = spawn(moto!, ['--host', '127.0.0.1', '--port', String(motoPort)], { stdio: 'ignore' });
    const endpoint = `http://127.0.0.1:${motoPort}`;
    motoEndpoint = endpoint;
    await waitFor(`${endpoint}/moto-api/`, 30_000);
    await seed(endpoint, { credentials: CREDENTIALS });
    port = await freePort();
    inventory = startInventory({
      PORT: String(port),
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp,
      AWS_ENDPOINT_URL: endpoint,
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
      AWS_REGION: 'us-east-1',
      INVENTORY_INTERVAL_SECONDS: '3600',
    });
    await waitFor(`http://127.0.0.1:${port}/ready`, 30_000);
  }, 90_000);

  afterAll(async () => {
    inventory?.child.kill('SIGKILL');
    motoProcess?.kill('SIGTERM');
    await receiver.stop();
  });

  it('is ready after one collection of every collector in every region, all ok', async () => {
    const health = (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as {
      status: string;
      collectors: { status: string }[];
    };
    expect(health.status).toBe('ok');
    expect(health.collectors.length).toBe(6 * 2 + 1);
    expect(health.collectors.every((c) => c.status === 'ok')).toBe(true);
  });

  it('SIGTERM: exits 0 and flushes the cycle spans (AWS SDK calls included) and the resource gauge', async () => {
    inventory!.child.kill('SIGTERM');
    const code = await Promise.race([
      inventory!.exited,
      new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 20_000)),
    ]);
    expect(code, inventory!.output()).toBe(0);
    expect(receiver.find('/v1/traces', names.SPAN_CYCLE).length).toBeGreaterThan(0);
    // ADOT's aws-sdk instrumentation: one span per call, named after the operation.
    for (const operation of [
      'DescribeInstances',
      'DescribeVolumes',
      'DescribeDBInstances',
      'ListBuckets',
      'ListFunctions',
      'DescribeLoadBalancers',
      'DescribeVpcs',
    ]) {
      expect(receiver.find('/v1/traces', operation).length, operation).toBeGreaterThan(0);
    }
    expect(receiver.find('/v1/metrics', names.METRIC_RESOURCES).length).toBeGreaterThan(0);
    expect(receiver.find('/v1/logs', 'collection finished').length).toBeGreaterThan(0);
    expect(inventory!.output()).toMatch(/"msg":"stopped"/);
  });

  it('SIGTERM mid-cycle: the cycle in flight finishes, and its spans and log records still leave', async () => {
    // Every AWS call held 400 ms: the first cycle is under way when the signal arrives.
    const proxy = new DelayProxy(motoEndpoint, 400);
    const slowEndpoint = await proxy.start();
    const slowPort = await freePort();
    const slow = startInventory({
      PORT: String(slowPort),
      OTEL_EXPORTER_OTLP_ENDPOINT: otlpEndpoint,
      OTEL_SERVICE_NAME: 'aws-inventory-sigterm',
      AWS_ENDPOINT_URL: slowEndpoint,
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
      AWS_REGION: 'us-east-1',
      INVENTORY_REGIONS: 'us-east-1',
      INVENTORY_INTERVAL_SECONDS: '3600',
      SHUTDOWN_TIMEOUT_MS: '20000',
    });
    try {
      const deadline = Date.now() + 20_000;
      while (proxy.requests === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(proxy.requests, slow.output()).toBeGreaterThan(0);
      expect(slow.output()).not.toMatch(/collection finished/);
      slow.child.kill('SIGTERM');
      const code = await Promise.race([
        slow.exited,
        new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 40_000)),
      ]);
      expect(code, slow.output()).toBe(0);
      // The cycles ended after the signal: with ADOT's own SIGTERM handler left in place the SDK
      // was shut down by then, and none of this left the process (while the log said flushed).
      expect(slow.output()).toMatch(/collection finished/);
      expect(receiver.find('/v1/traces', 'aws-inventory-sigterm', names.SPAN_CYCLE).length).toBeGreaterThan(0);
      expect(receiver.find('/v1/logs', 'aws-inventory-sigterm', 'collection finished').length).toBeGreaterThan(0);
    } finally {
      slow.child.kill('SIGKILL');
      await proxy.stop();
    }
  }, 60_000);
});

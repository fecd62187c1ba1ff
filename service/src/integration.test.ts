/**
 * Runs the COMPILED service exactly as `npm start` does (the start script's own command line,
 * so a missing --require fails here) against a local OTLP/HTTP receiver. `npm test` builds
 * dist/ before vitest runs; run `npm run build` first when running this file alone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OtlpReceiver } from '../../kit/testing/otlp-receiver';
import { type StartedService, nodeArgsOfScript, startCompiledService } from '../../kit/testing/processes';
import { newSpanId, newTraceId, traceparent } from '../../kit/trace-ids';
import { LOG_BRIDGE_SCOPE } from '../../kit/names/service';

import { REPO_ROOT as repoRoot, SERVICE_ENTRY } from '../../kit/layout.ts';
const startArgs = nodeArgsOfScript('start'); // --env-file=… --require … dist/service/src/index.js

const built = existsSync(resolve(repoRoot, SERVICE_ENTRY));

describe.skipIf(!built)('compiled service under the real ADOT preload', () => {
  const receiver = new OtlpReceiver();
  let endpoint: string;
  let service: StartedService;
  const liveTraceId = newTraceId();

  beforeAll(async () => {
    endpoint = await receiver.start();
    service = await startCompiledService({
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      // Slow store calls so a request is still in flight when SIGTERM arrives below.
      STORE_LATENCY_MS: '1500',
      STORE_LATENCY_JITTER_MS: '0',
    });
  }, 30_000);

  afterAll(async () => {
    if (service && service.child.exitCode === null) service.child.kill('SIGKILL');
    await receiver.stop();
  });

  it('exports traces, metrics and logs over OTLP/HTTP with the service identity', async () => {
    const base = `http://127.0.0.1:${service.port}`;
    expect((await fetch(`${base}/health`)).status).toBe(200);
    const res = await fetch(`${base}/items/1`, {
      headers: { traceparent: traceparent(liveTraceId, newSpanId()), baggage: 'run_id=itest-1' },
    });
    expect(res.status).toBe(200);
    const rawTraceId = Buffer.from(liveTraceId, 'hex');

    // The store span ends first and may travel in an earlier batch than the server span.
    const traces = await receiver.waitFor('/v1/traces', [rawTraceId, '/items/:id'], 15_000);
    await receiver.waitFor('/v1/traces', [rawTraceId, 'store.get'], 5_000);
    for (const needle of [
      'items-api',
      'otel-workshop',
      'deployment.environment.name',
      'service.version',
      'loadgen.run_id',
      'itest-1',
    ]) {
      expect(traces.body.includes(needle), `trace payload lacks ${needle}`).toBe(true);
    }
    const logs = await receiver.waitFor('/v1/logs', [rawTraceId, 'request completed'], 15_000);
    expect(logs.body.includes('items-api')).toBe(true);
    expect(logs.body.includes(`1-${liveTraceId.slice(0, 8)}-${liveTraceId.slice(8)}`)).toBe(true);
    const metrics = await receiver.waitFor('/v1/metrics', ['request_count', 'http.server.request.duration'], 15_000);
    expect(metrics.body.includes('http.response.status_class')).toBe(true);
  }, 40_000);

  it('exports no secret from a query string: url.query carries REDACTED instead (the preload under the real ADOT)', async () => {
    const base = `http://127.0.0.1:${service.port}`;
    const traceId = newTraceId();
    const res = await fetch(`${base}/items?api_key=s3cret&limit=2&TOKEN=t0ken`, {
      headers: { traceparent: traceparent(traceId, newSpanId()) },
    });
    expect(res.status).toBe(200);
    const traces = await receiver.waitFor(
      '/v1/traces',
      [Buffer.from(traceId, 'hex'), 'api_key=REDACTED&limit=2&TOKEN=REDACTED'],
      15_000,
    );
    expect(traces.body.includes('limit=2')).toBe(true);
    await receiver.waitFor('/v1/logs', [Buffer.from(traceId, 'hex'), 'request completed'], 15_000);
    // Nothing anywhere in what left the process: spans, log records, metrics.
    for (const sent of receiver.received) {
      expect(sent.body.includes('s3cret'), `${sent.path} carries the secret`).toBe(false);
      expect(sent.body.includes('t0ken'), `${sent.path} carries the token`).toBe(false);
    }
  }, 40_000);

  it('bounds every attribute value: a 12 KB query, a long user agent and Host reach the span cut to 512 characters', async () => {
    const traceId = newTraceId();
    const status = await new Promise<number>((resolveStatus, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port: service.port,
          path: `/items?limit=2&q=${'a'.repeat(12_000)}`,
          headers: {
            traceparent: traceparent(traceId, newSpanId()),
            'user-agent': `agent-${'b'.repeat(2_000)}`,
            host: `${'c'.repeat(600)}.example`,
          },
          timeout: 10_000,
        },
        (res) => {
          res.resume();
          res.on('end', () => resolveStatus(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(200);
    const traces = await receiver.waitFor('/v1/traces', [Buffer.from(traceId, 'hex'), 'GET /items'], 15_000);
    const longestRun = (byte: string) =>
      Math.max(...(traces.body.toString('latin1').match(new RegExp(`${byte}+`, 'g')) ?? ['']).map((m) => m.length));
    expect(longestRun('a')).toBeGreaterThan(400);
    expect(longestRun('a')).toBeLessThanOrEqual(512);
    expect(longestRun('b')).toBeLessThanOrEqual(512);
    expect(longestRun('c')).toBeLessThanOrEqual(512);
  }, 40_000);

  it("writes nothing but JSON lines on stdout, ADOT's own start-up lines included", () => {
    const lines = service
      .stdout()
      .split('\n')
      .filter((l) => l.trim() !== '');
    expect(
      lines.some((l) => l.includes('started successfully')),
      "ADOT's start line is there, as JSON",
    ).toBe(true);
    for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow();
  });

  it('keeps /health out of traces', () => {
    const traces = receiver.received.filter((r) => r.path === '/v1/traces');
    expect(traces.length).toBeGreaterThan(0);
    expect(traces.some((r) => r.body.includes('/health'))).toBe(false);
  });

  it('on SIGTERM finishes the in-flight request, flushes its spans and logs, and exits 0', async () => {
    // A service of its own whose batch timers never fire during the test (60 s): whatever of the
    // last request arrives, only the shutdown flush can have sent.
    service.child.kill('SIGKILL');
    service = await startCompiledService({
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      STORE_LATENCY_MS: '1500',
      STORE_LATENCY_JITTER_MS: '0',
      OTEL_BSP_SCHEDULE_DELAY: '60000',
      OTEL_BLRP_SCHEDULE_DELAY: '60000',
    });
    const base = `http://127.0.0.1:${service.port}`;
    const lastTraceId = newTraceId();
    const inFlight = fetch(`${base}/items/2`, { headers: { traceparent: traceparent(lastTraceId, newSpanId()) } });
    await new Promise((r) => setTimeout(r, 300));
    const signalledAt = Date.now();
    service.child.kill('SIGTERM');
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(await service.exited).toBe(0);
    const raw = Buffer.from(lastTraceId, 'hex');
    const span = receiver.find('/v1/traces', raw)[0];
    const log = receiver.find('/v1/logs', raw, 'request completed')[0];
    expect(span?.at).toBeGreaterThan(signalledAt);
    expect(log?.at).toBeGreaterThan(signalledAt);
    expect(service.stderr()).not.toMatch(/Error: |at .*\(/);
    // stdout is written asynchronously: the lines logged just before process.exit still arrive.
    const lastLines = service.stdout().trimEnd().split('\n').slice(-3).join('\n');
    expect(lastLines).toContain(lastTraceId);
    expect(lastLines).toContain('server closed; flushing telemetry');
  }, 45_000);
});

describe.skipIf(!built)('start-up with bad configuration or no collector', () => {
  /** Starts the service as `npm start` does with `env`, and waits for it to exit. */
  async function runToExit(env: Record<string, string>): Promise<{ code: number | null; out: string; err: string }> {
    const child = spawn(process.execPath, startArgs, { cwd: repoRoot, env: { PATH: process.env.PATH ?? '', ...env } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((done) => child.on('exit', (c) => done(c)));
    return { code, out, err };
  }

  it.each([
    ['PORT', 'abc', 2, 'PORT="abc"'],
    ['OTEL_BLRP_SCHEDULE_DELAY', 'soon', 2, 'OTEL_BLRP_SCHEDULE_DELAY must be a positive integer'],
    [
      'OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT',
      '-5',
      2,
      'OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT must be an integer between 1 and',
    ],
  ])(
    'exits %s=%s with status %i and a message naming it',
    async (name, value, status, message) => {
      const { code, err } = await runToExit({ [name]: value });
      expect(code).toBe(status);
      expect(err).toContain(message);
    },
    20_000,
  );

  it('exits 1 when its port is taken, and the fatal line written just before exit reaches stdout', async () => {
    const holder = createServer();
    await new Promise<void>((done) => holder.listen(0, '127.0.0.1', done));
    try {
      const { code, out } = await runToExit({
        HOST: '127.0.0.1',
        PORT: String((holder.address() as AddressInfo).port),
        OTEL_SDK_DISABLED: 'true',
      });
      expect(code).toBe(1);
      const fatal = out
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { level?: string; msg?: string })
        .find((record) => record.level === 'fatal');
      expect(fatal?.msg).toBe('server failed to listen');
    } finally {
      holder.close();
    }
  }, 20_000);

  it('with the pino instrumentation enabled as well, each log line still reaches OTLP once, through the bridge', async () => {
    const own = new OtlpReceiver();
    const service = await startCompiledService({
      OTEL_EXPORTER_OTLP_ENDPOINT: await own.start(),
      OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'http,express,pino,runtime-node',
      STORE_LATENCY_MS: '0',
    });
    try {
      const traceId = newTraceId();
      const res = await fetch(`http://127.0.0.1:${service.port}/items/1`, {
        headers: { traceparent: traceparent(traceId, newSpanId()) },
      });
      expect(res.status).toBe(200);
      await own.waitFor('/v1/logs', [Buffer.from(traceId, 'hex'), 'request completed'], 15_000);
      service.child.kill('SIGTERM'); // flushes whatever is still queued
      await service.exited;
      const occurrences = (needle: string) =>
        own.find('/v1/logs').reduce((n, r) => n + r.body.toString('latin1').split(needle).length - 1, 0);
      expect(occurrences('request completed')).toBe(1);
      expect(occurrences(LOG_BRIDGE_SCOPE)).toBeGreaterThan(0);
      expect(occurrences('@opentelemetry/instrumentation-pino')).toBe(0);
    } finally {
      if (service.child.exitCode === null) service.child.kill('SIGKILL');
      await own.stop();
    }
  }, 40_000);

  it('serves with no collector listening and warns once instead of printing stack traces', async () => {
    const closed = new OtlpReceiver();
    const deadEndpoint = await closed.start();
    await closed.stop(); // a port that was just free: connection refused
    const service = await startCompiledService({
      OTEL_EXPORTER_OTLP_ENDPOINT: deadEndpoint,
      OTEL_METRIC_EXPORT_INTERVAL: '1000',
      OTEL_METRIC_EXPORT_TIMEOUT: '1000',
      STORE_LATENCY_MS: '0',
    });
    try {
      const base = `http://127.0.0.1:${service.port}`;
      const deadline = Date.now() + 15_000;
      while (!service.stdout().includes('telemetry export is failing') && Date.now() < deadline) {
        expect((await fetch(`${base}/items/1`)).status).toBe(200);
        await new Promise((r) => setTimeout(r, 250));
      }
      await new Promise((r) => setTimeout(r, 3_000)); // a few more failed exports
      expect((await fetch(`${base}/items/1`)).status).toBe(200);
      const warnings = service
        .stdout()
        .split('\n')
        .filter((l) => l.includes('telemetry export is failing'));
      expect(warnings).toHaveLength(1);
      expect(service.stderr()).not.toMatch(/ECONNREFUSED|\n\s+at /);
    } finally {
      service.child.kill('SIGKILL');
      await service.exited;
    }
  }, 40_000);
});

// One run of collector/ecs.yaml with its exporters pointed at local stand-ins for the AWS backends:
// Prometheus with the remote-write receiver for AMP (sigv4auth signs, Prometheus ignores the
// signature), moto's X-Ray API for X-Ray, and Loki's door (native/loki-door) for Loki. Every
// process is ours, on 127.0.0.1 and ports the kernel hands out (the listener ports of the file are
// swapped for free ones), stopped by its own pid. Skipped, saying why, where a binary is not built.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lokiDoorRecords, promInstant, xrayBatchGetTraces } from '../e2e/backends.ts';
import { pollUntil } from '../kit/testing/poll.ts';
import { freePort } from '../kit/testing/processes.ts';
import { newTraceId } from '../kit/trace-ids.ts';
import { createDoor } from '../native/loki-door/server.ts';
import { cachedBinary } from '../tests/native-binaries.ts';
import { repoPath } from '../tests/stack-files.ts';
import { COLLECTOR_CONFIG_FILE } from './lib/collector-sidecar.ts';

const HOST = '127.0.0.1';
const REGION = 'us-east-1';
const binaries = {
  otelcol: cachedBinary('otelcol'),
  prometheus: cachedBinary('prometheus'),
  moto: cachedBinary('moto'),
};
const missing = Object.entries(binaries)
  .filter(([, file]) => !file)
  .map(([name]) => name);

async function waitForHttp(url: string, timeoutMs = 60_000): Promise<void> {
  const ok = await pollUntil(
    () =>
      fetch(url, { signal: AbortSignal.timeout(2_000) }).then(
        (r) => r.ok,
        () => false,
      ),
    (up) => up,
    { timeoutMs, intervalMs: 300 },
  );
  if (!ok) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

describe.skipIf(missing.length > 0)(
  `collector/ecs.yaml against local stand-ins (${missing.length ? `not built here: ${missing.join(', ')}; run \`npm run native:build\`` : 'otelcol, Prometheus, moto, Loki door'})`,
  () => {
    const scratch = mkdtempSync(path.join(os.tmpdir(), 'otel-kit-ecs-standins-'));
    const children: ChildProcess[] = [];
    const door = createDoor();
    const urls = { prometheus: '', moto: '', door: '', collector: '' };
    const output: string[] = [];

    function start(command: string, args: string[], env: Record<string, string> = {}): void {
      const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.on('data', (d: Buffer) => output.push(d.toString()));
      child.stderr.on('data', (d: Buffer) => output.push(d.toString()));
      children.push(child);
    }

    beforeAll(async () => {
      const [promPort, motoPort, grpcPort, httpPort, healthPort] = await Promise.all([
        freePort(),
        freePort(),
        freePort(),
        freePort(),
        freePort(),
      ]);
      await new Promise<void>((resolve) => door.server.listen(0, HOST, resolve));
      urls.door = `http://${HOST}:${(door.server.address() as AddressInfo).port}`;
      urls.prometheus = `http://${HOST}:${promPort}`;
      urls.moto = `http://${HOST}:${motoPort}`;
      urls.collector = `http://${HOST}:${httpPort}`;

      const promConfig = path.join(scratch, 'prometheus.yml');
      writeFileSync(promConfig, 'global:\n  scrape_interval: 15s\n');
      start(binaries.prometheus!, [
        `--config.file=${promConfig}`,
        `--storage.tsdb.path=${path.join(scratch, 'prom')}`,
        `--web.listen-address=${HOST}:${promPort}`,
        '--web.enable-remote-write-receiver',
      ]);
      start(binaries.moto!, ['--host', HOST, '--port', String(motoPort)]);

      // The file as the task gets it, only its three fixed listener ports swapped for free ones.
      const config = path.join(scratch, 'ecs.yaml');
      writeFileSync(
        config,
        readFileSync(repoPath(COLLECTOR_CONFIG_FILE), 'utf8')
          .replaceAll(':4317', `:${grpcPort}`)
          .replaceAll(':4318', `:${httpPort}`)
          .replaceAll(':13133', `:${healthPort}`),
      );
      await waitForHttp(`${urls.prometheus}/-/ready`);
      await waitForHttp(`${urls.moto}/moto-api/`);
      start(binaries.otelcol!, [`--config=${config}`], {
        OTLP_LISTEN_HOST: HOST,
        AWS_REGION: REGION,
        AMP_REMOTE_WRITE_ENDPOINT: `${urls.prometheus}/api/v1/write`,
        LOKI_OTLP_ENDPOINT: `${urls.door}/otlp`,
        XRAY_ENDPOINT: urls.moto,
        AWS_ACCESS_KEY_ID: 'testing',
        AWS_SECRET_ACCESS_KEY: 'testing',
        AWS_EC2_METADATA_DISABLED: 'true',
      });
      await waitForHttp(`http://${HOST}:${healthPort}/`);
    }, 120_000);

    afterAll(async () => {
      for (const child of children) if (child.exitCode === null && child.pid) process.kill(child.pid, 'SIGTERM');
      await Promise.all(
        children.map((child) =>
          child.exitCode === null ? new Promise((resolve) => child.once('exit', resolve)) : Promise.resolve(),
        ),
      );
      await new Promise((resolve) => door.server.close(resolve));
      rmSync(scratch, { recursive: true, force: true });
    });

    const resource = { attributes: [{ key: 'service.name', value: { stringValue: 'ecs-standin' } }] };
    const nowNs = () => `${BigInt(Date.now()) * 1_000_000n}`;

    async function post(signal: 'traces' | 'metrics' | 'logs', body: unknown): Promise<void> {
      const res = await fetch(`${urls.collector}/v1/${signal}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(res.status, `${signal}: ${await res.text()}`).toBe(200);
    }

    it('delivers a span to X-Ray, a metric to the remote-write endpoint and a log record to Loki', async () => {
      const traceId = newTraceId();
      const spanId = '00f067aa0ba902b7';
      await post('traces', {
        resourceSpans: [
          {
            resource,
            scopeSpans: [
              {
                spans: [
                  {
                    traceId,
                    spanId,
                    name: 'GET /items',
                    kind: 2,
                    startTimeUnixNano: nowNs(),
                    endTimeUnixNano: nowNs(),
                  },
                ],
              },
            ],
          },
        ],
      });
      await post('metrics', {
        resourceMetrics: [
          {
            resource,
            scopeMetrics: [
              {
                metrics: [
                  { name: 'ecs_standin_probe', gauge: { dataPoints: [{ asDouble: 42, timeUnixNano: nowNs() }] } },
                ],
              },
            ],
          },
        ],
      });
      await post('logs', {
        resourceLogs: [
          {
            resource,
            scopeLogs: [
              {
                logRecords: [
                  {
                    timeUnixNano: nowNs(),
                    severityText: 'INFO',
                    body: { stringValue: 'ecs stand-in probe' },
                    traceId,
                    spanId,
                  },
                ],
              },
            ],
          },
        ],
      });

      const xrayId = `1-${traceId.slice(0, 8)}-${traceId.slice(8)}`;
      const traces = await pollUntil(
        () => xrayBatchGetTraces(urls.moto, REGION, [xrayId]),
        (t) => t.length > 0,
        { timeoutMs: 30_000, intervalMs: 1_000 },
      );
      expect(
        traces.map((t) => t.Id),
        output.join(''),
      ).toEqual([xrayId]);

      const series = await pollUntil(
        () => promInstant(urls.prometheus, 'ecs_standin_probe'),
        (s) => s.length > 0,
        { timeoutMs: 30_000, intervalMs: 1_000 },
      );
      expect(series[0]?.metric, output.join('')).toMatchObject({ service_name: 'ecs-standin' });

      const records = await pollUntil(
        () => lokiDoorRecords(urls.door),
        (r) => r.length > 0,
        { timeoutMs: 30_000, intervalMs: 1_000 },
      );
      expect(JSON.stringify(records), output.join('')).toContain('ecs stand-in probe');
    }, 120_000);

    it("pushes the collector's own pipeline metrics into the same workspace (nothing scrapes it on AWS)", async () => {
      // The series the pipeline-health board draws for a healthy pipeline, under the names a scrape
      // gives them locally (dashboards/known-metrics/collector.txt); the failure counters appear
      // only once something fails, as locally.
      const items = ['spans', 'metric_points', 'log_records'];
      const expected = [
        ...items.flatMap((item) => [`otelcol_receiver_accepted_${item}_total`, `otelcol_exporter_sent_${item}_total`]),
        'otelcol_exporter_queue_size',
        'otelcol_exporter_queue_capacity',
      ];
      const names = async () =>
        new Set(
          (await promInstant(urls.prometheus, 'group by (__name__) ({__name__=~"otelcol_.*"})')).map(
            (s) => s.metric.__name__!,
          ),
        );
      const seen = await pollUntil(names, (found) => expected.every((name) => found.has(name)), {
        timeoutMs: 60_000,
        intervalMs: 2_000,
      });
      expect(
        expected.filter((name) => !seen.has(name)),
        [...seen].sort().join('\n'),
      ).toEqual([]);
    }, 90_000);
  },
);

// Must stay the first import: registers the SDK and instrumentations before express loads.
import {
  collectMetrics,
  expressInstrumentation,
  logExporter,
  resetTelemetry,
  spanExporter,
} from '../../../kit/testing/otel';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { createApp } from '../app';
import { ConfigError, loadConfig, testConfig } from '../config';
import { createLogger } from '../../../kit/node/logger';
import { pollUntil } from '../../../kit/poll';
import {
  CPU_BLOCK_BUDGET_MS_PER_SECOND,
  CPU_BLOCK_MS,
  LEAK_CAP_BYTES,
  LOG_FLOOD_MAX_PER_SECOND,
  LOG_FLOOD_RECORDS_PER_REQUEST,
  SCENARIO_NAMES,
  renderFlagFile,
  type ScenarioName,
} from '../../../kit/scenarios';
import {
  LOG_MSG_FLAG_FILE_MISSING,
  LOG_MSG_FLAG_FILE_REJECTED,
  flagdFileProvider,
  startScenarioSwitch,
  type ScenarioSwitch,
} from './switch';
import { CpuBlocker, MemoryLeak, PerSecondBudget, logFloodBudget } from './effects';
import { LOG_MSG_FLOOD } from './middleware';
import { dropExpressLayerSpans } from '../../../kit/node/preload/express-layers';
import { observeScenarios } from '../telemetry/metrics';
import { METRIC_SCENARIO_ACTIVE } from '../../../kit/names/service';

// As the preload sets it in production: no Express layer spans, so a route handler's active span
// is the server span, and the flag evaluation lands there.
dropExpressLayerSpans([expressInstrumentation as unknown as Parameters<typeof dropExpressLayerSpans>[0][number]]);

const dir = mkdtempSync(path.join(os.tmpdir(), 'scenarios-'));
const started: ScenarioSwitch[] = [];
const servers: Server[] = [];
afterEach(() => resetTelemetry());
afterAll(async () => {
  for (const s of started) await s.close();
  for (const server of servers) await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

/** A pino logger whose records are kept, to assert what the flag path logs. */
function recordingLogger() {
  type Line = { level: string; msg: string; [key: string]: unknown };
  const lines: Line[] = [];
  const logger = createLogger('info', { write: (line: string) => void lines.push(JSON.parse(line) as Line) });
  return { logger, lines };
}

let files = 0;
function flagFile(on: ScenarioName[]): string {
  files += 1;
  const file = path.join(dir, `flags-${files}.json`);
  writeFileSync(file, renderFlagFile(new Set(on)));
  return file;
}

async function switchOn(file: string) {
  const { logger, lines } = recordingLogger();
  const scenarios = await startScenarioSwitch(flagdFileProvider(file, logger), logger);
  started.push(scenarios);
  return { scenarios, lines, logger };
}

async function serve(scenarios: ScenarioSwitch, logger = recordingLogger().logger): Promise<string> {
  const server = createServer(createApp({ config: testConfig(), logger, scenarios }));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const flagEvents = (span: ReadableSpan) => span.events.filter((e) => e.name === 'feature_flag.evaluation');
const serverSpans = () => spanExporter.getFinishedSpans().filter((s) => s.kind === SpanKind.SERVER);

describe('the scenario switch reads the flag file (flagd provider, in process)', () => {
  it('arms exactly the scenarios the file turns on', async () => {
    const { scenarios } = await switchOn(flagFile(['slow-store', 'items-errors']));
    expect(scenarios.active()).toEqual(['items-errors', 'slow-store']);
    for (const name of SCENARIO_NAMES)
      expect(scenarios.armed(name), name).toBe(name === 'slow-store' || name === 'items-errors');
  });

  it('a missing file means every scenario off, one warning, no crash', async () => {
    const { scenarios, lines } = await switchOn(path.join(dir, 'missing.json'));
    expect(scenarios.active()).toEqual([]);
    expect(await scenarios.hits('slow-store')).toBe(false);
    expect(lines.filter((l) => l.msg === LOG_MSG_FLAG_FILE_MISSING)).toHaveLength(1);
  });

  it('a bad file at start means every scenario off, logged, no crash', async () => {
    const file = path.join(dir, 'bad-at-start.json');
    writeFileSync(file, '{"flags": {');
    const { scenarios, lines } = await switchOn(file);
    expect(scenarios.active()).toEqual([]);
    expect(lines.some((l) => l.level === 'error')).toBe(true);
  });

  it('follows the file without a restart: a rename over it (npm run scenario, editors), an in-place write; a bad rewrite keeps the last good flags with one clear error', async () => {
    const file = flagFile([]);
    const { scenarios, lines } = await switchOn(file);
    expect(scenarios.active()).toEqual([]);
    // The provider watches with fs.watchFile, whose first stat (the baseline) runs on the thread
    // pool after the watch starts: a file replaced before it is taken looks unchanged for good. On
    // a loaded machine that took longer than this test's first write, so give it a moment.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    // Replaced by rename, as npm run scenario and most editors save.
    writeFileSync(`${file}.tmp`, renderFlagFile(new Set(['cpu-block'])));
    renameSync(`${file}.tmp`, file);
    await pollUntil(
      () => Promise.resolve(scenarios.active()),
      (a) => a.includes('cpu-block'),
      { timeoutMs: 20_000, intervalMs: 200 },
    );
    expect(scenarios.active()).toEqual(['cpu-block']);
    // Written in place.
    writeFileSync(file, renderFlagFile(new Set(['cpu-block', 'log-flood'])));
    await pollUntil(
      () => Promise.resolve(scenarios.active()),
      (a) => a.length === 2,
      { timeoutMs: 20_000, intervalMs: 200 },
    );
    expect(scenarios.active()).toEqual(['cpu-block', 'log-flood']);
    // Bad JSON, then valid JSON in the wrong schema: both rejected, the last good flags stay.
    for (const bad of [
      '{"flags": {',
      JSON.stringify({ flags: { 'cpu-block': { state: 'ENABLED', variants: { on: 1 }, defaultVariant: 'zz' } } }),
    ]) {
      const before = lines.filter((l) => l.msg === LOG_MSG_FLAG_FILE_REJECTED).length;
      writeFileSync(file, bad);
      await pollUntil(
        () => Promise.resolve(lines.filter((l) => l.msg === LOG_MSG_FLAG_FILE_REJECTED).length),
        (n) => n > before,
        { timeoutMs: 20_000, intervalMs: 200 },
      );
      const rejected = lines.filter((l) => l.msg === LOG_MSG_FLAG_FILE_REJECTED);
      expect(rejected).toHaveLength(before + 1);
      expect(rejected.at(-1)).toMatchObject({ level: 'error', flag_file: file });
      expect(scenarios.active()).toEqual(['cpu-block', 'log-flood']);
    }
  }, 90_000);
});

describe('the scenario gauge (the boards draw their annotations from it)', () => {
  it('one series per scenario, 1 while on; no unit, so Prometheus names it scenario_active (a unit of 1 would add _ratio)', async () => {
    const stop = observeScenarios(SCENARIO_NAMES, (name) => name === 'log-flood');
    try {
      const metric = (await collectMetrics()).scopeMetrics
        .flatMap((s) => s.metrics)
        .find((m) => m.descriptor.name === METRIC_SCENARIO_ACTIVE)!;
      expect(metric.descriptor.unit).toBe('');
      const values = Object.fromEntries(metric.dataPoints.map((p) => [p.attributes.scenario, p.value]));
      expect(values).toEqual(Object.fromEntries(SCENARIO_NAMES.map((n) => [n, n === 'log-flood' ? 1 : 0])));
    } finally {
      stop();
    }
  });
});

describe('config: the flag path env vars', () => {
  it('defaults to the in-process resolver and the repository flag file', () => {
    expect(loadConfig({}).flagFile).toBe('flags/scenarios.flagd.json');
  });
  it('a resolver other than in-process stops start-up naming the variable', () => {
    expect(() => loadConfig({ FLAGD_RESOLVER: 'rpc' })).toThrow(ConfigError);
    expect(() => loadConfig({ FLAGD_RESOLVER: 'rpc' })).toThrow(/FLAGD_RESOLVER="rpc"/);
  });
});

describe('every scenario off costs no flag evaluation', () => {
  it('no feature_flag event on any span, no evaluation counted', async () => {
    const { scenarios } = await switchOn(flagFile([]));
    const base = await serve(scenarios);
    for (const p of ['/items', '/items/1', '/health']) expect((await fetch(`${base}${p}`)).status).toBe(200);
    expect(spanExporter.getFinishedSpans().flatMap(flagEvents)).toEqual([]);
    const metrics = (await collectMetrics()).scopeMetrics.flatMap((s) => s.metrics);
    const evaluations = metrics.find((m) => m.descriptor.name === 'feature_flag.evaluation_requests_total');
    const counted = (evaluations?.dataPoints ?? []).reduce((sum, p) => sum + Number(p.value), 0);
    // The snapshot evaluates each flag once per file change, never per request.
    expect(counted).toBeLessThanOrEqual(SCENARIO_NAMES.length * started.length * 2);
  });
});

describe('each scenario, switched on, breaks what its lab page says', () => {
  it('items-errors: a share of GET /items/:id throws: 500, server span in error, the flag evaluation on it, an ERROR record', async () => {
    const { scenarios } = await switchOn(flagFile(['items-errors']));
    const base = await serve(scenarios);
    const statuses: number[] = [];
    for (let i = 1; i <= 40; i += 1) statuses.push((await fetch(`${base}/items/${i}`)).status);
    expect(statuses.filter((s) => s === 500).length).toBeGreaterThan(0);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThan(0);
    expect(statuses.every((s) => s === 200 || s === 500)).toBe(true);
    for (const span of serverSpans()) {
      const [event] = flagEvents(span);
      expect(event?.attributes?.['feature_flag.key']).toBe('items-errors');
      const failed = span.status.code === SpanStatusCode.ERROR;
      expect(event?.attributes?.['feature_flag.result.variant']).toBe(failed ? 'on' : 'off');
    }
    const errors = logExporter.getFinishedLogRecords().filter((r) => r.severityText === 'error');
    expect(errors).toHaveLength(statuses.filter((s) => s === 500).length);
    // Other routes are untouched and evaluate nothing.
    resetTelemetry();
    expect((await fetch(`${base}/items`)).status).toBe(200);
    expect(spanExporter.getFinishedSpans().flatMap(flagEvents)).toEqual([]);
  });

  it('slow-store: store.get is the long child span, with the flag evaluation on it', async () => {
    const { scenarios } = await switchOn(flagFile(['slow-store']));
    const base = await serve(scenarios);
    expect((await fetch(`${base}/items/3`)).status).toBe(200);
    const get = spanExporter.getFinishedSpans().find((s) => s.name === 'store.get')!;
    expect(flagEvents(get)[0]?.attributes?.['feature_flag.result.variant']).toBe('on');
    const ms = get.duration[0] * 1000 + get.duration[1] / 1e6;
    expect(ms).toBeGreaterThanOrEqual(800);
  });

  it('n-plus-one: one store.get per item on the page, growing with the page size, same answer', async () => {
    const { scenarios } = await switchOn(flagFile(['n-plus-one']));
    const base = await serve(scenarios);
    const plain = await serve((await switchOn(flagFile([]))).scenarios);
    for (const limit of [3, 7]) {
      resetTelemetry();
      const body = await (await fetch(`${base}/items?limit=${limit}`)).json();
      const names = spanExporter.getFinishedSpans().map((s) => s.name);
      expect(names.filter((n) => n === 'store.get')).toHaveLength(limit);
      expect(names.filter((n) => n === 'store.list_ids')).toHaveLength(1);
      const ids = (page: unknown) => (page as { items: { id: number }[] }).items.map((item) => item.id);
      expect(ids(body)).toEqual(ids(await (await fetch(`${plain}/items?limit=${limit}`)).json()));
    }
  });

  it('log-flood: each request writes its extra WARN records, in its trace', async () => {
    const { scenarios } = await switchOn(flagFile(['log-flood']));
    const base = await serve(scenarios, createLogger('info', { write: () => undefined }));
    expect((await fetch(`${base}/items/1`)).status).toBe(200);
    const flood = logExporter.getFinishedLogRecords().filter((r) => r.body === LOG_MSG_FLOOD);
    expect(flood).toHaveLength(LOG_FLOOD_RECORDS_PER_REQUEST);
    expect(new Set(flood.map((r) => r.spanContext?.traceId)).size).toBe(1);
  });

  it('cpu-block and memory-leak: GET /items blocks, every request retains; both evaluate on the span', async () => {
    const { scenarios } = await switchOn(flagFile(['cpu-block', 'memory-leak']));
    const base = await serve(scenarios);
    expect((await fetch(`${base}/items`)).status).toBe(200);
    const keys = serverSpans()
      .flatMap(flagEvents)
      .map((e) => e.attributes?.['feature_flag.key']);
    expect(keys.sort()).toEqual(['cpu-block', 'memory-leak']);
    // The block is a gap in the waterfall: nothing starts under the server span until it is over.
    const server = serverSpans()[0]!;
    const ms = (t: [number, number]) => t[0] * 1000 + t[1] / 1e6;
    const children = spanExporter
      .getFinishedSpans()
      .filter((s) => s.parentSpanContext?.spanId === server.spanContext().spanId);
    expect(children.map((c) => c.name)).toEqual(['store.list']);
    expect(ms(children[0]!.startTime) - ms(server.startTime)).toBeGreaterThanOrEqual(CPU_BLOCK_MS);
  });
});

describe('bounds: a forgotten scenario cannot take a laptop down', () => {
  it('the leak grows to its cap and stops; release gives it all back', () => {
    const leak = new MemoryLeak(1024, 10 * 1024);
    let grew = 0;
    for (let i = 0; i < 50; i += 1) if (leak.retain()) grew += 1;
    expect(grew).toBe(10);
    expect(leak.heldBytes).toBe(10 * 1024);
    leak.release();
    expect(leak.heldBytes).toBe(0);
    expect(new MemoryLeak().heldBytes).toBe(0);
    expect(LEAK_CAP_BYTES).toBeLessThanOrEqual(128 * 1024 * 1024);
  });

  it('the CPU block lasts at most CPU_BLOCK_MS, and all blocks at most the budget per second', () => {
    let now = 0;
    // A clock that advances 1 ms per reading: the busy loop ends by the clock, not by real time.
    const clock = () => (now += 1);
    const blocker = new CpuBlocker(CPU_BLOCK_MS, CPU_BLOCK_BUDGET_MS_PER_SECOND, clock);
    const granted: number[] = [];
    const start = now;
    while (now - start < 1000 - CPU_BLOCK_MS) granted.push(blocker.block());
    expect(Math.max(...granted)).toBeLessThanOrEqual(CPU_BLOCK_MS);
    const firstSecond = granted.reduce((a, b) => a + b, 0);
    expect(firstSecond).toBeLessThanOrEqual(CPU_BLOCK_BUDGET_MS_PER_SECOND);
    expect(CPU_BLOCK_BUDGET_MS_PER_SECOND).toBeLessThan(1000);
  });

  it('the log flood writes at most LOG_FLOOD_MAX_PER_SECOND records per second, whatever the request rate', () => {
    let now = 0;
    const budget = logFloodBudget(() => now);
    let written = 0;
    for (let request = 0; request < 10_000; request += 1) written += budget.take(LOG_FLOOD_RECORDS_PER_REQUEST);
    expect(written).toBe(LOG_FLOOD_MAX_PER_SECOND);
    now += 1000;
    expect(budget.take(LOG_FLOOD_RECORDS_PER_REQUEST)).toBe(LOG_FLOOD_RECORDS_PER_REQUEST);
    const small = new PerSecondBudget(5, () => now);
    expect([small.take(3), small.take(3), small.take(3)]).toEqual([3, 2, 0]);
  });
});

import { spanExporter, collectMetrics, resetTelemetry } from '../../kit/testing/otel';
import pino from 'pino';
import { beforeEach, describe, expect, it } from 'vitest';
import { clientFactory } from './aws-clients';
import { CircuitBreakers } from './circuit-breaker';
import type { InventoryCollector } from './collectors/types';
import { createMetrics } from './metrics';
import * as names from '../../kit/names/inventory';
import { regionsFor, Scheduler, type ScheduledCollector } from './scheduler';
import { InventoryState } from './state';

const REGIONS = ['us-east-1', 'eu-west-1'];
const throttle = () =>
  Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });

// Collector fakes: the seam under test is the scheduler, not the AWS calls (collectors.test.ts has those).
function flakyCollector(failuresPerRegion: number): InventoryCollector {
  const seen = new Map<string, number>();
  return {
    name: 'ec2_instances',
    kind: 'ec2_instance',
    service: 'ec2',
    scope: 'regional',
    permissions: [],
    collect: ({ region, call }) =>
      call('DescribeInstances', async () => {
        const n = (seen.get(region) ?? 0) + 1;
        seen.set(region, n);
        if (n <= failuresPerRegion) throw throttle();
        return [{ state: 'running', type: 't3.micro', region }];
      }),
  };
}
const deniedCollector: InventoryCollector = {
  name: 'rds_instances',
  kind: 'rds_instance',
  service: 'rds',
  scope: 'regional',
  permissions: [],
  collect: ({ call }) =>
    call('DescribeDBInstances', async () => {
      throw Object.assign(new Error('The security token included in the request is invalid'), {
        name: 'InvalidClientTokenId',
        $metadata: { httpStatusCode: 403 },
      });
    }),
};
const globalCollector: InventoryCollector = {
  name: 's3_buckets',
  kind: 's3_bucket',
  service: 's3',
  scope: 'global',
  permissions: [],
  collect: async () => [
    { state: 'active', type: 'general_purpose', region: 'us-east-1' },
    { state: 'active', type: 'general_purpose', region: 'ap-south-1' },
  ],
};

function build(
  collectors: ScheduledCollector[],
  breaker = { failureThreshold: 3, openMs: 60_000 },
  logger = pino({ level: 'silent' }),
) {
  const state = new InventoryState(
    collectors.flatMap(({ collector }) =>
      regionsFor(collector, REGIONS).map((t) => ({ collector: collector.name, region: t.label })),
    ),
  );
  const scheduler = new Scheduler({
    collectors,
    regions: REGIONS,
    clients: clientFactory({ endpoint: 'http://127.0.0.1:1', requestTimeoutMs: 100, maxResponseBytes: 1024 * 1024 }),
    breakers: new CircuitBreakers(breaker),
    retry: { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 2 },
    state,
    metrics: createMetrics(state),
    logger,
    maxConcurrency: 2,
    sleep: async () => undefined,
  });
  return { state, scheduler };
}

async function counterValue(metric: string, attributes: Record<string, string>): Promise<number> {
  const collected = await collectMetrics();
  let total = 0;
  for (const scope of collected.scopeMetrics) {
    for (const m of scope.metrics) {
      if (m.descriptor.name !== metric) continue;
      for (const point of m.dataPoints) {
        if (Object.entries(attributes).every(([k, v]) => point.attributes[k] === v)) total += point.value as number;
      }
    }
  }
  return total;
}

describe('Scheduler', () => {
  beforeEach(() => resetTelemetry());

  it('one cycle is one trace: a root span, a child per region; throttled calls are retried and counted', async () => {
    const collector = flakyCollector(2);
    const { state, scheduler } = build([{ collector, intervalMs: 60_000 }]);
    await scheduler.runCycle(collector);

    const spans = spanExporter.getFinishedSpans();
    const roots = spans.filter((s) => s.name === names.SPAN_CYCLE);
    expect(roots).toHaveLength(1);
    const root = roots[0]!;
    expect(root.parentSpanContext).toBeUndefined();
    const children = spans.filter((s) => s.name === names.SPAN_COLLECT);
    expect(children.map((s) => s.attributes[names.SPAN_ATTR_REGION]).sort()).toEqual(['eu-west-1', 'us-east-1']);
    for (const child of children) {
      expect(child.spanContext().traceId).toBe(root.spanContext().traceId);
      expect(child.parentSpanContext?.spanId).toBe(root.spanContext().spanId);
      expect(child.events.filter((e) => e.name === 'aws.call.failed')).toHaveLength(2);
    }

    expect(state.resourceSeries()).toHaveLength(2);
    expect(state.ready()).toBe(true);
    for (const region of REGIONS) {
      expect(
        await counterValue(names.METRIC_COLLECTION_ERRORS, { collector: 'ec2_instances', region, kind: 'throttling' }),
      ).toBe(2);
      expect(await counterValue(names.METRIC_RETRIES, { collector: 'ec2_instances', region })).toBe(2);
    }
  });

  it('credentials failures are not retried, mark the collector failed and never reject the cycle', async () => {
    const { state, scheduler } = build([{ collector: deniedCollector, intervalMs: 60_000 }]);
    await expect(scheduler.runCycle(deniedCollector)).resolves.toBeUndefined();
    const statuses = state.collectorStatuses();
    expect(statuses.map((s) => [s.region, s.status, s.lastErrorKind])).toEqual([
      ['us-east-1', 'failed', 'credentials'],
      ['eu-west-1', 'failed', 'credentials'],
    ]);
    expect(
      await counterValue(names.METRIC_COLLECTION_ERRORS, { collector: 'rds_instances', kind: 'credentials' }),
    ).toBe(2);
    const root = spanExporter.getFinishedSpans().find((s) => s.name === names.SPAN_CYCLE)!;
    expect(root.status.code).toBe(2);
  });

  it('after the breaker opens, calls are refused without reaching AWS and counted as circuit_open', async () => {
    let attempts = 0;
    const down: InventoryCollector = {
      ...deniedCollector,
      collect: ({ call }) =>
        call('DescribeDBInstances', async () => {
          attempts++;
          throw Object.assign(new Error('boom'), { name: 'ValidationError', $metadata: { httpStatusCode: 400 } });
        }),
    };
    const { scheduler } = build([{ collector: down, intervalMs: 60_000 }], { failureThreshold: 1, openMs: 60_000 });
    await scheduler.runCycle(down);
    expect(attempts).toBe(2);
    await scheduler.runCycle(down);
    expect(attempts).toBe(2);
    expect(
      await counterValue(names.METRIC_COLLECTION_ERRORS, { collector: 'rds_instances', kind: 'circuit_open' }),
    ).toBe(2);
  });

  it('a global collector runs once per cycle, labelled global, its resources keeping their own regions', async () => {
    const { state, scheduler } = build([{ collector: globalCollector, intervalMs: 60_000 }]);
    await scheduler.runCycle(globalCollector);
    expect(state.collectorStatuses().map((s) => s.region)).toEqual(['global']);
    expect(
      state
        .resourceSeries()
        .map((s) => s.region)
        .sort(),
    ).toEqual(['ap-south-1', 'us-east-1']);
  });

  it('runs each collector on its interval and stops cleanly: no cycle starts after stop', async () => {
    let cycles = 0;
    const counting: InventoryCollector = { ...globalCollector, collect: async () => (cycles++, []) };
    const { scheduler } = build([{ collector: counting, intervalMs: 5 }]);
    scheduler.start();
    for (let i = 0; i < 200 && cycles < 3; i++) await new Promise((r) => setTimeout(r, 5));
    expect(cycles).toBeGreaterThanOrEqual(3);
    await expect(scheduler.stop(1000)).resolves.toBe(true);
    const atStop = cycles;
    await new Promise((r) => setTimeout(r, 30));
    expect(cycles).toBe(atStop);
  });

  it('stop is bounded: a hung cycle does not hold shutdown past the timeout', async () => {
    const hung: InventoryCollector = { ...globalCollector, collect: () => new Promise(() => undefined) };
    const { scheduler } = build([{ collector: hung, intervalMs: 5 }]);
    scheduler.start();
    await new Promise((r) => setTimeout(r, 20));
    await expect(scheduler.stop(50)).resolves.toBe(false);
  });

  it('thousands of instance types: the current counts stay whole (no otel.metric.overflow) and the cap is logged', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) });
    const manyTypes: InventoryCollector = {
      name: 'lambda_functions',
      kind: 'lambda_function',
      service: 'lambda',
      scope: 'regional',
      permissions: [],
      collect: async ({ region }) =>
        Array.from({ length: 1_500 }, (_, i) => ({ state: 'active', type: `runtime-${i}`, region })),
    };
    const { state, scheduler } = build([{ collector: manyTypes, intervalMs: 60_000 }], undefined, logger);
    await scheduler.runCycle(manyTypes);
    const collected = await collectMetrics();
    const gauge = collected.scopeMetrics
      .flatMap((s) => s.metrics)
      .find((m) => m.descriptor.name === names.METRIC_RESOURCES);
    const points = (gauge?.dataPoints ?? []).filter((p) => p.attributes[names.ATTR_KIND] === 'lambda_function');
    expect(points.some((p) => 'otel.metric.overflow' in p.attributes)).toBe(false);
    for (const region of REGIONS)
      expect(
        points.filter((p) => p.attributes[names.ATTR_REGION] === region).reduce((n, p) => n + (p.value as number), 0),
      ).toBe(1_500);
    expect(state.resourceSeries().length).toBeLessThanOrEqual(state.maxSeries + REGIONS.length);
    expect(lines.join('')).toMatch(/series cap reached/);
  });
});

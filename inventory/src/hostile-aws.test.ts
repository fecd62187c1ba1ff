// The inventory against AWS endpoints that misbehave (test-support/hostile-aws.ts): the real SDK
// clients and collectors, the real scheduler, metrics and status server. The rules under test:
// every AWS call ends within its bound; what it ends with is classified, counted and shown in
// /health; no answer is trusted for being a 200.
import { resetTelemetry } from '../../kit/testing/otel';
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clientFactory } from './aws-clients';
import { CircuitBreakers } from './circuit-breaker';
import { ebsVolumes } from './collectors/ebs-volumes';
import { ec2Instances } from './collectors/ec2-instances';
import { lambdaFunctions } from './collectors/lambda-functions';
import type { InventoryCollector } from './collectors/types';
import { createStatusServer } from './http';
import * as names from '../../kit/names/inventory';
import { regionsFor } from './scheduler';
import { InventoryState } from './state';
import { seed } from './seed/seed';
import { counterTotal, fastScheduler } from './test-support/fast-scheduler';
import { HostileAws, type HostileMode } from './test-support/hostile-aws';

process.env.AWS_ACCESS_KEY_ID ??= 'hostile';
process.env.AWS_SECRET_ACCESS_KEY ??= 'hostile';

let endpoint: HostileAws | undefined;
beforeEach(() => resetTelemetry());
afterEach(async () => {
  await endpoint?.stop();
  endpoint = undefined;
});

const counter = counterTotal;

/** Each test its own region, so the process-wide counters start at 0 for it. */
async function against(
  mode: HostileMode,
  region: string,
  collectors: InventoryCollector[] = [ec2Instances],
  options: { requestTimeoutMs?: number; maxResponseBytes?: number } = {},
) {
  endpoint = new HostileAws(mode);
  const url = await endpoint.start();
  const state = new InventoryState(
    collectors.flatMap((c) => regionsFor(c, [region]).map((t) => ({ collector: c.name, region: t.label }))),
  );
  const breakers = new CircuitBreakers({ failureThreshold: 100, openMs: 60_000 });
  const scheduler = fastScheduler({
    collectors,
    regions: [region],
    clients: clientFactory({
      endpoint: url,
      requestTimeoutMs: options.requestTimeoutMs ?? 300,
      maxResponseBytes: options.maxResponseBytes ?? 1024 * 1024,
    }),
    breakers,
    state,
  });
  const status = createStatusServer(state, 'test', () => breakers.notClosed());
  const health = async () => (await request(status).get('/health')).body as { status: string };
  return { state, scheduler, health };
}

describe('an AWS endpoint that accepts and never answers', () => {
  it('every attempt ends at the bound as a network error, is retried and counted; every collector still runs, fails, and /health says degraded', async () => {
    const collectors = [ec2Instances, ebsVolumes, lambdaFunctions];
    const { state, scheduler, health } = await against({ kind: 'silent' }, 'ap-south-2', collectors);
    const started = Date.now();
    await Promise.all(collectors.map((c) => scheduler.runCycle(c)));
    // 3 collectors x 2 attempts x 300 ms through one slot, plus slack for a loaded machine.
    expect(Date.now() - started).toBeLessThan(6_000);
    expect(state.ready()).toBe(true);
    expect(state.collectorStatuses().map((s) => [s.collector, s.status, s.lastErrorKind])).toEqual([
      ['ec2_instances', 'failed', 'network'],
      ['ebs_volumes', 'failed', 'network'],
      ['lambda_functions', 'failed', 'network'],
    ]);
    for (const c of collectors) {
      const labels = { collector: c.name, region: 'ap-south-2', kind: 'network' };
      expect(await counter(names.METRIC_COLLECTION_ERRORS, labels), c.name).toBe(2);
      expect(await counter(names.METRIC_RETRIES, labels), c.name).toBe(1);
    }
    expect(endpoint!.requests).toBe(6);
    expect((await health()).status).toBe('degraded');
  }, 10_000);

  it('a body that trickles in forever: the attempt still ends at its bound', async () => {
    const { state, scheduler } = await against({ kind: 'trickle', everyMs: 50 }, 'ap-south-1');
    const started = Date.now();
    await scheduler.runCycle(ec2Instances);
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(state.collectorStatuses()[0]).toMatchObject({ status: 'failed', lastErrorKind: 'network' });
  }, 10_000);
});

describe('an answer larger than the cap', () => {
  it.each([
    ['declared up front (Content-Length)', true],
    ['not declared (read until the connection closes)', false],
  ])(
    '%s: the attempt fails as bad_response, not retried, and nothing of it is counted',
    async (_name, declareLength) => {
      const region = declareLength ? 'me-south-1' : 'me-central-1';
      const { state, scheduler, health } = await against(
        { kind: 'huge', bytes: 8 * 1024 * 1024, declareLength },
        region,
        [ec2Instances],
        { maxResponseBytes: 1024 * 1024 },
      );
      await scheduler.runCycle(ec2Instances);
      expect(state.collectorStatuses()[0]).toMatchObject({ status: 'failed', lastErrorKind: 'bad_response' });
      expect(state.resourceSeries()).toEqual([]);
      expect(endpoint!.requests).toBe(1);
      expect(
        await counter(names.METRIC_COLLECTION_ERRORS, { collector: 'ec2_instances', region, kind: 'bad_response' }),
      ).toBe(1);
      expect((await health()).status).toBe('degraded');
    },
  );

  it('an answer under the cap is read and counted as before', async () => {
    const { state, scheduler } = await against(
      { kind: 'huge', bytes: 64 * 1024, declareLength: false },
      'il-central-1',
      [ec2Instances],
      { maxResponseBytes: 1024 * 1024 },
    );
    await scheduler.runCycle(ec2Instances);
    expect(state.collectorStatuses()[0]).toMatchObject({ status: 'ok' });
    expect(state.resourceSeries()[0]).toMatchObject({ state: 'running', type: 't3.micro' });
    expect(state.resourceSeries()[0]!.count).toBeGreaterThan(100);
  });
});

describe('a success that is not one', () => {
  it('an empty 200: bad_response, counted; the previous counts stay and /health is degraded', async () => {
    const region = 'af-south-1';
    const { state, scheduler, health } = await against({ kind: 'huge', bytes: 4096, declareLength: true }, region);
    await scheduler.runCycle(ec2Instances);
    const before = state.resourceSeries();
    expect(before[0]!.count).toBeGreaterThan(0);
    endpoint!.mode = { kind: 'empty_200' };
    await scheduler.runCycle(ec2Instances);
    expect(state.collectorStatuses()[0]).toMatchObject({ status: 'failed', lastErrorKind: 'bad_response' });
    expect(state.resourceSeries()).toEqual(before);
    expect(
      await counter(names.METRIC_COLLECTION_ERRORS, { collector: 'ec2_instances', region, kind: 'bad_response' }),
    ).toBe(1);
    expect((await health()).status).toBe('degraded');
  });
});

describe('the seed (a one-shot against moto)', () => {
  it('a moto that accepts and never answers: the seed fails at its bound instead of hanging', async () => {
    endpoint = new HostileAws({ kind: 'silent' });
    const url = await endpoint.start();
    const started = Date.now();
    await expect(
      seed(url, { requestTimeoutMs: 200, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }),
    ).rejects.toMatchObject({ name: 'TimeoutError' });
    // Three attempts (the seed's maxAttempts) at the bound, with the SDK's backoff between them.
    expect(Date.now() - started).toBeLessThan(5_000);
  }, 10_000);
});

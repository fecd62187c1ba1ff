// Fault tests on the native stack (`npm run test:faults`): a backend or the collector goes away
// in the middle of a counted k6 run, and afterwards every signal is counted again, per route,
// against what k6 sent. Each case prints sent / delivered per signal. Loss is allowed only where
// it is explained (the collector down: nothing can receive what the SDK sends then), and even
// there it is measured and bounded, never ignored.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as inventory from '../kit/names/inventory.ts';
import * as names from '../kit/names/service.ts';
import { traceparent } from '../kit/trace-ids.ts';
import { isServerSpan, jaegerTrace, lokiDoorRecords, promInstant, spanTag } from './backends.ts';
import {
  accessRecordsOfRun,
  inventoryResourceCounts,
  sameCounts,
  seededResourceCounts,
  doorAccessRecordsByRoute,
  jaegerServerSpansByRoute,
  matches,
  requestCountsByRoute,
  settledRequestCounts,
  total,
  tracesMissingInJaeger,
} from './counts.ts';
import { runLoad, startE2eStack, type E2eStack, type LoadRun } from './harness.ts';
import { fetchJson, pollUntil } from '../kit/testing/poll.ts';
import { countsByRoute } from './routes.ts';
import { measureBurst } from './bench/stack-measures.ts';

/** A counted run long enough to hold a 30 s outage with traffic before and after it. */
const BURST = { iterations: 1200, duration: '60s' };
const OUTAGE_MS = 30_000;
const OUTAGE_STARTS_AFTER_MS = 12_000;

let stack: E2eStack;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  stack = await startE2eStack();
});

afterAll(async () => {
  await stack?.stop();
});

/** Runs a counted burst with a fault injected 12 s in and lifted 30 s later. */
async function burstWithOutage(
  runId: string,
  fault: { begin: () => Promise<void>; end: () => Promise<void> },
): Promise<{ load: LoadRun; startSec: number }> {
  const startSec = Date.now() / 1000 - 5;
  const load = runLoad(stack, {
    profile: 'counted',
    runId,
    iterations: BURST.iterations,
    env: { DURATION: BURST.duration },
  });
  await sleep(OUTAGE_STARTS_AFTER_MS);
  await fault.begin();
  await sleep(OUTAGE_MS);
  await fault.end();
  return { load: await load, startSec };
}

function report(name: string, sent: Map<string, number>, delivered: Record<string, Map<string, number>>): void {
  const lines = [`${name}: sent ${total(sent)} requests (${JSON.stringify(Object.fromEntries(sent))})`];
  for (const [signal, got] of Object.entries(delivered))
    lines.push(`  ${signal.padEnd(28)} delivered ${total(got)} of ${total(sent)}`);
  console.log(lines.join('\n'));
}

describe('a backend goes away for 30 s mid-burst: the collector queues and retries, nothing is lost', () => {
  it('Jaeger stopped and started again: every span sent during and after the outage reaches Jaeger', async () => {
    const runId = `fault-jaeger-${randomUUID().slice(0, 8)}`;
    let downAtNs = 0n;
    const { load, startSec } = await burstWithOutage(runId, {
      begin: async () => {
        downAtNs = BigInt(Date.now()) * 1_000_000n;
        await stack.native.halt('jaeger', 'SIGTERM');
      },
      end: () => stack.native.resume('jaeger'),
    });
    expect(load.exitCode, load.outputTail).toBe(0);
    const sent = countsByRoute(load.requestsByName);
    // Jaeger keeps traces in memory, so a restart empties it: what it held before the outage is
    // gone by design. The requests answered from the moment it went down are known exactly from
    // the other, healthy path: their access records at Loki's door carry time and trace id.
    const access = await accessRecordsOfRun(stack.urls.loki, runId, total(sent));
    expect(access.length, 'access records at the door (the reference for this case)').toBe(total(sent));
    const sentSinceDown = new Set(
      access.filter((r) => BigInt(r.otlp.timeUnixNano) >= downAtNs).map((r) => r.otlp.traceId),
    );
    expect(sentSinceDown.size, 'requests answered during and after the outage').toBeGreaterThan(total(sent) / 3);
    // The collector's gRPC client backs off while Jaeger is away; allow it time to reconnect.
    const missing = () => tracesMissingInJaeger(stack.urls.jaeger, runId, sentSinceDown, startSec, total(sent) * 2);
    const notInJaeger = await pollUntil(missing, (m) => m.length === 0, { timeoutMs: 150_000, intervalMs: 5_000 });
    console.log(
      `Jaeger down 30 s: ${total(sent)} requests sent; ${sentSinceDown.size} during and after the outage, of which ${sentSinceDown.size - notInJaeger.length} have their server span in Jaeger`,
    );
    expect(notInJaeger.slice(0, 10), `${notInJaeger.length} traces missing`).toEqual([]);
  });

  it("the log path refuses (503) for 30 s: every log record reaches Loki's door", async () => {
    const runId = `fault-logs-${randomUUID().slice(0, 8)}`;
    const { load } = await burstWithOutage(runId, {
      begin: async () => {
        const res = await fetch(`${stack.urls.loki}/door/outage`, {
          method: 'POST',
          body: JSON.stringify({ seconds: OUTAGE_MS / 1000 }),
          signal: AbortSignal.timeout(5_000),
        });
        expect(res.status).toBe(200);
      },
      end: async () => undefined,
    });
    expect(load.exitCode, load.outputTail).toBe(0);
    const sent = countsByRoute(load.requestsByName);
    const records = await pollUntil(
      () => doorAccessRecordsByRoute(stack.urls.loki, runId),
      (c) => matches(sent, c),
      { timeoutMs: 120_000, intervalMs: 5_000 },
    );
    report("log path down 30 s (Loki's door answering 503)", sent, { 'access records at the door': records });
    expect(Object.fromEntries(records)).toEqual(Object.fromEntries(sent));
  });

  it('Prometheus stopped and started again: request_count grows by exactly what k6 sent', async () => {
    const runId = `fault-prom-${randomUUID().slice(0, 8)}`;
    const before = await settledRequestCounts(stack.urls.prometheus);
    const { load } = await burstWithOutage(runId, {
      begin: async () => void (await stack.native.halt('prometheus', 'SIGTERM')),
      end: () => stack.native.resume('prometheus'),
    });
    expect(load.exitCode, load.outputTail).toBe(0);
    const sent = countsByRoute(load.requestsByName);
    const delta = (now: Map<string, number>) =>
      new Map([...sent.keys()].map((route) => [route, (now.get(route) ?? 0) - (before.get(route) ?? 0)]));
    const after = await pollUntil(
      () => requestCountsByRoute(stack.urls.prometheus),
      (now) => matches(sent, delta(now)),
      { timeoutMs: 120_000, intervalMs: 5_000 },
    );
    report('Prometheus down 30 s', sent, { 'request_count delta': delta(after) });
    expect(Object.fromEntries(delta(after))).toEqual(Object.fromEntries(sent));
  });
});

describe('a slow path: Loki holds every answer 3 s during a 1,000 rps burst of 30 s', () => {
  it('nothing is dropped: every request has its metric sample, its span and its access record', async () => {
    const res = await fetch(`${stack.urls.loki}/door/slow`, {
      method: 'POST',
      body: JSON.stringify({ ms: 3_000, seconds: 40 }),
      signal: AbortSignal.timeout(5_000),
    });
    expect(res.status).toBe(200);
    const { p5 } = await measureBurst(stack, { targetRps: 1000, seconds: 30, log: (line) => console.log(line) });
    const lines = Object.entries(p5.delivered).map(
      ([signal, d]) => `  ${signal.padEnd(36)} delivered ${d.got} of ${d.sent}`,
    );
    console.log(
      [
        `slow Loki (3 s per answer) under ${p5.achievedRps.toFixed(0)} rps for 30 s (k6 dropped ${p5.droppedIterations} iterations it could not start):`,
        ...lines,
      ].join('\n'),
    );
    // A real burst, not a trickle: k6 on the shared cores reaches about 29,000 of 30,000 alone, and
    // 14,506 was measured with two other test suites on the same 2 cores. The claim is delivery at
    // whatever rate was reached, so the guard only rules out a run too small to fill the queues.
    expect(Object.values(p5.delivered)[0]!.sent).toBeGreaterThan(10_000);
    for (const [signal, d] of Object.entries(p5.delivered)) expect(d.got, signal).toBe(d.sent);
  });
});

describe('the collector is killed for 30 s mid-burst', () => {
  it('the service keeps answering with bounded memory, only what was sent while it was down is lost, and telemetry resumes by itself', async () => {
    const runId = `fault-collector-${randomUUID().slice(0, 8)}`;
    const service = stack.native.components.find((c) => c.name === 'service')!;
    const rssMiB = () =>
      Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${service.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
    const rssBefore = rssMiB();
    let rssPeak = rssBefore;
    let sampler: NodeJS.Timeout | undefined;
    let downAt = 0;
    let upAt = 0;
    const { load, startSec } = await burstWithOutage(runId, {
      begin: async () => {
        downAt = Date.now();
        await stack.native.halt('collector', 'SIGKILL');
        sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssMiB())), 1_000);
      },
      end: async () => {
        await stack.native.resume('collector');
        upAt = Date.now();
        clearInterval(sampler);
      },
    });
    // k6's thresholds include checks > 99 %: the service answered as usual throughout.
    expect(load.exitCode, load.outputTail).toBe(0);
    const sent = countsByRoute(load.requestsByName);
    // Let the last exports land, then count what arrived.
    await sleep(20_000);
    const spans = await jaegerServerSpansByRoute(stack.urls.jaeger, runId, startSec, total(sent));
    const records = await doorAccessRecordsByRoute(stack.urls.loki, runId);
    const downSeconds = (upAt - downAt) / 1000;
    report(`collector killed for ${downSeconds.toFixed(0)} s`, sent, {
      'server spans in Jaeger': spans,
      'access records at the door': records,
    });
    console.log(
      `  service RSS: ${rssBefore.toFixed(0)} MiB before, ${rssPeak.toFixed(0)} MiB peak while the collector was down`,
    );
    // Explained loss: what the SDK exported while nothing listened (its exporter drops a batch it
    // cannot send), plus one batch interval on each side (spans every 1 s, logs every 5 s).
    const runSeconds = Number.parseInt(BURST.duration, 10);
    const explained = Math.ceil((total(sent) * (downSeconds + 2 * 5)) / runSeconds);
    for (const [signal, got] of [['spans', spans] as const, ['log records', records] as const]) {
      const lost = total(sent) - total(got);
      console.log(`  ${signal}: lost ${lost}; the outage explains up to ${explained}`);
      expect(lost, `${signal}: more delivered than sent`).toBeGreaterThanOrEqual(0);
      expect(lost, `${signal}: lost ${lost} of ${total(sent)}, more than the outage explains`).toBeLessThanOrEqual(
        explained,
      );
    }
    // Bounded: the SDK's queues are capped (OTEL_BSP/BLRP_MAX_QUEUE_SIZE), so memory is too.
    expect(rssPeak - rssBefore, 'service RSS growth while the collector was down (MiB)').toBeLessThan(150);

    // Resumed by itself: a new run after the restart arrives whole, with nothing restarted by hand.
    const afterId = `${runId}-after`;
    const after = await runLoad(stack, { profile: 'counted', runId: afterId, iterations: 100 });
    expect(after.exitCode, after.outputTail).toBe(0);
    const afterSent = countsByRoute(after.requestsByName);
    const afterSpans = await pollUntil(
      () => jaegerServerSpansByRoute(stack.urls.jaeger, afterId, startSec, total(afterSent)),
      (c) => matches(afterSent, c),
      { timeoutMs: 60_000 },
    );
    const afterRecords = await pollUntil(
      () => doorAccessRecordsByRoute(stack.urls.loki, afterId),
      (c) => matches(afterSent, c),
      { timeoutMs: 60_000 },
    );
    report('after the restart', afterSent, {
      'server spans in Jaeger': afterSpans,
      'access records at the door': afterRecords,
    });
    expect(Object.fromEntries(afterSpans)).toEqual(Object.fromEntries(afterSent));
    expect(Object.fromEntries(afterRecords)).toEqual(Object.fromEntries(afterSent));
  });
});

describe('queued data survives a collector restart (persistent sending queues)', () => {
  it('spans queued for an absent Jaeger outlive a SIGKILL of the collector and arrive once both are back', async () => {
    const runId = `fault-queue-${randomUUID().slice(0, 8)}`;
    const startSec = Date.now() / 1000 - 5;
    await stack.native.halt('jaeger', 'SIGTERM');
    const load = await runLoad(stack, { profile: 'counted', runId, iterations: 300, env: { DURATION: '10s' } });
    expect(load.exitCode, load.outputTail).toBe(0);
    const sent = countsByRoute(load.requestsByName);
    // The reference: every answered request's access record, through the healthy log path.
    const access = await accessRecordsOfRun(stack.urls.loki, runId, total(sent));
    expect(access.length).toBe(total(sent));
    // Every span has reached the collector's queue by now (the SDK exports each second).
    await sleep(5_000);
    await stack.native.halt('collector', 'SIGKILL');
    await stack.native.resume('collector');
    await stack.native.resume('jaeger');
    const ids = access.map((r) => r.otlp.traceId);
    const missing = () => tracesMissingInJaeger(stack.urls.jaeger, runId, ids, startSec, total(sent) * 2);
    const notInJaeger = await pollUntil(missing, (m) => m.length === 0, { timeoutMs: 150_000, intervalMs: 5_000 });
    console.log(
      `collector killed with ${total(sent)} requests' spans queued for an absent Jaeger: ${total(sent) - notInJaeger.length} of ${total(sent)} arrived after both came back`,
    );
    expect(notInJaeger.slice(0, 10), `${notInJaeger.length} traces missing`).toEqual([]);
  });
});

describe('SIGTERM to the service mid-burst', () => {
  it('exits 0, and every request it answered has its span in Jaeger and its access record at the door', async () => {
    const runId = `fault-sigterm-${randomUUID().slice(0, 8)}`;
    const answered: string[] = [];
    let stopping = false;
    // Our own bounded request loop (k6 would count the refused requests after exit as failures).
    const loop = (async () => {
      for (let i = 0; i < 2_000 && !stopping; i++) {
        const traceId = `${Math.floor(Date.now() / 1000).toString(16)}${randomUUID().replace(/-/g, '').slice(0, 24)}`;
        try {
          const res = await fetch(`${stack.urls.service}/items?limit=5`, {
            headers: {
              traceparent: traceparent(traceId, randomUUID().replace(/-/g, '').slice(0, 16)),
              baggage: `run_id=${runId}`,
            },
            signal: AbortSignal.timeout(5_000),
          });
          await res.arrayBuffer();
          if (res.status === 200) answered.push(traceId);
        } catch {
          // refused or reset once the server closed: not answered, not counted
        }
        await sleep(20);
      }
    })();
    await sleep(5_000);
    const exit = await stack.native.halt('service', 'SIGTERM');
    stopping = true;
    await loop;
    expect(exit, 'the service exit').toEqual({ code: 0, signal: null });
    expect(answered.length).toBeGreaterThan(50);

    const missing = async () => {
      const checks = await Promise.all(
        answered.map(async (id) =>
          ((await jaegerTrace(stack.urls.jaeger, id))?.spans ?? []).some(
            (s) => isServerSpan(s) && spanTag(s, names.ATTR_LOADGEN_RUN_ID) === runId,
          ),
        ),
      );
      return answered.filter((_, i) => !checks[i]);
    };
    const notInJaeger = await pollUntil(missing, (m) => m.length === 0, { timeoutMs: 60_000, intervalMs: 5_000 });
    const accessIds = new Set(
      (
        await pollUntil(
          () => lokiDoorRecords(stack.urls.loki),
          (rs) => answered.every((id) => rs.some((r) => r.otlp.traceId === id)),
          { timeoutMs: 60_000, intervalMs: 5_000 },
        )
      ).map((r) => r.otlp.traceId),
    );
    const notAtDoor = answered.filter((id) => !accessIds.has(id));
    console.log(
      `SIGTERM mid-burst: answered ${answered.length}; spans delivered ${answered.length - notInJaeger.length}; log records delivered ${answered.length - notAtDoor.length}`,
    );
    expect(notInJaeger).toEqual([]);
    expect(notAtDoor).toEqual([]);
    await stack.native.resume('service');
  });
});

describe('the AWS API goes away for 30 s: the inventory keeps serving, counts why, rests its circuits, and recovers', () => {
  const service = `${names.LABEL_SERVICE_NAME}="${inventory.SERVICE_NAME}"`;
  const sum = async (query: string) => Number((await promInstant(stack.urls.prometheus, query))[0]?.value?.[1] ?? 0);
  const errorsOf = (kind: string) => sum(`sum(${inventory.PROM_COLLECTION_ERRORS}{${service}, kind="${kind}"})`);
  type Health = {
    status: string;
    collectors: { collector: string; region: string; status: string; lastErrorKind?: string }[];
  };
  const health = () => fetchJson<Health>(`${stack.urls.inventory}/health`);
  const counts = () => inventoryResourceCounts(stack.urls.prometheus);

  it('network errors and open circuits are counted, /health says degraded, the counts stay, and every collector is ok again after', async () => {
    const expected = seededResourceCounts();
    const pid = stack.native.components.find((c) => c.name === 'inventory')!.pid;
    const before = { network: await errorsOf('network'), circuit: await errorsOf('circuit_open') };
    stack.throttleProxy.setOutage(true);
    let during: Health;
    try {
      during = await pollUntil(health, (h) => h.collectors.filter((c) => c.status === 'failed').length >= 3, {
        timeoutMs: OUTAGE_MS,
        intervalMs: 2_000,
      });
      await sleep(Math.max(0, OUTAGE_MS - 10_000));
    } finally {
      stack.throttleProxy.setOutage(false);
    }
    expect(during.status).toBe('degraded');
    const failedKinds = new Set(during.collectors.filter((c) => c.status === 'failed').map((c) => c.lastErrorKind));
    expect(
      [...failedKinds].every((k) => k === 'network' || k === 'circuit_open'),
      [...failedKinds].join(', '),
    ).toBe(true);
    expect(() => process.kill(pid, 0), 'the inventory process is still the same, alive').not.toThrow();
    // A failed collection keeps the previous count: the gauge still shows the seeded account.
    expect(await counts()).toEqual(expected);

    const after = await pollUntil(health, (h) => h.status === 'ok' && h.collectors.every((c) => c.status === 'ok'), {
      timeoutMs: 90_000,
      intervalMs: 3_000,
    });
    expect(after.collectors.filter((c) => c.status !== 'ok')).toEqual([]);
    const grown = await pollUntil(
      async () => ({
        network: (await errorsOf('network')) - before.network,
        circuit: (await errorsOf('circuit_open')) - before.circuit,
      }),
      (g) => g.network > 0 && g.circuit > 0,
      { timeoutMs: 20_000, intervalMs: 2_000 },
    );
    console.log(
      `inventory during a 30 s AWS outage: ${grown.network} network errors, ${grown.circuit} calls refused by open circuits; recovered, pid ${pid} unchanged`,
    );
    expect(grown.network).toBeGreaterThan(0);
    expect(grown.circuit).toBeGreaterThan(0);
    expect(await pollUntil(counts, (c) => sameCounts(c, expected), { timeoutMs: 20_000 })).toEqual(expected);
  });
});

// P2, P4 and P5 on the native stack: how fresh a request's trace and log record are under a
// steady load, how much memory every process of the stack holds, and what a 1,000 rps k6 burst
// achieves with everything on the same cores, telemetry delivery included.
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import * as names from '../../kit/names/service.ts';
import { traceparent } from '../../kit/trace-ids.ts';
import { RECORDS_PATH } from '../../native/loki-door/server.ts';
import {
  JAEGER_SPANMETRICS,
  SPANMETRICS_LABEL_SERVICE,
  SPANMETRICS_LABEL_SPAN_KIND,
  SPANMETRICS_SERVER_SPAN_KIND,
} from '../../kit/names/external.ts';
import { jaegerTrace, promInstant } from '../backends.ts';
import { requestCountsByRoute, settledRequestCounts, total } from '../counts.ts';
import { runLoad, type E2eStack } from '../harness.ts';
import { fetchJson } from '../../kit/testing/poll.ts';
import { countsByRoute } from '../routes.ts';
import { percentiles, type BenchResults } from './report.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resident memory of a component: every process of its group (a launcher and the program it starts). */
function groupRssMiB(pgid: number): number {
  let kib = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Field 5 of /proc/<pid>/stat is the process group; the command name (field 2) may hold spaces.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) !== pgid) continue;
      kib += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${entry}/status`, 'utf8'))?.[1] ?? 0);
    } catch {
      // the process ended between the listing and the read
    }
  }
  return kib / 1024;
}

export function stackRss(stack: E2eStack): Record<string, number> {
  return Object.fromEntries(stack.native.components.map((c) => [c.name, groupRssMiB(c.pid)]));
}

async function firstSeen(probe: () => Promise<boolean>, startedAt: number, timeoutMs: number): Promise<number> {
  const deadline = startedAt + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return Date.now() - startedAt;
    await sleep(100);
  }
  return Number.POSITIVE_INFINITY;
}

/** P2: probes sent 0.5 s apart during a steady background load; each polled until visible. */
export async function measureFreshness(
  stack: E2eStack,
  opts: { backgroundRps: number; probes: number; log: (line: string) => void },
): Promise<BenchResults['p2']> {
  const seconds = Math.ceil(opts.probes * 0.5 + 25);
  const background = runLoad(stack, {
    profile: 'soak',
    runId: `bench-bg-${randomUUID().slice(0, 6)}`,
    env: { RATE: String(opts.backgroundRps), DURATION: `${seconds}s`, MAX_VUS: '200' },
  });
  await sleep(3_000);
  const traceMs: number[] = [];
  const logMs: number[] = [];
  const probes: Promise<void>[] = [];
  for (let i = 0; i < opts.probes; i++) {
    const traceId = `${Math.floor(Date.now() / 1000).toString(16)}${randomUUID().replace(/-/g, '').slice(0, 24)}`;
    const sentAt = Date.now();
    const res = await fetch(`${stack.urls.service}/items/1`, {
      headers: { traceparent: traceparent(traceId, randomUUID().replace(/-/g, '').slice(0, 16)) },
    });
    await res.arrayBuffer();
    probes.push(
      (async () => {
        const [trace, log] = await Promise.all([
          firstSeen(
            async () => ((await jaegerTrace(stack.urls.jaeger, traceId))?.spans.length ?? 0) > 0,
            sentAt,
            30_000,
          ),
          firstSeen(
            async () =>
              (await fetchJson<{ count: number }>(`${stack.urls.loki}${RECORDS_PATH}?trace_id=${traceId}&count=1`))
                .count > 0,
            sentAt,
            30_000,
          ),
        ]);
        traceMs.push(trace);
        logMs.push(log);
      })(),
    );
    await sleep(500);
  }
  await Promise.all(probes);
  const load = await background;
  opts.log(`P2: ${opts.probes} probes under ${opts.backgroundRps} rps (k6 exit ${load.exitCode})`);
  return { traceToJaegerMs: percentiles(traceMs), logToDoorMs: percentiles(logMs), backgroundRps: opts.backgroundRps };
}

async function serverSpansInSpanMetrics(stack: E2eStack): Promise<number> {
  const q = `sum(${JAEGER_SPANMETRICS.calls}{${SPANMETRICS_LABEL_SERVICE}="${names.SERVICE_NAME}", ${SPANMETRICS_LABEL_SPAN_KIND}="${SPANMETRICS_SERVER_SPAN_KIND}"})`;
  return Number((await promInstant(stack.urls.prometheus, q))[0]?.value?.[1] ?? 0);
}

/** P4 (burst part) and P5: a counted run at targetRps for 30 s, memory sampled every second. */
export async function measureBurst(
  stack: E2eStack,
  opts: { targetRps: number; seconds: number; log: (line: string) => void },
): Promise<{ p5: BenchResults['p5']; peakMiB: Record<string, number> }> {
  const runId = `bench-burst-${randomUUID().slice(0, 6)}`;
  const beforeCounts = await settledRequestCounts(stack.urls.prometheus);
  const beforeSpans = await serverSpansInSpanMetrics(stack);
  const peak: Record<string, number> = {};
  const sampler = setInterval(() => {
    for (const [name, mib] of Object.entries(stackRss(stack))) peak[name] = Math.max(peak[name] ?? 0, mib);
  }, 1_000);
  const iterations = opts.targetRps * opts.seconds;
  const load = await runLoad(stack, {
    profile: 'counted',
    runId,
    iterations,
    env: { DURATION: `${opts.seconds}s`, VUS: '100', MAX_VUS: '600', P95_MS: '10000' },
  });
  clearInterval(sampler);
  opts.log(`P5: k6 exit ${load.exitCode}`);
  const byRoute = countsByRoute(load.requestsByName);
  const sent = total(byRoute);
  // Let the pipeline drain (export intervals, queues), then count each signal once.
  await sleep(25_000);
  const afterCounts = await requestCountsByRoute(stack.urls.prometheus);
  // Only the routes k6 drove: request_count also counts /health (k6's preflight, probes).
  const metricDelta = [...byRoute.keys()].reduce(
    (n, route) => n + (afterCounts.get(route) ?? 0) - (beforeCounts.get(route) ?? 0),
    0,
  );
  const spans = (await serverSpansInSpanMetrics(stack)) - beforeSpans;
  const accessQuery = `attr.${names.LOG_FIELD_RUN_ID}=${encodeURIComponent(runId)}&body=${encodeURIComponent(names.LOG_MSG_REQUEST_COMPLETED)}&count=1`;
  const accessLogs = (
    await fetchJson<{ count: number }>(`${stack.urls.loki}${RECORDS_PATH}?${accessQuery}`, {}, 60_000)
  ).count;
  return {
    p5: {
      targetRps: opts.targetRps,
      achievedRps: sent / opts.seconds,
      droppedIterations: load.droppedIterations,
      p95Ms: load.p95Ms,
      delivered: {
        'request_count (Prometheus)': { sent, got: metricDelta },
        'server spans (Jaeger span metrics)': { sent, got: spans },
        "access records (Loki's door)": { sent, got: accessLogs },
      },
    },
    peakMiB: peak,
  };
}

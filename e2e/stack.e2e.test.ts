// The end-to-end proof on real binaries: after real k6 runs, every dashboard panel has data,
// log -> trace and trace -> log links land, X-Ray (moto) holds the /crash traces, and the
// telemetry counts equal the traffic counts. Each assertion names what broke and shows the
// backend's raw answer, so a red run explains itself.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lokiInstant, lokiRange, promExemplars, promInstant, sumByLabel, tempoSearch, tempoTrace, spanAttribute, toHexId, xrayBatchGetTraces, type LokiStream } from './backends.ts';
import { pollUntil } from './poll.ts';
import { derivedFieldTo, extractDerivedValue, readDatasources, tracesToLogsQuery } from './provisioning.ts';
import { countsByRoute, toXRayTraceId } from './routes.ts';
import { runLoad, startE2eStack, listPanelTargets, resolveQuery, type E2eStack, type LoadRun } from './harness.ts';
import * as names from '../service/src/telemetry/names.ts';
import { repoRoot } from '../dashboards/src/repo.ts';

const repo = repoRoot();
// AWS mode, as the e2e stack runs: the AWS file re-provisions Loki with the X-Ray derived field.
const effectiveDatasources = readDatasources([
  join(repo, 'dashboards/provisioning/datasources/datasources.yaml'),
  join(repo, 'dashboards/provisioning/datasources-aws/xray.yaml'),
]);

const SERVICE = names.SERVICE_NAME;
const runId = `e2e-${randomUUID().slice(0, 8)}`;
let stack: E2eStack;
let startSec: number;
let before: Map<string, number>;
let burst: LoadRun;

function requestCountsByRoute(): Promise<Map<string, number>> {
  return promInstant(stack.urls.prometheus, `sum by (${names.LABEL_HTTP_ROUTE}) (${names.PROM_REQUEST_COUNT}{${names.LABEL_SERVICE_NAME}="${SERVICE}"})`).then((s) => sumByLabel(s, names.LABEL_HTTP_ROUTE));
}

/** Waits until two readings a metric export interval apart agree, so a "before" snapshot is settled. */
async function settledRequestCounts(): Promise<Map<string, number>> {
  let previous = await requestCountsByRoute();
  for (let i = 0; i < 20; i++) {
    await new Promise((r) => setTimeout(r, 7_000));
    const current = await requestCountsByRoute();
    if (JSON.stringify([...current].sort()) === JSON.stringify([...previous].sort())) return current;
    previous = current;
  }
  throw new Error(`request_count never settled: ${JSON.stringify([...previous])}`);
}

beforeAll(async () => {
  startSec = Date.now() / 1000 - 60;
  stack = await startE2eStack();
  const smoke = await runLoad(stack, { profile: 'smoke', runId: `${runId}-smoke` });
  expect(smoke.exitCode, `k6 smoke failed its thresholds:\n${smoke.outputTail}`).toBe(0);
  before = await settledRequestCounts();
  burst = await runLoad(stack, { profile: 'counted', runId });
  expect(burst.exitCode, `k6 counted burst failed its thresholds:\n${burst.outputTail}`).toBe(0);
});

afterAll(async () => {
  await stack?.stop();
});

describe('nothing lost: telemetry counts equal the traffic k6 reports for the run', () => {
  it('request_count in Prometheus grows by exactly the requests k6 sent, per route', async () => {
    const expected = countsByRoute(burst.requestsByName);
    const delta = (now: Map<string, number>) => new Map([...expected.keys()].map((route) => [route, (now.get(route) ?? 0) - (before.get(route) ?? 0)]));
    const after = await pollUntil(requestCountsByRoute, (now) => [...expected].every(([route, n]) => delta(now).get(route) === n), { timeoutMs: 60_000 });
    expect(Object.fromEntries(delta(after))).toEqual(Object.fromEntries(expected));
  });

  it('Tempo holds one server span per request of the run, per route', async () => {
    const expected = countsByRoute(burst.requestsByName);
    const total = [...expected.values()].reduce((a, b) => a + b, 0);
    const q = `{ span.${names.ATTR_LOADGEN_RUN_ID} = "${runId}" && kind = server } | select(span.${names.ATTR_HTTP_ROUTE})`;
    const spansByRoute = async () => {
      const traces = await tempoSearch(stack.urls.tempo, q, startSec, Date.now() / 1000 + 60, total * 2 + 50, 5);
      const counts = new Map<string, number>();
      for (const t of traces) {
        for (const set of t.spanSets ?? (t.spanSet ? [t.spanSet] : [])) {
          for (const s of set.spans) {
            const route = spanAttribute(s, names.ATTR_HTTP_ROUTE) ?? '';
            counts.set(route, (counts.get(route) ?? 0) + 1);
          }
        }
      }
      return counts;
    };
    const got = await pollUntil(spansByRoute, (c) => [...expected].every(([r, n]) => c.get(r) === n), { timeoutMs: 90_000 });
    expect(Object.fromEntries(got), `TraceQL: ${q}`).toEqual(Object.fromEntries(expected));
  });

  it('Loki holds one access record per request of the run, per route, and one ERROR record per /crash', async () => {
    const expected = countsByRoute(burst.requestsByName);
    const q = `sum by (${names.LOG_FIELD_HTTP_ROUTE}) (count_over_time({service_name="${SERVICE}"} | ${names.LOG_FIELD_RUN_ID}="${runId}" |= "${names.LOG_MSG_REQUEST_COMPLETED}" [1h]))`;
    const got = await pollUntil(async () => sumByLabel(await lokiInstant(stack.urls.loki, q), names.LOG_FIELD_HTTP_ROUTE), (c) => [...expected].every(([r, n]) => c.get(r) === n), { timeoutMs: 60_000 });
    expect(Object.fromEntries(got), `LogQL: ${q}`).toEqual(Object.fromEntries(expected));

    const errorsQ = `sum(count_over_time({service_name="${SERVICE}"} | ${names.LOG_FIELD_RUN_ID}="${runId}" | severity_text=~"(?i)error" [1h]))`;
    const crashes = expected.get('/crash') ?? 0;
    expect(crashes, 'the counted burst must include /crash requests').toBeGreaterThan(0);
    const errors = await pollUntil(async () => sumByLabel(await lokiInstant(stack.urls.loki, errorsQ), '').get('') ?? 0, (n) => n === crashes, { timeoutMs: 30_000 });
    expect(errors, `LogQL: ${errorsQ}`).toBe(crashes);
  });
});

describe('links land', () => {
  async function crashErrorRecords(): Promise<LokiStream[]> {
    const q = `{service_name="${SERVICE}"} | ${names.LOG_FIELD_RUN_ID}="${runId}" | severity_text=~"(?i)error"`;
    const data = await pollUntil(() => lokiRange(stack.urls.loki, q, startSec, Date.now() / 1000 + 60, 100), (d) => d.result.length > 0, { timeoutMs: 60_000 });
    expect(data.result.length, `no ERROR records in Loki for ${q}`).toBeGreaterThan(0);
    return data.result as LokiStream[];
  }

  it('log -> trace: the derived field of a /crash ERROR record opens its trace in Tempo, with an error status and an exception event', async () => {
    const field = derivedFieldTo(effectiveDatasources, 'tempo');
    const records = await crashErrorRecords();
    const ids = new Set<string>();
    const xrayField = derivedFieldTo(effectiveDatasources, 'xray');
    for (const stream of records) {
      for (const [, line] of stream.values) {
        const id = extractDerivedValue(field, stream.stream, line);
        expect(/^[0-9a-f]{32}$/.test(id ?? ''), `derived field "${field.name}" (matcher ${field.matcherType ?? 'regex'} "${field.matcherRegex}") extracted ${JSON.stringify(id)} from labels ${JSON.stringify(stream.stream)} / line ${line}`).toBe(true);
        ids.add(id!);
        // The X-Ray link of the same record carries the same id in X-Ray's spelling.
        expect(extractDerivedValue(xrayField, stream.stream, line), `X-Ray derived field "${xrayField.name}"`).toBe(toXRayTraceId(id!));
      }
    }
    // k6 chose these ids: the service continued the incoming trace.
    for (const id of ids) expect(burst.crashTraceIds).toContain(id);
    for (const id of [...ids].slice(0, 3)) {
      const spans = await pollUntil(() => tempoTrace(stack.urls.tempo, id), (s) => !!s?.length, { timeoutMs: 60_000 });
      expect(spans?.length, `Tempo /api/traces/${id} is empty`).toBeGreaterThan(0);
      const server = spans!.find((s) => s.kind === 'SPAN_KIND_SERVER' || s.kind === 2);
      expect(server, `trace ${id} has no server span`).toBeDefined();
      expect(String(server!.status?.code)).toMatch(/^(STATUS_CODE_ERROR|2)$/);
      expect(server!.events?.map((e) => e.name)).toContain('exception');
    }
  });

  it('trace -> logs: the Tempo datasource tracesToLogsV2 query for a /crash span returns its log lines', async () => {
    const traceId = burst.crashTraceIds[0]!;
    const spans = await pollUntil(() => tempoTrace(stack.urls.tempo, traceId), (s) => !!s?.length, { timeoutMs: 60_000 });
    const server = spans!.find((s) => s.kind === 'SPAN_KIND_SERVER' || s.kind === 2)!;
    const link = tracesToLogsQuery(effectiveDatasources, { traceId, spanId: toHexId(server.spanId, 16), name: server.name, tags: { 'service.name': SERVICE, 'service.namespace': names.SERVICE_NAMESPACE } });
    expect(link.datasourceUid).toBe('loki');
    const data = await lokiRange(stack.urls.loki, link.query, startSec, Date.now() / 1000 + 60, 100);
    const lines = (data.result as LokiStream[]).flatMap((s) => s.values);
    expect(lines.length, `tracesToLogsV2 query returned nothing: ${link.query}\nraw: ${JSON.stringify(data).slice(0, 1500)}`).toBeGreaterThan(0);
  });

  it('X-Ray (moto): BatchGetTraces returns a /crash trace under its X-Ray id, with a fault', async () => {
    const xrayId = toXRayTraceId(burst.crashTraceIds[0]!);
    const traces = await pollUntil(() => xrayBatchGetTraces(stack.urls.moto, stack.awsRegion, [xrayId]), (t) => t.length > 0, { timeoutMs: 60_000 });
    expect(traces.map((t) => t.Id)).toContain(xrayId);
    const docs = traces.flatMap((t) => t.Segments.map((s) => JSON.parse(s.Document) as { fault?: boolean; error?: boolean }));
    expect(docs.some((d) => d.fault === true), `no segment with fault: ${JSON.stringify(docs).slice(0, 1500)}`).toBe(true);
  });
});

describe('exemplars land', () => {
  const exemplarTargets = listPanelTargets().filter((t) => t.exemplar);
  it('the dashboards ask for exemplars somewhere', () => {
    expect(exemplarTargets.length).toBeGreaterThan(0);
  });
  it.each(exemplarTargets.map((t) => [t.label, t] as const))('%s: an exemplar opens its trace in Tempo through the Prometheus datasource link', async (_label, target) => {
    const prometheus = effectiveDatasources.find((d) => d.uid === target.datasourceUid);
    const destinations = (prometheus?.jsonData as { exemplarTraceIdDestinations?: { name: string; datasourceUid: string }[] } | undefined)?.exemplarTraceIdDestinations ?? [];
    const query = resolveQuery(target, startSec);
    const answer = await pollUntil(() => promExemplars(stack.urls.prometheus, query, startSec, Date.now() / 1000), (a) => a.some((s) => s.exemplars.length > 0), { timeoutMs: 45_000, intervalMs: 5_000 });
    const exemplars = answer.flatMap((s) => s.exemplars);
    expect(exemplars.length, `no exemplars for ${query}`).toBeGreaterThan(0);
    // As Grafana does: the first destination whose label name the exemplar carries makes the link.
    const linked = exemplars.flatMap((e) => destinations.filter((d) => e.labels[d.name] !== undefined).slice(0, 1).map((d) => ({ uid: d.datasourceUid, id: e.labels[d.name]! })));
    expect(linked.length, `no exemplar label matches exemplarTraceIdDestinations ${JSON.stringify(destinations.map((d) => d.name))}; labels seen: ${JSON.stringify(exemplars[0]?.labels)}`).toBeGreaterThan(0);
    expect(linked[0]!.uid).toBe('tempo');
    const spans = await pollUntil(() => tempoTrace(stack.urls.tempo, toHexId(linked[0]!.id, 32)), (s) => !!s?.length, { timeoutMs: 30_000 });
    expect(spans?.length, `exemplar trace ${linked[0]!.id} is not in Tempo`).toBeGreaterThan(0);
  });
});

describe('every dashboard panel has data after the load', () => {
  const targets = listPanelTargets();
  it.each(targets.map((t) => [t.label, t] as const))('%s', async (_label, target) => {
    const answer = await pollUntil(() => stack.queryTarget(target, startSec), (a) => a.rows > 0, { timeoutMs: 45_000, intervalMs: 5_000 });
    expect(answer.rows, `${target.label}\nquery (${target.datasourceUid}): ${target.rawQuery}\nraw answer: ${answer.raw.slice(0, 1500)}`).toBeGreaterThan(0);
  });
});

// The end-to-end proof on parts this repository may run: after real k6 runs against the native
// stack (the real collector, Prometheus, Jaeger, moto and the compiled service), every dashboard
// panel has data, log -> trace and trace -> log links land, X-Ray (moto) holds the /crash traces,
// and the telemetry counts equal the traffic counts. Loki and Grafana do not run here: what the
// collector sends to Loki is checked at Loki's door, record by record, and Grafana's links are
// rebuilt from the provisioning files it would read. Each assertion names what broke and shows
// the backend's raw answer, so a red run explains itself.
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as inventory from '../kit/names/inventory.ts';
import { SEED_PLAN } from '../inventory/src/seed/plan.ts';
import * as names from '../kit/names/service.ts';
import { REPO_ROOT } from '../kit/layout.ts';
import { PROM_QUERIES } from '../scripts/top-model.ts';
import { select } from '../native/loki-door/logql.ts';
import { queryLabels } from '../native/loki-door/loki-mapping.ts';
import type { DoorRecord } from '../native/loki-door/server.ts';
import {
  isServerSpan,
  jaegerDependencies,
  jaegerSearch,
  jaegerTrace,
  promExemplars,
  promInstant,
  spanEvents,
  spanTag,
  xrayBatchGetTraces,
  type JaegerTrace,
} from '../kit/checks/backends.ts';
import { lokiDoorRecords } from './backends.ts';
import {
  INVENTORY_THROTTLED_ACTION,
  INVENTORY_THROTTLED_CALLS,
  runLoad,
  runVerify,
  startE2eStack,
  type E2eStack,
  type LoadRun,
} from './harness.ts';
import { listPanelTargets, resolveQuery } from '../kit/checks/panels.ts';
import {
  doorAccessRecordsByRoute,
  inventoryResourceCounts,
  isAccessRecord,
  jaegerServerSpansByRoute,
  matches,
  requestCountsByRoute,
  runRecords as runRecordsOf,
  sameCounts,
  seededResourceCounts,
  settledRequestCounts,
  total,
} from './counts.ts';
import { fetchJson, pollUntil } from '../kit/poll.ts';
import { readProvisionedDatasources } from '../kit/grafana-provisioning.ts';
import {
  derivedFieldTo,
  exemplarLinks,
  extractDerivedValue,
  tracesToLogsQuery,
  type Datasource,
} from '../kit/checks/links.ts';
import { countsByRoute, toXRayTraceId } from './routes.ts';

// AWS mode, as the e2e stack runs: the AWS file re-provisions Loki with the X-Ray derived field.
const effectiveDatasources = readProvisionedDatasources([
  join(REPO_ROOT, 'dashboards/provisioning/datasources/datasources.yaml'),
  join(REPO_ROOT, 'dashboards/provisioning/datasources-aws/xray.yaml'),
]) as Datasource[];
const TRACES_UID = 'jaeger';

const SERVICE = names.SERVICE_NAME;
const runId = `e2e-${randomUUID().slice(0, 8)}`;
let stack: E2eStack;
let startSec: number;
let before: Map<string, number>;
let burst: LoadRun;

const runRecords = () => runRecordsOf(stack.urls.loki, runId);

beforeAll(async () => {
  startSec = Date.now() / 1000 - 60;
  stack = await startE2eStack();
  console.log(
    [
      'What runs for real here: the collector (OpenTelemetry Collector Builder, ADOT components), Prometheus, Jaeger, moto (X-Ray API), k6 and the service.',
      "What is checked at its door: Loki (the e2e reads exactly what the collector's otlphttp/loki exporter sent, mapped as Loki documents) and Grafana (links rebuilt from its provisioning files).",
    ].join('\n'),
  );
  const smoke = await runLoad(stack, { profile: 'smoke', runId: `${runId}-smoke` });
  expect(smoke.exitCode, `k6 smoke failed its thresholds:\n${smoke.outputTail}`).toBe(0);
  before = await settledRequestCounts(stack.urls.prometheus);
  burst = await runLoad(stack, { profile: 'counted', runId });
  expect(burst.exitCode, `k6 counted burst failed its thresholds:\n${burst.outputTail}`).toBe(0);
});

afterAll(async () => {
  await stack?.stop();
});

describe('nothing lost: telemetry counts equal the traffic k6 reports for the run', () => {
  it('request_count in Prometheus grows by exactly the requests k6 sent, per route', async () => {
    const expected = countsByRoute(burst.requestsByName);
    const delta = (now: Map<string, number>) =>
      new Map([...expected.keys()].map((route) => [route, (now.get(route) ?? 0) - (before.get(route) ?? 0)]));
    const after = await pollUntil(
      () => requestCountsByRoute(stack.urls.prometheus),
      (now) => [...expected].every(([route, n]) => delta(now).get(route) === n),
      { timeoutMs: 60_000 },
    );
    expect(Object.fromEntries(delta(after))).toEqual(Object.fromEntries(expected));
  });

  it('Jaeger holds one server span per request of the run, per route', async () => {
    const expected = countsByRoute(burst.requestsByName);
    const got = await pollUntil(
      () => jaegerServerSpansByRoute(stack.urls.jaeger, runId, startSec, total(expected)),
      (c) => matches(expected, c),
      { timeoutMs: 90_000 },
    );
    expect(
      Object.fromEntries(got),
      `Jaeger search: service=${SERVICE} tags ${names.ATTR_LOADGEN_RUN_ID}=${runId}`,
    ).toEqual(Object.fromEntries(expected));
  });

  it("Loki's door received one access record per request of the run, per route, and one ERROR record per /crash", async () => {
    const expected = countsByRoute(burst.requestsByName);
    const got = await pollUntil(
      () => doorAccessRecordsByRoute(stack.urls.loki, runId),
      (c) => matches(expected, c),
      { timeoutMs: 60_000 },
    );
    expect(Object.fromEntries(got), 'access records per route at the door').toEqual(Object.fromEntries(expected));

    const crashes = expected.get('/crash') ?? 0;
    expect(crashes, 'the counted burst must include /crash requests').toBeGreaterThan(0);
    const errors = (await runRecords()).filter((r) => r.otlp.severityText.toUpperCase() === 'ERROR');
    expect(errors.length, 'ERROR records of the run at the door').toBe(crashes);
  });
});

describe("Loki's door: every record as the collector sent it, and as Loki would store it", () => {
  it('each record carries the resource, severity, body, trace context and attributes Grafana relies on', async () => {
    const records = await runRecords();
    expect(records.filter(isAccessRecord).length, 'access records of the run').toBeGreaterThan(0);
    const severityNumber: Record<string, [number, number]> = { INFO: [9, 12], WARN: [13, 16], ERROR: [17, 20] };
    for (const r of records) {
      const where = `record ${JSON.stringify(r.otlp).slice(0, 600)}`;
      expect(r.otlp.resource['service.name'], where).toBe(SERVICE);
      expect(r.otlp.resource['service.namespace'], where).toBe(names.SERVICE_NAMESPACE);
      const [lo, hi] = severityNumber[r.otlp.severityText.toUpperCase()] ?? [0, -1];
      expect(
        r.otlp.severityNumber >= lo && r.otlp.severityNumber <= hi,
        `${where}: severity ${r.otlp.severityText}/${r.otlp.severityNumber}`,
      ).toBe(true);
      expect(typeof r.otlp.body === 'string' && r.otlp.body.length > 0, where).toBe(true);
      expect(r.otlp.traceId, where).toMatch(/^[0-9a-f]{32}$/);
      expect(r.otlp.spanId, where).toMatch(/^[0-9a-f]{16}$/);
      expect(r.otlp.attributes[names.LOG_FIELD_RUN_ID], where).toBe(runId);
      if (isAccessRecord(r)) expect(typeof r.otlp.attributes[names.LOG_FIELD_HTTP_ROUTE], where).toBe('string');
      // Loki's documented mapping: service_name indexed; trace context in structured metadata.
      expect(r.loki.labels.service_name, where).toBe(SERVICE);
      expect(r.loki.labels.trace_id, `${where}: trace_id must not be an index label`).toBeUndefined();
      expect(r.loki.structuredMetadata.trace_id, where).toBe(r.otlp.traceId);
      expect(r.loki.structuredMetadata.span_id, where).toBe(r.otlp.spanId);
    }
  });
});

describe('links land', () => {
  async function crashErrorRecords(): Promise<DoorRecord[]> {
    const records = await pollUntil(runRecords, (rs) => rs.some((r) => r.otlp.severityText.toUpperCase() === 'ERROR'), {
      timeoutMs: 60_000,
    });
    const errors = records.filter((r) => r.otlp.severityText.toUpperCase() === 'ERROR');
    expect(errors.length, 'no ERROR records of the run at the door').toBeGreaterThan(0);
    return errors;
  }

  it('log -> trace: the derived field of a /crash ERROR record opens its trace in Jaeger, with an error status and an exception event', async () => {
    const field = derivedFieldTo(effectiveDatasources, TRACES_UID);
    const xrayField = derivedFieldTo(effectiveDatasources, 'xray');
    const ids = new Set<string>();
    for (const record of await crashErrorRecords()) {
      const labels = queryLabels(record.loki);
      const id = extractDerivedValue(field, labels, record.loki.line);
      expect(
        /^[0-9a-f]{32}$/.test(id ?? ''),
        `derived field "${field.name}" (matcher ${field.matcherType ?? 'regex'} "${field.matcherRegex}") extracted ${JSON.stringify(id)} from labels ${JSON.stringify(labels)} / line ${record.loki.line}`,
      ).toBe(true);
      ids.add(id!);
      // The X-Ray link of the same record carries the same id in X-Ray's spelling.
      expect(extractDerivedValue(xrayField, labels, record.loki.line), `X-Ray derived field "${xrayField.name}"`).toBe(
        toXRayTraceId(id!),
      );
    }
    // k6 chose these ids: the service continued the incoming trace.
    for (const id of ids) expect(burst.crashTraceIds).toContain(id);
    for (const id of [...ids].slice(0, 3)) {
      const trace = await pollUntil(
        () => jaegerTrace(stack.urls.jaeger, id),
        (t) => !!t?.spans.length,
        { timeoutMs: 60_000 },
      );
      expect(trace?.spans.length, `Jaeger /api/traces/${id} is empty`).toBeGreaterThan(0);
      const server = trace!.spans.find(isServerSpan);
      expect(server, `trace ${id} has no server span`).toBeDefined();
      expect(spanTag(server!, 'otel.status_code')).toBe('ERROR');
      expect(spanEvents(server!)).toContain('exception');
    }
  });

  it('trace -> logs: the Jaeger datasource tracesToLogsV2 query for a /crash span selects its records under Loki mapping', async () => {
    const traceId = burst.crashTraceIds[0]!;
    const trace = (await pollUntil(
      () => jaegerTrace(stack.urls.jaeger, traceId),
      (t) => !!t?.spans.length,
      { timeoutMs: 60_000 },
    )) as JaegerTrace;
    const server = trace.spans.find(isServerSpan)!;
    // Grafana builds span tags from the span's tags and its process's tags (Jaeger keeps
    // service.name out of those); the query must not need more than that.
    const tags = Object.fromEntries(
      [...trace.processes[server.processID]!.tags, ...server.tags].map((t) => [t.key, String(t.value)]),
    );
    const link = tracesToLogsQuery(effectiveDatasources, TRACES_UID, {
      traceId,
      spanId: server.spanID,
      name: server.operationName,
      tags,
    });
    expect(link.datasourceUid).toBe('loki');
    const all = await lokiDoorRecords(stack.urls.loki);
    const selected = select(
      link.query,
      all.map((r) => r.loki),
    );
    expect(selected.length, `tracesToLogsV2 query selected nothing at the door: ${link.query}`).toBeGreaterThan(0);
    // Exactly the records of that trace, and all of them.
    const ofTrace = all.filter((r) => r.otlp.traceId === traceId);
    expect(selected.length).toBe(ofTrace.length);
    for (const entry of selected) expect(entry.structuredMetadata.trace_id).toBe(traceId);
  });

  it('X-Ray (moto): BatchGetTraces returns a /crash trace under its X-Ray id, with a fault', async () => {
    const xrayId = toXRayTraceId(burst.crashTraceIds[0]!);
    const traces = await pollUntil(
      () => xrayBatchGetTraces(stack.urls.moto, stack.awsRegion, [xrayId]),
      (t) => t.length > 0,
      { timeoutMs: 60_000 },
    );
    expect(traces.map((t) => t.Id)).toContain(xrayId);
    const docs = traces.flatMap((t) =>
      t.Segments.map((s) => JSON.parse(s.Document) as { fault?: boolean; error?: boolean }),
    );
    expect(
      docs.some((d) => d.fault === true),
      `no segment with fault: ${JSON.stringify(docs).slice(0, 1500)}`,
    ).toBe(true);
  });
});

describe("no secrets in telemetry, at the collector's output", () => {
  it("a query-string secret reaches neither Jaeger nor Loki's door: url.query says REDACTED", async () => {
    const traceId = `${Math.floor(Date.now() / 1000).toString(16)}${randomUUID().replace(/-/g, '').slice(0, 24)}`;
    const res = await fetch(`${stack.urls.service}/items?api_key=s3cret&limit=2`, {
      headers: { traceparent: `00-${traceId}-${randomUUID().replace(/-/g, '').slice(0, 16)}-01` },
    });
    expect(res.status).toBe(200);
    const trace = await pollUntil(
      () => jaegerTrace(stack.urls.jaeger, traceId),
      (t) => !!t?.spans.length,
      { timeoutMs: 60_000 },
    );
    const server = trace!.spans.find(isServerSpan)!;
    expect(spanTag(server, 'url.query')).toBe('api_key=REDACTED&limit=2');
    expect(JSON.stringify(trace)).not.toContain('s3cret');
    const records = await pollUntil(
      () => lokiDoorRecords(stack.urls.loki),
      (rs) => rs.some((r) => r.otlp.traceId === traceId),
      { timeoutMs: 30_000 },
    );
    expect(JSON.stringify(records.filter((r) => r.otlp.traceId === traceId))).not.toContain('s3cret');
  });
});

describe('exemplars land', () => {
  const exemplarTargets = listPanelTargets().filter((t) => t.exemplar);
  it('the dashboards ask for exemplars somewhere', () => {
    expect(exemplarTargets.length).toBeGreaterThan(0);
  });
  it.each(exemplarTargets.map((t) => [t.label, t] as const))(
    '%s: an exemplar opens its trace in Jaeger through the Prometheus datasource links',
    async (_label, target) => {
      const destinations =
        effectiveDatasources.find((d) => d.uid === target.datasourceUid)?.jsonData?.exemplarTraceIdDestinations ?? [];
      const query = resolveQuery(target, startSec);
      const answer = await pollUntil(
        () => promExemplars(stack.urls.prometheus, query, startSec, Date.now() / 1000),
        (a) => a.some((s) => s.exemplars.length > 0),
        { timeoutMs: 45_000, intervalMs: 5_000 },
      );
      const exemplars = answer.flatMap((s) => s.exemplars);
      expect(exemplars.length, `no exemplars for ${query}`).toBeGreaterThan(0);
      // As Grafana does: every destination whose label name the exemplar carries makes a link.
      const first = exemplars.find((e) => destinations.some((d) => e.labels[d.name] !== undefined));
      expect(
        first,
        `no exemplar label matches exemplarTraceIdDestinations ${JSON.stringify(destinations.map((d) => d.name))}; labels seen: ${JSON.stringify(exemplars[0]?.labels)}`,
      ).toBeDefined();
      const links = exemplarLinks(effectiveDatasources, target.datasourceUid, first!.labels);
      const traceId = links[0]!.value;
      expect(
        links.some((d) => d.datasourceUid === TRACES_UID),
        'an internal link to the Jaeger datasource',
      ).toBe(true);
      const url = links.find((d) => d.url)?.url;
      expect(url, 'a URL link to the Jaeger UI (the internal link is broken in Grafana: grafana#111448)').toBe(
        `http://127.0.0.1:16686/trace/${traceId}`,
      );
      const trace = await pollUntil(
        () => jaegerTrace(stack.urls.jaeger, traceId),
        (t) => !!t?.spans.length,
        { timeoutMs: 30_000 },
      );
      expect(trace?.spans.length, `exemplar trace ${traceId} is not in Jaeger`).toBeGreaterThan(0);
    },
  );
});

describe('the service graph', () => {
  it("Jaeger's dependency graph has both instrumented services, each with only the self-edge of jaeger#9089 (they never call each other)", async () => {
    const expected = [`${SERVICE} -> ${SERVICE}`, `${inventory.SERVICE_NAME} -> ${inventory.SERVICE_NAME}`].sort();
    const edges = await pollUntil(
      () => jaegerDependencies(stack.urls.jaeger, Date.now() / 1000 + 60, Date.now() / 1000 + 60 - startSec),
      (e) => e.length >= expected.length,
      { timeoutMs: 30_000 },
    );
    expect(edges.map((e) => `${e.parent} -> ${e.child}`).sort()).toEqual(expected);
    for (const edge of edges) expect(edge.callCount).toBeGreaterThan(0);
  });
});

describe('every dashboard panel has data after the load', () => {
  const targets = listPanelTargets();
  it.each(targets.map((t) => [t.label, t] as const))('%s', async (_label, target) => {
    const answer = await pollUntil(
      () => stack.queryTarget(target, startSec),
      (a) => a.rows > 0,
      { timeoutMs: 45_000, intervalMs: 5_000 },
    );
    const where =
      answer.judgedAt === 'loki-door' ? "judged at Loki's door (Loki does not run here)" : 'against the real backend';
    expect(
      answer.rows,
      `${target.label} (${where})\nquery (${target.datasourceUid}): ${target.rawQuery}\nraw answer: ${answer.raw.slice(0, 1500)}`,
    ).toBeGreaterThan(0);
  });
});

describe('the AWS inventory, against moto seeded with a known set of resources', () => {
  const service = `${names.LABEL_SERVICE_NAME}="${inventory.SERVICE_NAME}"`;
  it('aws_resources in Prometheus equals what was seeded, series by series (kind, state, type, region)', async () => {
    const expected = seededResourceCounts();
    const got = await pollUntil(
      () => inventoryResourceCounts(stack.urls.prometheus),
      (c) => sameCounts(c, expected),
      { timeoutMs: 60_000, intervalMs: 3_000 },
    );
    expect(got).toEqual(expected);
  });

  it(`throttling is retried and counted, not fatal: ${INVENTORY_THROTTLED_CALLS} throttled ${INVENTORY_THROTTLED_ACTION} calls, as many retries, every collection ok`, async () => {
    expect(stack.throttleProxy.throttled()).toBe(INVENTORY_THROTTLED_CALLS);
    expect(stack.throttleProxy.forwarded()).toBeGreaterThan(0);
    const errors = `sum(${inventory.PROM_COLLECTION_ERRORS}{${service}, collector="ebs_volumes", kind="throttling"})`;
    const retries = `sum(${inventory.PROM_RETRIES}{${service}, collector="ebs_volumes", kind="throttling"})`;
    const value = async (q: string) => Number((await promInstant(stack.urls.prometheus, q))[0]?.value?.[1] ?? NaN);
    const seen = await pollUntil(
      async () => [await value(errors), await value(retries)],
      ([e, r]) => e === INVENTORY_THROTTLED_CALLS && r === INVENTORY_THROTTLED_CALLS,
      { timeoutMs: 30_000, intervalMs: 3_000 },
    );
    expect(seen).toEqual([INVENTORY_THROTTLED_CALLS, INVENTORY_THROTTLED_CALLS]);
    // No other kind of error anywhere: the seeded account is reachable and well-formed.
    expect(await value(`sum(${inventory.PROM_COLLECTION_ERRORS}{${service}, kind!="throttling"})`)).toBe(0);
    const health = await fetchJson<{ status: string; collectors: { collector: string; status: string }[] }>(
      `${stack.urls.inventory}/health`,
    );
    expect(health.status).toBe('ok');
    expect(health.collectors.filter((c) => c.status !== 'ok')).toEqual([]);
  });

  it('one cycle is one trace: the cycle span, a span per region, and a span per AWS call (ADOT aws-sdk), throttled attempts included', async () => {
    const search = () =>
      jaegerSearch(stack.urls.jaeger, {
        service: inventory.SERVICE_NAME,
        operation: inventory.SPAN_CYCLE,
        tags: { [inventory.SPAN_ATTR_COLLECTOR]: 'ebs_volumes' },
        limit: 100,
        startSec,
        endSec: Date.now() / 1000 + 60,
      });
    const calls = (t: JaegerTrace) => t.spans.filter((s) => spanTag(s, 'rpc.method') === INVENTORY_THROTTLED_ACTION);
    // The first ebs_volumes cycle met the throttling: its trace holds the failed attempts too.
    const traces = await pollUntil(search, (ts) => ts.some((t) => calls(t).length === 2 + INVENTORY_THROTTLED_CALLS), {
      timeoutMs: 45_000,
      intervalMs: 3_000,
    });
    const throttledCycle = traces.find((t) => calls(t).length === 2 + INVENTORY_THROTTLED_CALLS);
    expect(
      throttledCycle,
      `no ebs_volumes cycle with ${2 + INVENTORY_THROTTLED_CALLS} ${INVENTORY_THROTTLED_ACTION} spans among ${traces.length} traces`,
    ).toBeDefined();
    const spans = throttledCycle!.spans;
    const roots = spans.filter((s) => s.operationName === inventory.SPAN_CYCLE);
    const regions = spans.filter((s) => s.operationName === inventory.SPAN_COLLECT);
    expect(roots).toHaveLength(1);
    expect(regions.map((s) => spanTag(s, inventory.SPAN_ATTR_REGION)).sort()).toEqual(Object.keys(SEED_PLAN).sort());
    const failed = calls(throttledCycle!).filter(
      (s) => spanTag(s, 'otel.status_code') === 'ERROR' || spanTag(s, 'error') === 'true',
    );
    expect(failed).toHaveLength(INVENTORY_THROTTLED_CALLS);
    for (const call of calls(throttledCycle!)) expect(spanTag(call, 'rpc.service')).toBe('EC2');
    // Every span of the trace is the inventory's, and every region span recorded its retries.
    const throttledEvents = regions.flatMap((s) => spanEvents(s)).filter((e) => e === 'aws.call.failed');
    expect(throttledEvents).toHaveLength(INVENTORY_THROTTLED_CALLS);
  });

  it("its log records carry the cycle trace ids, at Loki's door", async () => {
    const records = await pollUntil(
      async () =>
        (await lokiDoorRecords(stack.urls.loki)).filter(
          (r) => r.loki.labels[names.LABEL_SERVICE_NAME] === inventory.SERVICE_NAME,
        ),
      (rs) => rs.some((r) => String(r.loki.line).includes('collection finished')),
      { timeoutMs: 30_000, intervalMs: 3_000 },
    );
    const finished = records.filter((r) => String(r.loki.line).includes('collection finished'));
    expect(finished.length).toBeGreaterThan(0);
    for (const r of finished) expect(r.loki.structuredMetadata.trace_id).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe('npm run top, on a real terminal and as JSON', () => {
  const tmux = (args: string[]) =>
    spawnSync('tmux', ['-L', `otelkit-e2e-${runId}`, ...args], { encoding: 'utf8', timeout: 10_000 });
  const topArgs = [join(REPO_ROOT, 'scripts/require-node.cjs'), 'top', join(REPO_ROOT, 'scripts/top.ts'), '--native'];

  it('under tmux during a counted load: routes, non-zero rates and an error trace id that Jaeger holds', async () => {
    const session = 'top';
    const started = tmux([
      'new-session',
      '-d',
      '-s',
      session,
      '-x',
      '160',
      '-y',
      '60',
      [process.execPath, ...topArgs, '--interval', '2'].map((a) => `'${a}'`).join(' '),
    ]);
    expect(started.status, started.stderr).toBe(0);
    try {
      const load = runLoad(stack, {
        profile: 'counted',
        runId: `${runId}-top`,
        iterations: 200,
        env: { DURATION: '10s' },
      });
      const screen = await pollUntil(
        async () => tmux(['capture-pane', '-p', '-t', session]).stdout,
        (text) => /\/items\s+[1-9]\d*\.\d/.test(text) && /\b[0-9a-f]{32}\b/.test(text),
        { timeoutMs: 40_000, intervalMs: 2_000 },
      );
      expect((await load).exitCode).toBe(0);
      expect(screen, screen).toMatch(/\/items\s+[1-9]\d*\.\d/);
      const traceId = /\b([0-9a-f]{32})\b/.exec(screen)?.[1];
      expect(traceId, screen).toBeDefined();
      expect(
        (await jaegerTrace(stack.urls.jaeger, traceId!))?.spans.length,
        `trace ${traceId} from the screen is not in Jaeger`,
      ).toBeGreaterThan(0);
      expect(screen).toContain('Loki not reachable');
    } finally {
      tmux(['kill-server']);
    }
  });

  it('--once --json agrees with Prometheus and Jaeger', async () => {
    const run = spawnSync(process.execPath, [...topArgs, '--once', '--json'], { encoding: 'utf8', timeout: 30_000 });
    expect(run.status, run.stderr).toBe(0);
    const doc = JSON.parse(run.stdout) as {
      routes: { route: string; rps: number }[];
      errorTraces: { traceId: string; xrayTraceId: string }[];
      sources: Record<string, { up: boolean }>;
      inventory: { resources: number; errorsLastMinute: number; oldestCountSeconds: number } | null;
    };
    // The AWS inventory's line counts exactly the seeded resources.
    expect(doc.inventory?.resources).toBe(Object.values(seededResourceCounts()).reduce((a, b) => a + b, 0));
    expect(Object.entries(doc.sources).map(([n, s]) => `${n}:${s.up}`)).toEqual([
      'service:true',
      'collector:true',
      'prometheus:true',
      'jaeger:true',
      'loki:false',
    ]);
    const prom = await promInstant(stack.urls.prometheus, PROM_QUERIES.rps!);
    expect(doc.routes.map((r) => r.route).sort()).toEqual(prom.map((s) => s.metric[names.LABEL_HTTP_ROUTE]).sort());
    expect(doc.errorTraces.length).toBeGreaterThan(0);
    for (const t of doc.errorTraces) {
      expect(t.xrayTraceId).toBe(toXRayTraceId(t.traceId));
      expect(
        (await jaegerTrace(stack.urls.jaeger, t.traceId))?.spans.some(
          (s) => spanTag(s, names.ATTR_HTTP_RESPONSE_STATUS_CODE) === '500',
        ),
      ).toBe(true);
    }
  });
});

describe('npm run verify, against the native stack after the load runs', () => {
  it('every check passes (✓), exit 0, within a stated time', async () => {
    const run = await runVerify();
    const lines = (run.doc?.checks ?? []).map(
      (c) => `${c.ok ? '✓' : '✗'} ${c.name} (${c.ms} ms): ${c.detail}${c.ok ? '' : `\n    fix: ${c.fix}`}`,
    );
    console.log([`npm run verify took ${(run.ms / 1000).toFixed(1)} s, exit ${run.code}`, ...lines].join('\n'));
    expect(run.stderr).toBe('');
    expect(run.doc, run.stdout).toBeDefined();
    expect(run.doc!.checks.filter((c) => !c.ok)).toEqual([]);
    expect(run.doc!.ok).toBe(true);
    expect(run.code).toBe(0);
    // What it covers: reach, the golden path, the collector, every dashboard, the links, the graph, the inventory, X-Ray.
    const names = run.doc!.checks.map((c) => c.name).join('\n');
    for (const part of [
      'Jaeger answers',
      "Loki's door answers",
      'span is in Jaeger',
      'log record is in Loki',
      'counted in Prometheus',
      'the collector receives',
      'dashboard "Service overview"',
      'log -> trace',
      'trace -> logs',
      'exemplar -> trace',
      'service graph',
      'AWS inventory',
      'X-Ray',
    ])
      expect(names).toContain(part);
    expect(run.ms).toBeLessThan(120_000);
  });
});

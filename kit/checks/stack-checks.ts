// `npm run verify`'s checklist: a running stack checked end to end, each check timed and, when it
// fails, paired with the likely cause and what to look at. Built from the checks the e2e asserts
// (kit/checks/*: backend clients, panel data, links from provisioning, log queries), so a check
// means the same thing in CI and on a facilitator's laptop.
// Node built-ins and kit modules only: `npm run verify` loads it by type stripping, no install.
import { DATASOURCE_UID } from '../datasources.ts';
import { loadCommittedDashboards } from '../dashboard-targets.ts';
import * as inventory from '../names/inventory.ts';
import * as names from '../names/service.ts';
import { pollUntil } from '../poll.ts';
import { baggageHeader, newSpanId, newTraceId, toXRayTraceId, traceparent } from '../trace-ids.ts';
import {
  isServerSpan,
  jaegerDependencies,
  jaegerTrace,
  promExemplars,
  promInstant,
  requestCountsByRoute,
  spanEvents,
  spanTag,
  xrayBatchGetTraces,
  type JaegerTrace,
} from './backends.ts';
import { collectorTrouble, readCollector, type CollectorReading } from './collector-metrics.ts';
import { type Datasource, derivedFieldTo, exemplarLinks, extractDerivedValue, tracesToLogsQuery } from './links.ts';
import { type LogEntry, type LogsBackend, queryLogs, recordsOfTraceQuery } from './logs.ts';
import { listPanelTargets, queryTarget, resolveQuery } from './panels.ts';

export interface CheckResult {
  name: string;
  ok: boolean;
  /** How long the check took, milliseconds. */
  ms: number;
  /** What was measured or found. */
  detail: string;
  /** Under a failure: the likely cause and what to look at (empty when ok). */
  fix: string;
}

export type Component = 'service' | 'collector' | 'prometheus' | 'jaeger' | 'loki' | 'inventory' | 'grafana' | 'moto';

export interface VerifyTarget {
  /** compose: Docker Compose's published ports; native: the native stack (Loki's door, no Grafana). */
  mode: 'compose' | 'native';
  aws: boolean;
  urls: {
    service: string;
    collectorMetrics: string;
    prometheus: string;
    jaeger: string;
    loki: string;
    inventory: string;
    /** Absent where Grafana is not part of the stack (native). */
    grafana?: string;
    /** A local X-Ray API to ask for the trace (moto on the native stack); absent: X-Ray itself is not asked. */
    xray?: string;
  };
  awsRegion: string;
  grafanaAuth?: { user: string; password: string };
  /** The datasources as the provisioning files build them, for when Grafana's API cannot be asked. */
  provisionedDatasources: () => Promise<Datasource[]>;
  /** How long telemetry may take to arrive after a request (spans, log records, exemplars). */
  telemetryBoundMs: number;
  /** How long a counter may take to reach Prometheus (the SDK exports metrics every 5 s). */
  metricsBoundMs: number;
  /** How far back the dashboards' queries look. */
  windowSeconds: number;
  /** How long an empty panel is asked again before it counts as empty. */
  panelWaitMs: number;
}

export interface VerifyReport {
  /** False when nothing of the stack answered: the checks stopped after the first round. */
  reachable: boolean;
  checks: CheckResult[];
  notes: string[];
}

const PROBE_TIMEOUT_MS = 3_000;
const README = 'README.md';

class Failed extends Error {
  fix: string;
  constructor(detail: string, fix: string) {
    super(detail);
    this.fix = fix;
  }
}

/** Where to look for one component, on this kind of stack. */
export function lookAt(mode: VerifyTarget['mode'], component: Component): string {
  if (mode === 'compose')
    return `\`docker compose ps ${component}\` and \`docker compose logs --tail 50 ${component}\`; start it with \`docker compose up -d ${component}\``;
  if (component === 'grafana') return 'Grafana is not part of the native stack';
  const what = component === 'loki' ? "Loki's door" : component;
  return `the native stack's ${what}: its log is <run dir>/logs/${component}.log (\`npm run stack\` prints the run dir); restart the stack if it exited`;
}

const DISPLAY: Record<Component, string> = {
  service: 'the service (items-api)',
  collector: 'the collector',
  prometheus: 'Prometheus',
  jaeger: 'Jaeger',
  loki: 'Loki',
  inventory: 'the AWS inventory',
  grafana: 'Grafana',
  moto: 'moto (X-Ray API)',
};

function reason(error: unknown): string {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return 'no answer in time';
  const code = e.cause?.code;
  if (code === 'ECONNREFUSED') return 'connection refused (nothing listens there)';
  if (code) return `${code}${e.cause?.message ? `: ${e.cause.message}` : ''}`;
  return String(e.message ?? error)
    .split('\n')[0]!
    .slice(0, 400);
}

async function timed(name: string, defaultFix: string, run: () => Promise<string>): Promise<CheckResult> {
  const start = performance.now();
  try {
    const detail = await run();
    return { name, ok: true, ms: Math.round(performance.now() - start), detail, fix: '' };
  } catch (error) {
    return {
      name,
      ok: false,
      ms: Math.round(performance.now() - start),
      detail: reason(error),
      fix: error instanceof Failed ? error.fix : defaultFix,
    };
  }
}

function notChecked(name: string, mode: VerifyTarget['mode'], missing: Component): CheckResult {
  return {
    name,
    ok: false,
    ms: 0,
    detail: `not checked: ${DISPLAY[missing]} does not answer`,
    fix: `bring ${DISPLAY[missing]} back first: ${lookAt(mode, missing)}`,
  };
}

async function get(url: string, init: RequestInit = {}): Promise<Response> {
  return fetch(url, { ...init, signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
}

async function getText(url: string, init: RequestInit = {}): Promise<string> {
  const res = await get(url, init);
  const text = await res.text();
  if (!res.ok) throw new Error(`HTTP ${res.status} from ${url}: ${text.slice(0, 200)}`);
  return text;
}

const version = (v: string | undefined) => (v ? `version ${v}` : 'version not reported (a source build)');

/** The requests of the golden path: ids chosen here, so each can be found again. */
export interface GoldenRequest {
  path: string;
  route: string;
  expectStatus: number;
  traceId: string;
  status?: number;
}

export function goldenPlan(now = Date.now()): GoldenRequest[] {
  const plan: Omit<GoldenRequest, 'traceId'>[] = [
    { path: '/items?limit=2', route: '/items', expectStatus: 200 },
    { path: '/items?limit=3', route: '/items', expectStatus: 200 },
    { path: '/items/1', route: '/items/:id', expectStatus: 200 },
    { path: '/crash', route: '/crash', expectStatus: 500 },
  ];
  return plan.map((p) => ({ ...p, traceId: newTraceId(now) }));
}

export async function verifyStack(target: VerifyTarget): Promise<VerifyReport> {
  const { mode, urls } = target;
  const notes: string[] = [];
  const checks: CheckResult[] = [];
  const logs: LogsBackend = { kind: mode === 'native' ? 'door' : 'loki', url: urls.loki };
  const auth: RequestInit = target.grafanaAuth
    ? {
        headers: {
          authorization: `Basic ${Buffer.from(`${target.grafanaAuth.user}:${target.grafanaAuth.password}`).toString('base64')}`,
        },
      }
    : {};

  // 1. Who answers, and which version.
  let collectorBefore: CollectorReading | undefined;
  const reach: Record<string, Promise<CheckResult>> = {
    service: timed('the service answers', lookAt(mode, 'service'), async () => {
      const health = JSON.parse(await getText(`${urls.service}/health`)) as { version?: string };
      return `${names.SERVICE_NAME} ${version(health.version)}, /health at ${urls.service}`;
    }),
    collector: timed('the collector answers', lookAt(mode, 'collector'), async () => {
      collectorBefore = readCollector(await getText(urls.collectorMetrics));
      return `${version(collectorBefore.version)}, own metrics at ${urls.collectorMetrics}`;
    }),
    prometheus: timed('Prometheus answers', lookAt(mode, 'prometheus'), async () => {
      const info = JSON.parse(await getText(`${urls.prometheus}/api/v1/status/buildinfo`)) as {
        data?: { version?: string };
      };
      return `${version(info.data?.version)} at ${urls.prometheus}`;
    }),
    jaeger: timed('Jaeger answers', lookAt(mode, 'jaeger'), async () => {
      await getText(`${urls.jaeger}/api/services`);
      const page = await getText(`${urls.jaeger}/`).catch(() => '');
      return `${version(/"gitVersion":"([^"]*)"/.exec(page)?.[1])} at ${urls.jaeger}`;
    }),
    loki: timed(mode === 'native' ? "Loki's door answers" : 'Loki answers', lookAt(mode, 'loki'), async () => {
      if (mode === 'native') {
        await getText(`${urls.loki}/ready`);
        return `at ${urls.loki} (Loki does not run on the native stack: its door records what the collector sends and answers log queries over it)`;
      }
      const info = JSON.parse(await getText(`${urls.loki}/loki/api/v1/status/buildinfo`)) as { version?: string };
      return `${version(info.version)} at ${urls.loki}`;
    }),
    inventory: timed('the AWS inventory answers', lookAt(mode, 'inventory'), async () => {
      const health = JSON.parse(await getText(`${urls.inventory}/health`)) as { status?: string; version?: string };
      return `${inventory.SERVICE_NAME} ${version(health.version)}, /health says ${health.status ?? '?'} at ${urls.inventory}`;
    }),
  };
  if (urls.grafana)
    reach.grafana = timed('Grafana answers', lookAt(mode, 'grafana'), async () => {
      const health = JSON.parse(await getText(`${urls.grafana}/api/health`)) as { version?: string; database?: string };
      return `${version(health.version)}, database ${health.database ?? '?'}, at ${urls.grafana}`;
    });
  const reached = Object.fromEntries(
    await Promise.all(Object.entries(reach).map(async ([k, p]) => [k, await p] as const)),
  ) as Record<string, CheckResult>;
  checks.push(...Object.values(reached));
  const up = (c: Component) => reached[c]?.ok === true;
  const core: Component[] = ['service', 'collector', 'prometheus', 'jaeger', 'loki'];
  if (core.every((c) => !up(c))) return { reachable: false, checks, notes };
  if (!urls.grafana)
    notes.push(
      "Grafana is not part of this stack: the links are rebuilt from the provisioning files Grafana would read, and every panel's query is asked of the backends directly.",
    );
  else if (!up('grafana'))
    notes.push('Grafana does not answer: the backends are checked directly, the links from the provisioning files.');

  // 2. The golden path: a few requests with trace ids chosen here, one /crash among them.
  const runId = `verify-${Date.now().toString(36)}`;
  const plan = goldenPlan();
  const sentAtSec = Date.now() / 1000;
  let countsBefore: Map<string, number> | undefined;
  if (up('prometheus')) countsBefore = await requestCountsByRoute(urls.prometheus).catch(() => undefined);
  const crash = plan.find((r) => r.route === '/crash')!;
  const requests = up('service')
    ? await timed(
        `the golden path: ${plan.length} requests answered, one /crash`,
        lookAt(mode, 'service'),
        async () => {
          for (const r of plan) {
            const res = await fetch(`${urls.service}${r.path}`, {
              headers: { traceparent: traceparent(r.traceId, newSpanId()), baggage: baggageHeader(runId) },
              signal: AbortSignal.timeout(5_000),
            });
            const body = await res.text();
            r.status = res.status;
            if (res.status !== r.expectStatus)
              throw new Failed(
                `GET ${r.path} answered ${res.status}, expected ${r.expectStatus}: ${body.slice(0, 200)}`,
                lookAt(mode, 'service'),
              );
            if (r === crash) {
              const answer = JSON.parse(body) as { trace_id?: string; xray_trace_id?: string };
              if (answer.trace_id !== r.traceId)
                throw new Failed(
                  `/crash answered trace id ${answer.trace_id}, not the one sent (${r.traceId}): the service did not continue the incoming traceparent`,
                  `the service's preload (ADOT JS, --require ./dist/kit/node/preload/preload.js) must run: ${lookAt(mode, 'service')}`,
                );
            }
          }
          return `trace ids ${plan.map((r) => `${r.route} ${r.traceId}`).join(', ')} (run ${runId})`;
        },
      )
    : notChecked(`the golden path: ${plan.length} requests answered, one /crash`, mode, 'service');
  checks.push(requests);

  const bound = (ms: number) => `${(ms / 1000).toFixed(0)} s`;
  const traces = new Map<string, JaegerTrace>();
  const records = new Map<string, LogEntry[]>();
  const golden = await Promise.all([
    !requests.ok
      ? notChecked(`each request's span is in Jaeger (within ${bound(target.telemetryBoundMs)})`, mode, 'service')
      : !up('jaeger')
        ? notChecked(`each request's span is in Jaeger (within ${bound(target.telemetryBoundMs)})`, mode, 'jaeger')
        : timed(
            `each request's span is in Jaeger (within ${bound(target.telemetryBoundMs)})`,
            `spans travel service -> collector (otlp/jaeger) -> Jaeger: ${lookAt(mode, 'collector')}; ${lookAt(mode, 'jaeger')}`,
            async () => {
              const start = Date.now();
              const missing = await pollUntil(
                async () => {
                  for (const r of plan.filter((p) => !traces.has(p.traceId))) {
                    const t = await jaegerTrace(urls.jaeger, r.traceId).catch(() => undefined);
                    if (t?.spans.some(isServerSpan)) traces.set(r.traceId, t);
                  }
                  return plan.filter((p) => !traces.has(p.traceId));
                },
                (m) => m.length === 0,
                { timeoutMs: target.telemetryBoundMs, intervalMs: 1_000 },
              );
              if (missing.length > 0)
                throw new Error(
                  `no server span after ${bound(target.telemetryBoundMs)} for ${missing.map((r) => `${r.route} ${r.traceId}`).join(', ')}`,
                );
              const server = traces.get(crash.traceId)!.spans.find(isServerSpan)!;
              if (spanTag(server, 'otel.status_code') !== 'ERROR' || !spanEvents(server).includes('exception'))
                throw new Failed(
                  `the /crash span ${crash.traceId} has no error status or no exception event`,
                  "the service's error handler records the exception on the span: see service/README.md",
                );
              return `${plan.length} of ${plan.length} in ${((Date.now() - start) / 1000).toFixed(1)} s; the /crash span is in error with its exception event`;
            },
          ),
    !requests.ok
      ? notChecked(
          `each request's log record is in Loki with its trace_id (within ${bound(target.telemetryBoundMs)})`,
          mode,
          'service',
        )
      : !up('loki')
        ? notChecked(
            `each request's log record is in Loki with its trace_id (within ${bound(target.telemetryBoundMs)})`,
            mode,
            'loki',
          )
        : timed(
            `each request's log record is in Loki with its trace_id (within ${bound(target.telemetryBoundMs)})`,
            `log records travel service -> collector (otlphttp/loki) -> Loki: ${lookAt(mode, 'collector')}; ${lookAt(mode, 'loki')}`,
            async () => {
              const start = Date.now();
              const missing = await pollUntil(
                async () => {
                  for (const r of plan.filter((p) => !records.has(p.traceId))) {
                    const answer = await queryLogs(
                      logs,
                      recordsOfTraceQuery(names.LABEL_SERVICE_NAME, names.SERVICE_NAME, r.traceId),
                      { fromSec: sentAtSec - 60, toSec: Date.now() / 1000 + 60 },
                    ).catch(() => undefined);
                    if (answer && answer.entries.length > 0) records.set(r.traceId, answer.entries);
                  }
                  return plan.filter((p) => !records.has(p.traceId));
                },
                (m) => m.length === 0,
                { timeoutMs: target.telemetryBoundMs, intervalMs: 1_000 },
              );
              if (missing.length > 0)
                throw new Error(
                  `no log record with trace_id after ${bound(target.telemetryBoundMs)} for ${missing.map((r) => `${r.route} ${r.traceId}`).join(', ')}`,
                );
              const crashRecords = records.get(crash.traceId)!;
              if (!crashRecords.some((e) => (e.labels['detected_level'] ?? '').toLowerCase() === 'error'))
                throw new Failed(
                  `no error-level record for /crash ${crash.traceId} (levels: ${crashRecords.map((e) => e.labels['detected_level']).join(', ')})`,
                  "the service logs an unhandled error at level error: see service/README.md; Loki's detected_level comes from the record's severity",
                );
              return `${plan.length} of ${plan.length} in ${((Date.now() - start) / 1000).toFixed(1)} s, found by {${names.LABEL_SERVICE_NAME}="${names.SERVICE_NAME}"} | trace_id="…"; the /crash record is at level error`;
            },
          ),
    !requests.ok
      ? notChecked(`each request is counted in Prometheus (within ${bound(target.metricsBoundMs)})`, mode, 'service')
      : !up('prometheus')
        ? notChecked(
            `each request is counted in Prometheus (within ${bound(target.metricsBoundMs)})`,
            mode,
            'prometheus',
          )
        : timed(
            `each request is counted in Prometheus (within ${bound(target.metricsBoundMs)})`,
            `metrics travel service -> collector (prometheusremotewrite) -> Prometheus: ${lookAt(mode, 'collector')}; ${lookAt(mode, 'prometheus')}`,
            async () => {
              const start = Date.now();
              const sent = new Map<string, number>();
              for (const r of plan) sent.set(r.route, (sent.get(r.route) ?? 0) + 1);
              const before = countsBefore ?? new Map<string, number>();
              // A counter that went down means the service restarted: count from zero then.
              const delta = (now: Map<string, number>, route: string) =>
                (now.get(route) ?? 0) -
                ((now.get(route) ?? 0) >= (before.get(route) ?? 0) ? (before.get(route) ?? 0) : 0);
              const after = await pollUntil(
                () => requestCountsByRoute(urls.prometheus).catch(() => new Map<string, number>()),
                (now) => [...sent].every(([route, n]) => delta(now, route) >= n),
                { timeoutMs: target.metricsBoundMs, intervalMs: 2_000 },
              );
              const short = [...sent].filter(([route, n]) => delta(after, route) < n);
              if (short.length > 0)
                throw new Error(
                  `${names.PROM_REQUEST_COUNT} grew by ${short.map(([route, n]) => `${delta(after, route)} of ${n} on ${route}`).join(', ')} after ${bound(target.metricsBoundMs)}`,
                );
              return `${names.PROM_REQUEST_COUNT} grew by at least ${[...sent].map(([route, n]) => `${n} on ${route}`).join(', ')} in ${((Date.now() - start) / 1000).toFixed(1)} s`;
            },
          ),
  ]);
  checks.push(...golden);

  // 3. The collector: it received, sent without failures, and its queues are not filling.
  if (!up('collector') || !collectorBefore) {
    checks.push(notChecked('the collector receives and exports without failures', mode, 'collector'));
  } else {
    const before = collectorBefore;
    checks.push(
      await timed(
        'the collector receives and exports without failures or a growing queue',
        lookAt(mode, 'collector'),
        async () => {
          const after = readCollector(await getText(urls.collectorMetrics));
          const received = Object.entries(after.accepted).map(([s, n]) => `${n - (before.accepted[s] ?? 0)} ${s}`);
          const quiet = Object.entries(after.accepted).filter(([s, n]) => n - (before.accepted[s] ?? 0) <= 0);
          const trouble = collectorTrouble(before, after);
          if (trouble.failed.length > 0 || trouble.queues.length > 0)
            throw new Failed(
              [...trouble.failed, ...trouble.queues].join('; '),
              `an exporter cannot reach its backend (otlp/jaeger -> Jaeger, otlphttp/loki -> Loki, prometheusremotewrite -> Prometheus): check that backend first, then ${lookAt(mode, 'collector')}`,
            );
          if (requests.ok && quiet.length > 0)
            throw new Failed(
              `received nothing new while verify ran: ${quiet.map(([s]) => s).join(', ')}`,
              `the service sends OTLP to the collector (OTEL_EXPORTER_OTLP_ENDPOINT): ${lookAt(mode, 'service')}; ${lookAt(mode, 'collector')}`,
            );
          const queues = Object.entries(after.queue)
            .map(([e, q]) => `${e} ${q.size}`)
            .join(', ');
          return `accepted ${received.join(', ')} while verify ran; no failed sends; queues ${queues || 'empty'}`;
        },
      ),
    );
  }

  // 4. Every dashboard panel's query returns data.
  const fromSec = Date.now() / 1000 - target.windowSeconds;
  const panelTargets = listPanelTargets();
  const backends = { prometheus: urls.prometheus, jaeger: urls.jaeger, logs };
  const panelNeeds: Record<string, Component> = { promql: 'prometheus', logql: 'loki', jaeger: 'jaeger' };
  // The dashboards together, not one after another: each waits up to panelWaitMs for a slow panel.
  const boards = [...new Set(panelTargets.map((t) => t.dashboardTitle))].map(async (board): Promise<CheckResult> => {
    const ofBoard = panelTargets.filter((t) => t.dashboardTitle === board);
    const name = `dashboard "${board}": every panel's query returns data (${ofBoard.length} queries)`;
    // Targets whose backend does not answer are not asked (and fail the check); the others are.
    const askable = ofBoard.filter((t) => up(panelNeeds[t.language]!));
    const down = [...new Set(ofBoard.map((t) => panelNeeds[t.language]!))].filter((c) => !up(c));
    if (askable.length === 0) return notChecked(name, mode, down[0]!);
    return timed(name, '', async () => {
      const empty = await pollUntil(
        async () => {
          const answers = await Promise.all(
            askable.map(async (t) => {
              try {
                const a = await queryTarget(backends, t, fromSec);
                return a.rows > 0 ? undefined : { t, why: 'no data' };
              } catch (error) {
                return { t, why: reason(error) };
              }
            }),
          );
          return answers.filter((a) => a !== undefined);
        },
        (e) => e.length === 0,
        { timeoutMs: target.panelWaitMs, intervalMs: 5_000 },
      );
      if (down.length > 0)
        throw new Failed(
          `${ofBoard.length - askable.length} of ${ofBoard.length} not checked: ${down.map((c) => DISPLAY[c]).join(', ')} does not answer; of the others ${empty.length} empty${empty.length ? `: ${empty.map((e) => `"${e.t.panelTitle}" (${e.why})`).join('; ')}` : ''}`,
          `bring ${down.map((c) => DISPLAY[c]).join(', ')} back first: ${down.map((c) => lookAt(mode, c)).join('; ')}`,
        );
      if (empty.length > 0) {
        const k6 = empty.some((e) => /\bk6_/.test(e.t.rawQuery));
        const inv = empty.some((e) => e.t.rawQuery.includes(inventory.SERVICE_NAME));
        throw new Failed(
          `${empty.length} of ${ofBoard.length} empty: ${empty.map((e) => `"${e.t.panelTitle}" (${e.t.datasourceUid}: ${e.why})`).join('; ')}`,
          [
            k6
              ? "k6's panels need a load run that sends k6's metrics: `npm run load` (a smoke run can end before k6's last export), then verify again"
              : 'rates need a minute of traffic: `npm run load -- smoke`, wait a minute, verify again',
            inv ? `the inventory's panels need the inventory: ${lookAt(mode, 'inventory')}` : '',
            `still empty: ask the panel's backend (${[...new Set(empty.map((e) => e.t.datasourceUid))].join(', ')}) directly; ${README}#troubleshooting ("Panels say No data")`,
          ]
            .filter(Boolean)
            .join('; '),
        );
      }
      const doorNote =
        ofBoard.some((t) => t.language === 'logql') && logs.kind === 'door' ? " (Loki's judged at its door)" : '';
      return `${ofBoard.length} of ${ofBoard.length} have data over the last ${target.windowSeconds / 60} min${doorNote}`;
    });
  });
  checks.push(...(await Promise.all(boards)));

  // 5. Links, as the provisioning files build them (or as Grafana's API returns the datasources).
  let datasources: Datasource[] | undefined;
  let datasourcesFrom = '';
  let datasourcesError = '';
  if (urls.grafana && up('grafana')) {
    try {
      const uids = [
        DATASOURCE_UID.prometheus,
        DATASOURCE_UID.loki,
        DATASOURCE_UID.jaeger,
        ...(target.aws ? [DATASOURCE_UID.xray] : []),
      ];
      datasources = await Promise.all(
        uids.map(
          async (uid) => JSON.parse(await getText(`${urls.grafana}/api/datasources/uid/${uid}`, auth)) as Datasource,
        ),
      );
      datasourcesFrom = "Grafana's API";
    } catch (error) {
      datasourcesError = `Grafana's API: ${reason(error)}`;
    }
  }
  if (!datasources) {
    try {
      datasources = await target.provisionedDatasources();
      datasourcesFrom = 'the provisioning files';
    } catch (error) {
      datasourcesError = [datasourcesError, `the provisioning files: ${reason(error)}`].filter(Boolean).join('; ');
    }
  }
  const linkFix = `the links are built in dashboards/provisioning/datasources/*.yaml: see dashboards/README.md (link pitfalls)`;
  const withDatasources = async (name: string, needs: Component[], run: (ds: Datasource[]) => Promise<string>) => {
    const down = needs.find((c) => !up(c));
    if (down) return notChecked(name, mode, down);
    if (!datasources)
      return {
        name,
        ok: false,
        ms: 0,
        detail: `not checked: no datasources to read (${datasourcesError})`,
        fix:
          mode === 'compose'
            ? `start Grafana (${lookAt(mode, 'grafana')}), or run \`npm ci\` so verify can read the provisioning files`
            : 'run `npm ci` (the native stack needs it anyway) so verify can read the provisioning files',
      };
    const read = datasources;
    return timed(name, linkFix, () => run(read));
  };
  const crashTrace = () => {
    const t = traces.get(crash.traceId);
    if (!t) throw new Error(`the /crash trace ${crash.traceId} is not in Jaeger (see the span check above)`);
    return t;
  };
  const crashRecords = () => {
    const r = records.get(crash.traceId);
    if (!r?.length) throw new Error(`no log record of /crash ${crash.traceId} (see the log check above)`);
    return r;
  };
  checks.push(
    await withDatasources('log -> trace: the /crash log line links to its trace', ['loki', 'jaeger'], (ds) => {
      const field = derivedFieldTo(ds, DATASOURCE_UID.jaeger);
      const ids = new Set(crashRecords().map((e) => extractDerivedValue(field, e.labels, e.line)));
      if (ids.size !== 1 || !ids.has(crash.traceId))
        throw new Failed(
          `derived field "${field.name}" (matcher ${field.matcherType ?? 'regex'} ${field.matcherRegex}) extracted ${JSON.stringify([...ids])}, expected ${crash.traceId}`,
          linkFix,
        );
      crashTrace();
      return Promise.resolve(
        `derived field "${field.name}" (from ${datasourcesFrom}) extracts ${crash.traceId}, which Jaeger holds`,
      );
    }),
    await withDatasources('trace -> logs: the /crash span links to its log records', ['loki', 'jaeger'], async (ds) => {
      const trace = crashTrace();
      const server = trace.spans.find(isServerSpan)!;
      const tags = Object.fromEntries(
        [...(trace.processes[server.processID]?.tags ?? []), ...server.tags].map((t) => [t.key, String(t.value)]),
      );
      const link = tracesToLogsQuery(ds, DATASOURCE_UID.jaeger, {
        traceId: crash.traceId,
        spanId: server.spanID,
        name: server.operationName,
        tags,
      });
      const answer = await queryLogs(logs, link.query, { fromSec: sentAtSec - 120, toSec: Date.now() / 1000 + 60 });
      const others = answer.entries.filter((e) => e.labels['trace_id'] !== crash.traceId);
      if (answer.rows === 0 || others.length > 0)
        throw new Failed(
          `${link.query} selected ${answer.rows} records${others.length ? `, ${others.length} of another trace` : ''}`,
          linkFix,
        );
      return `${link.query} (from ${datasourcesFrom}) selects ${answer.rows} record(s) of that trace`;
    }),
  );
  const exemplarTargets = panelTargets.filter((t) => t.exemplar);
  checks.push(
    await withDatasources(
      `exemplar -> trace: a latency exemplar opens its trace (within ${bound(target.telemetryBoundMs)})`,
      ['prometheus', 'jaeger'],
      async (ds) => {
        if (exemplarTargets.length === 0) throw new Error('no dashboard panel asks for exemplars');
        const start = Date.now();
        const links = await pollUntil(
          async () => {
            for (const t of exemplarTargets) {
              const answer = await promExemplars(
                urls.prometheus,
                resolveQuery(t, fromSec),
                fromSec,
                Date.now() / 1000,
              ).catch(() => []);
              for (const e of answer.flatMap((s) => s.exemplars).reverse()) {
                const found = exemplarLinks(ds, t.datasourceUid, e.labels);
                if (found.length > 0) return found;
              }
            }
            return [];
          },
          (l) => l.length > 0,
          { timeoutMs: target.telemetryBoundMs, intervalMs: 3_000 },
        );
        if (links.length === 0)
          throw new Failed(
            `no exemplar carrying a label of the Prometheus datasource's exemplarTraceIdDestinations after ${bound(target.telemetryBoundMs)}`,
            `exemplars come from Jaeger's span metrics (jaeger.yaml), scraped by Prometheus with --enable-feature=exemplar-storage: ${lookAt(mode, 'jaeger')}; ${lookAt(mode, 'prometheus')}`,
          );
        const traceId = links[0]!.value;
        const trace = await pollUntil(
          () => jaegerTrace(urls.jaeger, traceId).catch(() => undefined),
          (t) => !!t?.spans.length,
          { timeoutMs: 10_000, intervalMs: 2_000 },
        );
        if (!trace?.spans.length)
          throw new Failed(
            `exemplar trace ${traceId} is not in Jaeger`,
            `${lookAt(mode, 'jaeger')}; Jaeger keeps traces in memory (a restart empties it)`,
          );
        const url = links.find((l) => l.url)?.url;
        return `exemplar trace ${traceId} is in Jaeger${url ? `; the link opens ${url}` : ''} (found in ${((Date.now() - start) / 1000).toFixed(1)} s)`;
      },
    ),
  );

  // 6. The service graph and the inventory's counts.
  checks.push(
    up('jaeger')
      ? await timed("the service graph has the service's edge", lookAt(mode, 'jaeger'), async () => {
          const edges = await jaegerDependencies(urls.jaeger, Date.now() / 1000 + 60, target.windowSeconds + 60);
          const mine = edges.filter((e) => e.parent === names.SERVICE_NAME || e.child === names.SERVICE_NAME);
          if (mine.length === 0)
            throw new Error(
              `Jaeger's /api/dependencies has no edge of ${names.SERVICE_NAME}: ${JSON.stringify(edges)}`,
            );
          return mine.map((e) => `${e.parent} -> ${e.child} (${e.callCount} calls)`).join(', ');
        })
      : notChecked("the service graph has the service's edge", mode, 'jaeger'),
    !up('prometheus')
      ? notChecked("the AWS inventory's counts are in Prometheus", mode, 'prometheus')
      : await timed("the AWS inventory's counts are in Prometheus", lookAt(mode, 'inventory'), async () => {
          const query = `sum(${inventory.PROM_RESOURCES}{${names.LABEL_SERVICE_NAME}="${inventory.SERVICE_NAME}"})`;
          const total = Number((await promInstant(urls.prometheus, query))[0]?.value?.[1] ?? NaN);
          if (!(total > 0)) throw new Error(`${query} is ${Number.isNaN(total) ? 'absent' : total}`);
          const health = up('inventory')
            ? (JSON.parse(await getText(`${urls.inventory}/health`)) as {
                status?: string;
                collectors?: { collector: string; region: string; status: string }[];
              })
            : undefined;
          const failing = (health?.collectors ?? []).filter((c) => c.status !== 'ok');
          if (health && health.status !== 'ok')
            throw new Failed(
              `${total} resources counted, but /health says ${health.status}: ${failing.map((c) => `${c.collector} ${c.region} ${c.status}`).join(', ')}`,
              `${lookAt(mode, 'inventory')}; inventory/README.md (failure handling)`,
            );
          return `${total} resources counted; /health ${health?.status ?? 'not asked'}`;
        }),
  );

  // 7. AWS mode: the X-Ray form of a trace id.
  if (target.aws) {
    const name = 'X-Ray: the /crash trace id in its X-Ray form';
    checks.push(
      !requests.ok
        ? notChecked(name, mode, 'service')
        : await timed(
            name,
            'AWS mode: collector/aws.yaml (awsxray exporter) and dashboards/provisioning/datasources-aws/xray.yaml',
            async () => {
              const xrayId = toXRayTraceId(crash.traceId);
              const parts: string[] = [xrayId];
              const record = records.get(crash.traceId)?.find((e) => e.labels[names.LOG_FIELD_XRAY_TRACE_ID]);
              if (record && record.labels[names.LOG_FIELD_XRAY_TRACE_ID] !== xrayId)
                throw new Error(
                  `the log record says ${names.LOG_FIELD_XRAY_TRACE_ID}=${record.labels[names.LOG_FIELD_XRAY_TRACE_ID]}, expected ${xrayId}`,
                );
              if (record && datasources) {
                const field = derivedFieldTo(datasources, DATASOURCE_UID.xray);
                const value = extractDerivedValue(field, record.labels, record.line);
                if (value !== xrayId)
                  throw new Failed(
                    `the X-Ray derived field "${field.name}" extracts ${JSON.stringify(value)}, expected ${xrayId}`,
                    linkFix,
                  );
                parts.push(`the log line's X-Ray link carries it`);
              }
              if (urls.xray) {
                const found = await pollUntil(
                  () => xrayBatchGetTraces(urls.xray!, target.awsRegion, [xrayId]).catch(() => []),
                  (t) => t.length > 0,
                  { timeoutMs: target.telemetryBoundMs, intervalMs: 2_000 },
                );
                if (found.length === 0)
                  throw new Failed(
                    `X-Ray at ${urls.xray} has no trace ${xrayId} after ${bound(target.telemetryBoundMs)}`,
                    `the collector's awsxray exporter: ${lookAt(mode, 'collector')}; ${lookAt(mode, 'moto')}`,
                  );
                parts.push(`X-Ray (${urls.xray}) holds it`);
              } else {
                parts.push(
                  `not asked of X-Ray itself (that needs signed AWS calls): open https://console.aws.amazon.com/xray/home?region=${target.awsRegion}#/traces/${xrayId}`,
                );
              }
              return parts.join('; ');
            },
          ),
    );
  }

  // 8. Grafana's own view, where Grafana runs.
  if (urls.grafana) {
    const grafanaFix = `${lookAt(mode, 'grafana')}; Grafana reads dashboards/provisioning/ at start (dashboards/README.md)`;
    if (!up('grafana')) {
      checks.push(notChecked("Grafana's datasources are healthy", mode, 'grafana'));
      checks.push(notChecked("Grafana's provisioned dashboards are present", mode, 'grafana'));
    } else {
      const uids = [
        DATASOURCE_UID.prometheus,
        DATASOURCE_UID.loki,
        DATASOURCE_UID.jaeger,
        ...(target.aws ? [DATASOURCE_UID.xray] : []),
      ];
      checks.push(
        await timed("Grafana's datasources are healthy", grafanaFix, async () => {
          const answers = await Promise.all(
            uids.map(async (uid) => {
              const res = await get(`${urls.grafana}/api/datasources/uid/${uid}/health`, auth);
              const body = (await res.json().catch(() => ({}))) as { status?: string; message?: string };
              return {
                uid,
                ok: res.ok && body.status === 'OK',
                said: `${res.status} ${body.status ?? ''} ${body.message ?? ''}`.trim(),
              };
            }),
          );
          const bad = answers.filter((a) => !a.ok);
          if (bad.some((a) => a.said.startsWith('401') || a.said.startsWith('403')))
            throw new Failed(
              `Grafana refused verify's login: ${bad.map((a) => `${a.uid}: ${a.said}`).join('; ')}`,
              'set GRAFANA_ADMIN_PASSWORD to the password in your .env (verify logs in as the admin to ask for datasource health)',
            );
          if (bad.length > 0) throw new Failed(bad.map((a) => `${a.uid}: ${a.said}`).join('; '), grafanaFix);
          return answers.map((a) => `${a.uid} OK`).join(', ');
        }),
        await timed("Grafana's provisioned dashboards are present", grafanaFix, async () => {
          const boards = loadCommittedDashboards();
          const missing: string[] = [];
          for (const b of boards) {
            const res = await get(`${urls.grafana}/api/dashboards/uid/${b.uid}`, auth);
            await res.arrayBuffer();
            if (!res.ok) missing.push(`${b.title} (${b.uid}): ${res.status}`);
          }
          if (missing.length > 0) throw new Error(`missing: ${missing.join(', ')}`);
          return boards.map((b) => b.title).join(', ');
        }),
      );
    }
  }
  return { reachable: true, checks, notes };
}

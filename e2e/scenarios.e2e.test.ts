// The lab scenarios, proven on the native stack under a counted load: each one, switched on with
// `npm run scenario` exactly as a facilitator would, makes its symptom appear where its lab page
// says (the panel's own query in Prometheus, the trace in Jaeger, the records at Loki's door),
// its alert fires (Prometheus's alerts API), the flag evaluation is on a span, and switched off
// the symptom goes back to its baseline. Every wait is bounded; the bounds are stated below.
// Loki does not run here: log symptoms are judged at Loki's door (what the collector delivered).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOARDS } from '../kit/boards.ts';
import { REPO_ROOT } from '../kit/layout.ts';
import { fetchJson, pollUntil } from '../kit/poll.ts';
import { SERVICE_NAME } from '../kit/names/service.ts';
import {
  ENV_FLAG_FILE,
  FLAG_CHANGE_BOUND_SECONDS,
  FLAG_FILE,
  SCENARIOS,
  SCENARIO_NAMES,
  renderFlagFile,
  type ScenarioName,
} from '../kit/scenarios.ts';
import { LOG_MSG_SCENARIOS_CHANGED } from '../service/src/scenarios/switch.ts';
import { LOG_MSG_FLOOD } from '../service/src/scenarios/middleware.ts';
import { jaegerSearch, promInstant, type JaegerTrace } from '../kit/checks/backends.ts';
import { listPanelTargets, resolveQuery } from '../kit/checks/panels.ts';
import { lokiDoorRecords } from './backends.ts';
import { runLoad, startE2eStack, type E2eStack } from './harness.ts';
import { scenarioOnAnnotation } from '../dashboards/src/serviceOverview.ts';
import { LABEL_SCENARIO, PROM_FEATURE_FLAG_EVALUATIONS } from '../kit/names/service.ts';

/** How long each symptom may take to show once the flag is in force (rates over 1 m, 5 s exports). */
const SYMPTOM_BOUND_MS = 120_000;
/** How long an alert may take to fire once the flag is in force (windows of 1-2 m, `for: 30s`). */
const ALERT_BOUND_MS = 240_000;
/** How long the baseline may take to come back after the flag is off (the 1 m windows must empty). */
const BASELINE_BOUND_MS = 180_000;

let stack: E2eStack;
let startSec: number;
let loadStopped = false;
let load: Promise<void>;
const measured: Record<string, string> = {};

/**
 * `npm run scenario` as a facilitator types it on the native stack: it rewrites the repository's
 * flag file, which the native service reads (compose's /flags mount mapped back to the
 * repository). The file is put back to every scenario off at the end, byte for byte as committed.
 */
function scenario(...args: string[]): { status: number | null; out: string } {
  const { [ENV_FLAG_FILE]: _ignored, ...env } = process.env;
  const result = spawnSync('npm', ['run', '--silent', 'scenario', '--', ...args], {
    cwd: REPO_ROOT,
    env,
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: result.status, out: `${result.stdout}${result.stderr}` };
}

/** The value of one panel target's own query, now (the first series; NaN when none). */
async function panelValue(name: ScenarioName | 'latency', refId = 'A'): Promise<number> {
  const title = name === 'latency' ? 'Latency p50 / p95 / p99' : SCENARIOS[name].panel;
  const board = name === 'latency' ? BOARDS.serviceOverview.title : BOARDS[SCENARIOS[name].board].title;
  const target = listPanelTargets().find(
    (t) => t.dashboardTitle === board && t.panelTitle === title && t.refId === refId,
  );
  if (!target) throw new Error(`no target ${board} / ${title} / ${refId}`);
  const query = resolveQuery(target, startSec);
  const series = await promInstant(stack.urls.prometheus, query);
  const values = series.map((s) => Number(s.value?.[1])).filter(Number.isFinite);
  return values.length ? Math.max(...values) : Number.NaN;
}

async function firingAlerts(): Promise<string[]> {
  const answer = await fetchJson<{ data: { alerts: { labels: { alertname: string }; state: string }[] } }>(
    `${stack.urls.prometheus}/api/v1/alerts`,
  );
  return answer.data.alerts.filter((a) => a.state === 'firing').map((a) => a.labels.alertname);
}

/** Flood records at Loki's door stamped within the last 15 s. */
async function recentFloodRecords(): Promise<number> {
  const sinceNs = BigInt(Date.now() - 15_000) * 1_000_000n;
  return (await lokiDoorRecords(stack.urls.loki)).filter(
    (r) => r.otlp.body === LOG_MSG_FLOOD && BigInt(r.otlp.timeUnixNano) > sinceNs,
  ).length;
}

async function errorRecordsOfScenario(): Promise<number> {
  return (await lokiDoorRecords(stack.urls.loki)).filter(
    (r) => r.otlp.severityText === 'error' && JSON.stringify(r.otlp.attributes ?? []).includes('simulated failure'),
  ).length;
}

/** Traces of the last minute where some span carries the flag's evaluation event. */
async function tracesWithEvaluation(name: ScenarioName, sinceSec: number): Promise<JaegerTrace[]> {
  const traces = await jaegerSearch(stack.urls.jaeger, {
    service: SERVICE_NAME,
    limit: 100,
    startSec: sinceSec,
    endSec: Date.now() / 1000 + 60,
  });
  return traces.filter((t) =>
    t.spans.some((s) =>
      s.logs.some(
        (l) =>
          l.fields.some((f) => f.key === 'event' && f.value === 'feature_flag.evaluation') &&
          l.fields.some((f) => f.key === 'feature_flag.key' && f.value === name),
      ),
    ),
  );
}

function serviceLog(): string {
  return readFileSync(stack.native.logs.service!, 'utf8');
}

/** Switches a scenario and waits for the service to say so; returns how long that took. */
async function switchTo(name: ScenarioName, state: 'on' | 'off'): Promise<number> {
  const before = serviceLog().split(LOG_MSG_SCENARIOS_CHANGED).length;
  const switched = Date.now();
  const result = scenario(name, state);
  expect(result.status, result.out).toBe(0);
  await pollUntil(
    () => Promise.resolve(serviceLog().split(LOG_MSG_SCENARIOS_CHANGED).length),
    (n) => n > before,
    { timeoutMs: FLAG_CHANGE_BOUND_SECONDS * 1000, intervalMs: 200 },
  );
  expect(serviceLog().split(LOG_MSG_SCENARIOS_CHANGED).length, `${name} ${state} not in force`).toBeGreaterThan(before);
  return Date.now() - switched;
}

interface Symptom {
  /** What the lab page tells the attendee to look at, measured now. */
  measure: () => Promise<number>;
  /** True when the measure shows the symptom, given the measure before the scenario. */
  shows: (now: number, baseline: number) => boolean;
}

const SYMPTOMS: Record<ScenarioName, Symptom> = {
  'slow-store': { measure: () => panelValue('latency', 'B'), shows: (now) => now > 0.5 },
  'items-errors': { measure: () => panelValue('items-errors'), shows: (now) => now > 0.1 },
  'memory-leak': { measure: () => panelValue('memory-leak'), shows: (now, base) => now > base + 40 * 1024 * 1024 },
  'cpu-block': { measure: () => panelValue('cpu-block'), shows: (now) => now > 0.05 },
  'n-plus-one': { measure: () => panelValue('n-plus-one'), shows: (now) => now > 3 },
  'log-flood': { measure: recentFloodRecords, shows: (now) => now > 100 },
};

beforeAll(async () => {
  startSec = Date.now() / 1000 - 60;
  expect(readFileSync(join(REPO_ROOT, FLAG_FILE), 'utf8'), 'the flag file starts as committed').toBe(
    renderFlagFile(new Set()),
  );
  stack = await startE2eStack();
  // A steady counted load for the whole file, run after run (each bounded), until the tests end.
  load = (async () => {
    for (let run = 0; run < 30 && !loadStopped; run += 1) {
      await runLoad(stack, {
        profile: 'counted',
        runId: `scenarios-${run}`,
        iterations: 600,
        // Scenarios make requests fail and slow on purpose: k6's thresholds are not the point here.
        env: { DURATION: '60s' },
      });
    }
  })();
  // Baselines settle: a minute of load with every scenario off.
  await new Promise((resolve) => setTimeout(resolve, 60_000));
});

afterAll(async () => {
  loadStopped = true;
  await Promise.race([load, new Promise((resolve) => setTimeout(resolve, 90_000))]);
  scenario('off');
  await stack?.stop();
  console.log(
    `measured:\n${Object.entries(measured)
      .map(([k, v]) => `  ${k}: ${v}`)
      .join('\n')}`,
  );
});

describe('npm run scenario against the native stack', () => {
  it('refuses an unknown name with exit 2 and the list', () => {
    const result = scenario('no-such-scenario', 'on');
    expect(result.status).toBe(2);
    for (const name of SCENARIO_NAMES) expect(result.out).toContain(name);
  });
});

describe.each(SCENARIO_NAMES.map((name) => [name]))('%s', (name) => {
  it(
    `on: symptom within ${SYMPTOM_BOUND_MS / 1000} s, alert ${SCENARIOS[name].alert} within ${ALERT_BOUND_MS / 1000} s, the flag evaluation on a span; off: baseline within ${BASELINE_BOUND_MS / 1000} s`,
    async () => {
      const symptom = SYMPTOMS[name];
      const baseline = await symptom.measure();
      expect(symptom.shows(baseline, baseline), `${name}: symptom before the scenario (${baseline})`).toBe(false);
      const onSec = Date.now() / 1000;
      const inForceMs = await switchTo(name, 'on');
      const started = Date.now();
      try {
        const seen = await pollUntil(symptom.measure, (v) => symptom.shows(v, baseline), {
          timeoutMs: SYMPTOM_BOUND_MS,
          intervalMs: 5_000,
        });
        expect(symptom.shows(seen, baseline), `${name}: symptom (baseline ${baseline}, last ${seen})`).toBe(true);
        const symptomMs = Date.now() - started;
        if (name === 'items-errors')
          expect(await errorRecordsOfScenario(), "ERROR records at Loki's door").toBeGreaterThan(0);
        const alerts = await pollUntil(firingAlerts, (a) => a.includes(SCENARIOS[name].alert), {
          timeoutMs: ALERT_BOUND_MS,
          intervalMs: 5_000,
        });
        expect(alerts, `${name}: firing alerts`).toContain(SCENARIOS[name].alert);
        const alertMs = Date.now() - started;
        const slo = SCENARIOS[name].sloAlert;
        if (slo) {
          const burning = await pollUntil(firingAlerts, (a) => a.includes(slo), {
            timeoutMs: ALERT_BOUND_MS,
            intervalMs: 5_000,
          });
          expect(burning, `${name}: SLO alert`).toContain(slo);
          measured[`${name} SLO`] =
            `${slo} firing ${((Date.now() - started) / 1000).toFixed(0)} s after the flag was in force`;
        }
        const traces = await pollUntil(
          () => tracesWithEvaluation(name, onSec),
          (t) => t.length > 0,
          { timeoutMs: 60_000, intervalMs: 5_000 },
        );
        expect(traces.length, `${name}: a trace with the feature_flag.evaluation event`).toBeGreaterThan(0);
        // The boards' annotation draws this scenario's region, and its evaluations are counted.
        const region = await pollUntil(
          () => promInstant(stack.urls.prometheus, scenarioOnAnnotation),
          (series) => series.some((s) => s.metric[LABEL_SCENARIO] === name),
          { timeoutMs: 30_000, intervalMs: 5_000 },
        );
        expect(
          region.map((s) => s.metric[LABEL_SCENARIO]),
          `${name}: annotation query`,
        ).toContain(name);
        const evaluations = await promInstant(
          stack.urls.prometheus,
          `sum(${PROM_FEATURE_FLAG_EVALUATIONS}{feature_flag_key="${name}"})`,
        );
        expect(Number(evaluations[0]?.value?.[1] ?? 0), `${name}: evaluations counted`).toBeGreaterThan(0);
        measured[name] =
          `in force ${(inForceMs / 1000).toFixed(1)} s after the switch; symptom ${(symptomMs / 1000).toFixed(0)} s, alert ${(alertMs / 1000).toFixed(0)} s after that`;
      } finally {
        await switchTo(name, 'off');
      }
      const back = await pollUntil(symptom.measure, (v) => !symptom.shows(v, baseline), {
        timeoutMs: BASELINE_BOUND_MS,
        intervalMs: 5_000,
      });
      expect(symptom.shows(back, baseline), `${name}: baseline back (last ${back})`).toBe(false);
    },
    SYMPTOM_BOUND_MS + ALERT_BOUND_MS + BASELINE_BOUND_MS + 120_000,
  );
});

/**
 * The k6 entry point: `k6 run loadgen/main.ts` (k6 runs TypeScript itself; no bundler).
 * Usually started through `npm run load -- <profile>` (scripts/load.ts), which also wires the
 * OpenTelemetry output and checks the target first.
 *
 * Environment (all optional): LOAD_PROFILE, BASE_URL, RUN_ID, RATE, SPIKE_FACTOR, CYCLES,
 * DURATION, ITERATIONS, VUS, MAX_VUS, P95_MS, SUMMARY_JSON. See loadgen/README.md.
 */
import exec from 'k6/execution';
import http from 'k6/http';
import { Counter } from 'k6/metrics';
import { FLOWS } from './flows.ts';
import { BASE_URL } from './client.ts';
import { REALISTIC_WEIGHTS, SMOKE_WEIGHTS, buildSchedule, crashOrdinal, flowForIteration } from './mix.ts';
import { CRASH_SLOT_METRIC, buildOptions, crashSlotsFor, profileSettings } from './options.ts';
import { parseProfileName } from '../kit/load-profiles.ts';
import { buildSummary, renderSummaryText } from './summary.ts';
import type { SetupData, K6SummaryData } from './summary.ts';
import { baggageHeader, isValidRunId, newRunId, newSpanId, newTraceId, traceparent } from '../kit/trace-ids.ts';

const profile = parseProfileName(__ENV.LOAD_PROFILE);
export const options = buildOptions(profile, __ENV);
const crashSlots = crashSlotsFor(profile, profileSettings(profile, __ENV));

const schedule = buildSchedule(profile === 'smoke' ? SMOKE_WEIGHTS : REALISTIC_WEIGHTS);
const crashTraced = new Counter(CRASH_SLOT_METRIC);

/**
 * Runs once, before any VU. The run id and the reserved /crash trace ids are made here because
 * init code runs once per VU (each would invent its own id) and handleSummary sees setup's data
 * but nothing from the VUs.
 */
export function setup(): SetupData {
  const fromEnv = (__ENV.RUN_ID ?? '').trim();
  if (fromEnv !== '' && !isValidRunId(fromEnv)) {
    throw new Error(`RUN_ID must be 1-64 characters of A-Z a-z 0-9 . _ -, got ${JSON.stringify(fromEnv)}`);
  }
  const runId = fromEnv || newRunId();
  preflight(runId);
  const crashTraceIds: string[] = [];
  for (let slot = 0; slot < crashSlots; slot++) crashTraceIds.push(newTraceId());
  return { runId, profile, baseUrl: BASE_URL, crashTraceIds };
}

/** One request to /health so a wrong BASE_URL fails in a second with a sentence, not a wall of errors. */
function preflight(runId: string): void {
  const response = http.get(`${BASE_URL}/health`, {
    headers: { traceparent: traceparent(newTraceId(), newSpanId()), baggage: baggageHeader(runId) },
    // Its own name keeps it out of the per-route counts the end-to-end test compares.
    tags: { name: 'preflight /health', run_id: runId },
    timeout: '5s',
  });
  if (response.status !== 200) {
    const why = response.error ? response.error : `HTTP ${response.status}`;
    exec.test.abort(
      `the service at BASE_URL=${BASE_URL} does not answer GET /health (${why}); start it or set BASE_URL`,
    );
  }
}

export default function (data: SetupData): void {
  // Tags every metric this VU emits from here on (http_reqs, checks, iterations...), so one
  // run can be isolated in Grafana and in the end-to-end test.
  exec.vu.metrics.tags['run_id'] = data.runId;
  const iteration = exec.scenario.iterationInTest;
  const flow = flowForIteration(schedule, iteration);
  const ordinal = flow === 'crash' ? crashOrdinal(schedule, iteration) : -1;
  const traceId = ordinal >= 0 && ordinal < data.crashTraceIds.length ? data.crashTraceIds[ordinal] : undefined;
  FLOWS[flow]({ runId: data.runId, iteration, traceId });
  if (traceId !== undefined) crashTraced.add(1, { slot: String(ordinal) });
}

export function handleSummary(data: K6SummaryData): Record<string, string> {
  const summary = buildSummary(data);
  const outputs: Record<string, string> = { stdout: renderSummaryText(summary) };
  const path = (__ENV.SUMMARY_JSON ?? '').trim();
  if (path !== '') outputs[path] = JSON.stringify(summary, null, 2) + '\n';
  return outputs;
}

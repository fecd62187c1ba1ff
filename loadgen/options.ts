/**
 * Profiles -> k6 options (scenarios and thresholds).
 *
 * Pure: reads the environment from its argument, never from k6's __ENV, and imports k6 only for
 * types, so vitest can check the profiles. The profile names are kit/load-profiles.ts's.
 */
import type { Options, Scenario } from 'k6/options';
import { FLOW_NAMES, REALISTIC_WEIGHTS, SMOKE_WEIGHTS, buildSchedule, expectedFlowCounts } from './mix.ts';
import { ROUTES, routeRequestsSubmetric } from './routes.ts';
import type { ProfileName } from '../kit/load-profiles.ts';

export type Env = Record<string, string | undefined>;

/**
 * How many of the first /crash requests use trace ids reserved in setup() (see main.ts), so the
 * summary can list them: every /crash of a counted run (the end-to-end test matches each ERROR
 * log to one), a handful otherwise. Capped: each slot is a sub-metric k6 keeps.
 */
export const CRASH_SLOTS = 5;
export const MAX_CRASH_SLOTS = 100;

export function crashSlotsFor(profile: ProfileName, settings: ProfileSettings): number {
  if (profile === 'counted' || profile === 'smoke') {
    const weights = profile === 'smoke' ? SMOKE_WEIGHTS : REALISTIC_WEIGHTS;
    const crashes = expectedFlowCounts(buildSchedule(weights), settings.iterations).crash;
    return Math.min(MAX_CRASH_SLOTS, crashes);
  }
  return CRASH_SLOTS;
}
/** Counter incremented once per reserved /crash trace id actually sent, tagged with its slot. */
export const CRASH_SLOT_METRIC = 'loadgen_crash_traced';

function positiveNumber(env: Env, key: string, fallback: number): number {
  const raw = env[key];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`${key} must be a positive number, got ${JSON.stringify(raw)}`);
  return value;
}

function positiveInteger(env: Env, key: string, fallback: number): number {
  const value = positiveNumber(env, key, fallback);
  if (!Number.isInteger(value)) throw new Error(`${key} must be a whole number, got ${JSON.stringify(env[key])}`);
  return value;
}

/** k6 duration strings such as 90s, 10m, 1h30m. */
function duration(env: Env, key: string, fallback: string): string {
  const raw = (env[key] ?? '').trim();
  if (raw === '') return fallback;
  if (!/^(\d+h)?(\d+m)?(\d+s)?$/.test(raw) || raw === '') {
    throw new Error(`${key} must be a k6 duration such as 90s, 10m or 1h30m, got ${JSON.stringify(env[key])}`);
  }
  return raw;
}

/** A validated k6 duration ("1h30m", "15s") in milliseconds. */
export function durationMs(value: string): number {
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(value);
  if (!m) throw new Error(`not a k6 duration: ${value}`);
  return ((Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0)) * 60 + Number(m[3] ?? 0)) * 1000;
}

/** One smoke cycle runs every flow once (see SMOKE_WEIGHTS); three cycles = 24 requests. */
export const SMOKE_CYCLES = 3;

export interface ProfileSettings {
  /** Requests per second: the burst's base rate, the soak's steady rate. */
  rate: number;
  spikeFactor: number;
  cycles: number;
  soakDuration: string;
  /** How long a counted run spreads its iterations over. */
  countedDuration: string;
  iterations: number;
  vus: number;
  maxVus: number;
  p95Ms: number;
}

export function profileSettings(profile: ProfileName, env: Env): ProfileSettings {
  return {
    rate: positiveInteger(env, 'RATE', profile === 'soak' ? 5 : 10),
    spikeFactor: positiveNumber(env, 'SPIKE_FACTOR', 10),
    cycles: positiveInteger(env, 'CYCLES', 3),
    soakDuration: duration(env, 'DURATION', '10m'),
    countedDuration: duration(env, 'DURATION', '15s'),
    iterations: positiveInteger(env, 'ITERATIONS', profile === 'smoke' ? SMOKE_CYCLES * FLOW_NAMES.length : 300),
    vus: positiveInteger(env, 'VUS', profile === 'smoke' ? 2 : 5),
    maxVus: positiveInteger(env, 'MAX_VUS', 100),
    // Generous by default: the service adds simulated store latency and the workshop laptop is
    // also running a whole observability stack. Tighten it with P95_MS to see a threshold fail.
    p95Ms: positiveNumber(env, 'P95_MS', 500),
  };
}

/**
 * The burst: ramp to a steady base, then `cycles` times: hold the base 30 s, climb in 5 s to
 * base x spikeFactor, hold 10 s, drop back in 5 s. With the defaults (10/s, x10, 3 cycles) that
 * is 10 + 3 x 50 + 15 = 175 s, and the rate panel shows three clean plateaus.
 */
export function burstStages(rate: number, spikeFactor: number, cycles: number): { target: number; duration: string }[] {
  const spike = Math.max(rate + 1, Math.round(rate * spikeFactor));
  const stages = [{ target: rate, duration: '10s' }];
  for (let cycle = 0; cycle < cycles; cycle++) {
    stages.push(
      { target: rate, duration: '30s' },
      { target: spike, duration: '5s' },
      { target: spike, duration: '10s' },
      { target: rate, duration: '5s' },
    );
  }
  stages.push({ target: rate, duration: '15s' });
  return stages;
}

export function scenarioFor(profile: ProfileName, settings: ProfileSettings): Scenario {
  switch (profile) {
    case 'smoke':
      // shared-iterations + the deterministic smoke mix = the same requests every time.
      return { executor: 'shared-iterations', vus: settings.vus, iterations: settings.iterations, maxDuration: '15s' };
    case 'counted': {
      // A fixed number of requests in the realistic mix: the end-to-end test compares these
      // counts with what reached Jaeger, Prometheus and Loki.
      // Paced, not as fast as possible: `iterations` starts spread evenly over `countedDuration`
      // (rate per timeUnit = the whole duration), so k6's own metrics are exported several
      // times during the run and Prometheus has enough samples for rate() on the Load test board.
      // The scenario ends half a start interval early: k6 also starts an iteration at the very
      // end of a constant-arrival-rate duration, which would make the count ITERATIONS + 1.
      const spreadMs = durationMs(settings.countedDuration);
      return {
        executor: 'constant-arrival-rate',
        rate: settings.iterations,
        timeUnit: `${spreadMs}ms`,
        duration: `${Math.max(1, Math.round(spreadMs - spreadMs / (2 * settings.iterations)))}ms`,
        preAllocatedVUs: settings.vus,
        maxVUs: settings.maxVus,
      };
    }
    case 'burst': {
      const stages = burstStages(settings.rate, settings.spikeFactor, settings.cycles);
      const peak = Math.max(...stages.map((stage) => stage.target));
      return {
        executor: 'ramping-arrival-rate',
        startRate: 1,
        timeUnit: '1s',
        stages,
        preAllocatedVUs: Math.min(settings.maxVus, Math.max(5, Math.ceil(peak / 10))),
        maxVUs: settings.maxVus,
      };
    }
    case 'soak':
      return {
        executor: 'constant-arrival-rate',
        rate: settings.rate,
        timeUnit: '1s',
        duration: settings.soakDuration,
        preAllocatedVUs: Math.min(settings.maxVus, Math.max(2, Math.ceil(settings.rate / 10))),
        maxVUs: settings.maxVus,
      };
  }
}

export function thresholdsFor(settings: ProfileSettings, crashSlots: number): NonNullable<Options['thresholds']> {
  const thresholds: NonNullable<Options['thresholds']> = {
    // Deliberate 4xx and the /crash 500 are declared expected per request, so anything counted
    // here is a real failure.
    http_req_failed: [
      'rate<0.01',
      // A dead or wrong target: stop after 10 s instead of hammering it for minutes.
      { threshold: 'rate<0.5', abortOnFail: true, delayAbortEval: '10s' },
    ],
    'http_req_duration{expected_response:true}': [`p(95)<${settings.p95Ms}`],
    checks: ['rate>0.99'],
  };
  // Always-true thresholds on sub-metrics: k6 only keeps per-tag values for sub-metrics named in
  // thresholds, and handleSummary needs per-route counts and which reserved /crash ids were sent.
  for (const route of ROUTES) thresholds[routeRequestsSubmetric(route)] = ['count>=0'];
  for (let slot = 0; slot < crashSlots; slot++) thresholds[`${CRASH_SLOT_METRIC}{slot:${slot}}`] = ['count>=0'];
  return thresholds;
}

export const SYSTEM_TAGS = [
  'status',
  'method',
  'name',
  'group',
  'check',
  'error_code',
  'scenario',
  'expected_response',
] as const;

export function buildOptions(profile: ProfileName, env: Env): Options {
  const settings = profileSettings(profile, env);
  return {
    scenarios: { [profile]: scenarioFor(profile, settings) },
    thresholds: thresholdsFor(settings, crashSlotsFor(profile, settings)),
    summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)', 'count'],
    // Tags that become OpenTelemetry attributes and so Prometheus labels. Left out on purpose:
    // `url` (one series per item id and query string: the cardinality the fixed `name` tag
    // exists to avoid), `proto`, `tls_version`, `error` (free text).
    systemTags: [...SYSTEM_TAGS],
    // The service is local; a hung request is a bug worth seeing, not something to wait a minute for.
    setupTimeout: '30s',
    teardownTimeout: '30s',
  };
}

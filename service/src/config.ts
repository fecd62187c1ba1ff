import { z } from 'zod';
import { ConfigError, withoutEmptyValues } from '../../kit/env';
import { DEFAULT_REQUEST_TIMEOUT_MS } from '../../kit/node/http/server';
import { redactUrlCredentials } from '../../kit/redacted';
import { FLAG_FILE, FLAGD_RESOLVER_IN_PROCESS } from '../../kit/scenarios';

/**
 * The only reader of process.env in the service. Everything else receives a typed, validated
 * Config, so a typo in an env var stops start-up with a message naming it instead of surfacing
 * later as odd behaviour in the middle of a workshop.
 *
 * OTEL_* variables are read by the preloaded ADOT SDK, not here (see service/otel.env); the one
 * exception is service.version, taken from OTEL_RESOURCE_ATTRIBUTES so /health and the telemetry
 * resource cannot disagree.
 */

const booleanFromEnv = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be one of true, false, 1, 0, yes, no' })
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const integerFromEnv = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, { error: `must be an integer between ${min} and ${max}` })
    .transform(Number)
    .pipe(
      z
        .number()
        .int()
        .min(min, { error: `must be >= ${min}` })
        .max(max, { error: `must be <= ${max}` }),
    );

const envSchema = z.object({
  HOST: z.string().min(1, { error: 'must not be empty' }).default('0.0.0.0'),
  /** 0 asks the OS for a free port (tests); the listening log line says which. */
  PORT: integerFromEnv(0, 65535).default(8080),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Base latency of the simulated store lookup, so the trace waterfall shows a child span with width. */
  STORE_LATENCY_MS: integerFromEnv(0, 10_000).default(5),
  /** Random extra latency on top of the base, 0..jitter ms. */
  STORE_LATENCY_JITTER_MS: integerFromEnv(0, 10_000).default(20),
  STORE_SEED_ITEMS: integerFromEnv(0, 10_000).default(50),
  /** Upper bound of the in-memory store: POST beyond it answers 507 instead of growing forever. */
  STORE_MAX_ITEMS: integerFromEnv(1, 1_000_000).default(10_000),
  /** Background INFO/WARN/ERROR records every 5-10 s, for log panels that are never empty. */
  LOG_GENERATOR_ENABLED: booleanFromEnv.default(true),
  USER_SIMULATOR_ENABLED: booleanFromEnv.default(true),
  /** Time a client has to send a whole request (headers and body) before a 408; Node's own default is 300 s. */
  HTTP_REQUEST_TIMEOUT_MS: integerFromEnv(100, 300_000).default(DEFAULT_REQUEST_TIMEOUT_MS),
  /** Upper bound for draining in-flight requests on SIGTERM before closing connections anyway. */
  SHUTDOWN_DRAIN_TIMEOUT_MS: integerFromEnv(0, 120_000).default(10_000),
  /** Upper bound for flushing spans, metrics and logs on shutdown. */
  SHUTDOWN_FLUSH_TIMEOUT_MS: integerFromEnv(0, 120_000).default(5_000),
  /** The lab scenarios' flag file (flagd's schema), evaluated in process: no flagd server. */
  FLAGD_RESOLVER: z
    .literal(FLAGD_RESOLVER_IN_PROCESS, {
      error: `must be ${FLAGD_RESOLVER_IN_PROCESS} (the kit runs no flagd server)`,
    })
    .default(FLAGD_RESOLVER_IN_PROCESS),
  FLAGD_OFFLINE_FLAG_SOURCE_PATH: z.string().default(FLAG_FILE),
  OTEL_RESOURCE_ATTRIBUTES: z.string().optional(),
  // Read only to describe the export target in the "export failing" warning.
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().default('http://localhost:4318'),
  // When someone asks the SDK for detailed diagnostics, leave them on the console untouched.
  OTEL_LOG_LEVEL: z.string().optional(),
});

export type Config = {
  host: string;
  port: number;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  serviceVersion: string;
  store: { latencyMs: number; latencyJitterMs: number; seedItems: number; maxItems: number };
  logGeneratorEnabled: boolean;
  userSimulatorEnabled: boolean;
  requestTimeoutMs: number;
  shutdown: { drainTimeoutMs: number; flushTimeoutMs: number };
  otlpEndpoint: string;
  /** The flag file of the lab scenarios (relative paths from the working directory). */
  flagFile: string;
  /** true unless OTEL_LOG_LEVEL asks for info or more: SDK warnings then go to the service log, deduplicated. */
  routeSdkDiagnostics: boolean;
};

export { ConfigError };

function serviceVersionFrom(resourceAttributes: string | undefined): string {
  for (const pair of (resourceAttributes ?? '').split(',')) {
    const [key, value] = pair.split('=');
    if (key?.trim() === 'service.version' && value) return decodeURIComponent(value.trim());
  }
  return 'unknown';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(withoutEmptyValues(env));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = issue.path.join('.');
      return `${name}=${redactUrlCredentials(JSON.stringify(env[name] ?? ''))}: ${issue.message}`;
    });
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  const e = parsed.data;
  return {
    host: e.HOST,
    port: e.PORT,
    logLevel: e.LOG_LEVEL,
    serviceVersion: serviceVersionFrom(e.OTEL_RESOURCE_ATTRIBUTES),
    store: {
      latencyMs: e.STORE_LATENCY_MS,
      latencyJitterMs: e.STORE_LATENCY_JITTER_MS,
      seedItems: Math.min(e.STORE_SEED_ITEMS, e.STORE_MAX_ITEMS),
      maxItems: e.STORE_MAX_ITEMS,
    },
    logGeneratorEnabled: e.LOG_GENERATOR_ENABLED,
    userSimulatorEnabled: e.USER_SIMULATOR_ENABLED,
    requestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_MS,
    shutdown: { drainTimeoutMs: e.SHUTDOWN_DRAIN_TIMEOUT_MS, flushTimeoutMs: e.SHUTDOWN_FLUSH_TIMEOUT_MS },
    otlpEndpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT,
    flagFile: e.FLAGD_OFFLINE_FLAG_SOURCE_PATH,
    routeSdkDiagnostics: !['info', 'debug', 'verbose', 'all'].includes((e.OTEL_LOG_LEVEL ?? '').toLowerCase()),
  };
}

/** Quiet defaults for tests: no background timers, no artificial latency. */
export function testConfig(overrides: Partial<Config> = {}): Config {
  const base = loadConfig({
    LOG_LEVEL: 'silent',
    STORE_LATENCY_MS: '0',
    STORE_LATENCY_JITTER_MS: '1',
    LOG_GENERATOR_ENABLED: 'false',
    USER_SIMULATOR_ENABLED: 'false',
  });
  return { ...base, ...overrides, store: { ...base.store, ...overrides.store } };
}

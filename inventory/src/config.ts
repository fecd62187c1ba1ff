import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError, withoutEmptyValues } from '../../kit/env';
import { COLLECTOR_NAMES } from './collectors/registry';
import { DEFAULT_SERIES_LIMITS } from './state';

/**
 * The inventory's configuration: a YAML file (INVENTORY_CONFIG, default inventory/config.yaml)
 * validated with zod, then a few environment overrides for what differs between compose, the
 * native harness and a real account. The only reader of process.env in the inventory; a bad key
 * stops start-up with a message that names it (`collectors.ec2_instances.intervalSeconds: ...`).
 */

const REGION = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/;
const region = z.string().regex(REGION, { error: 'must be an AWS region such as us-east-1' });
const seconds = (min: number, max: number) => z.number().int().min(min).max(max);

const collectorSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** Falls back to the file's defaultIntervalSeconds. */
  intervalSeconds: seconds(5, 86_400).optional(),
});

const collectorsSchema = z.strictObject(
  Object.fromEntries(COLLECTOR_NAMES.map((name) => [name, collectorSchema.optional()])),
);

/** The file's `regions` and INVENTORY_REGIONS alike: the same regions, the same cap. */
const regionsSchema = z.array(region).min(1).max(32);

export const fileSchema = z.strictObject({
  regions: regionsSchema,
  defaultIntervalSeconds: seconds(5, 86_400).default(60),
  /** Region collections in flight at once, across all collectors. */
  maxConcurrency: z.number().int().min(1).max(64).default(4),
  /** The bound of one AWS call attempt, from sending the request to the last byte of the answer. */
  requestTimeoutMs: z.number().int().min(100).max(120_000).default(10_000),
  /**
   * The largest AWS answer read. Parsed, an answer takes several times its size in memory (a
   * 100 MiB one took the process to about 1 GiB), and maxConcurrency of them may be in flight.
   */
  maxResponseBytes: z
    .number()
    .int()
    .min(64 * 1024)
    .max(64 * 1024 * 1024)
    .default(2 * 1024 * 1024),
  retry: z
    .strictObject({
      maxAttempts: z.number().int().min(1).max(10).default(4),
      baseDelayMs: z.number().int().min(1).max(60_000).default(200),
      maxDelayMs: z.number().int().min(1).max(300_000).default(10_000),
    })
    .default({ maxAttempts: 4, baseDelayMs: 200, maxDelayMs: 10_000 }),
  circuitBreaker: z
    .strictObject({
      failureThreshold: z.number().int().min(1).max(100).default(3),
      openSeconds: seconds(1, 3600).default(60),
    })
    .default({ failureThreshold: 3, openSeconds: 60 }),
  collectors: collectorsSchema.default({}),
  /**
   * Series of aws_resources kept at once; past it, new state/type combinations are counted under
   * type="other" (and a warning says so). Below the metrics SDK's 2,000 points per instrument.
   */
  maxSeries: z.number().int().min(10).max(1_900).default(DEFAULT_SERIES_LIMITS.maxSeries),
  /** A combination that is gone is reported as 0 this long, then forgotten. */
  staleSeriesSeconds: seconds(60, 86_400).default(DEFAULT_SERIES_LIMITS.staleSeriesMs / 1000),
});

const integer = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const envSchema = z.object({
  INVENTORY_CONFIG: z.string().min(1).default('inventory/config.yaml'),
  /** Comma-separated: replaces the file's regions. */
  INVENTORY_REGIONS: z.string().optional(),
  /** Replaces every collector's interval (the e2e uses a short one). */
  INVENTORY_INTERVAL_SECONDS: integer(5, 86_400).optional(),
  /** moto or a proxy in front of it; unset means real AWS. */
  AWS_ENDPOINT_URL: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL such as http://moto:5000' })
    .optional(),
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: integer(0, 65_535).default(8081),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Upper bound for the running cycle to finish on SIGTERM. */
  SHUTDOWN_TIMEOUT_MS: integer(0, 120_000).default(10_000),
  SHUTDOWN_FLUSH_TIMEOUT_MS: integer(0, 120_000).default(5_000),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().default('http://localhost:4318'),
  // When someone asks the SDK for detailed diagnostics, leave them on the console untouched.
  OTEL_LOG_LEVEL: z.string().optional(),
});

export interface CollectorSettings {
  name: string;
  intervalMs: number;
}

export interface InventoryConfig {
  regions: string[];
  collectors: CollectorSettings[];
  maxConcurrency: number;
  requestTimeoutMs: number;
  maxResponseBytes: number;
  series: { maxSeries: number; staleSeriesMs: number };
  retry: { maxAttempts: number; baseDelayMs: number; maxDelayMs: number };
  circuitBreaker: { failureThreshold: number; openMs: number };
  endpoint?: string;
  host: string;
  port: number;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  shutdownTimeoutMs: number;
  flushTimeoutMs: number;
  otlpEndpoint: string;
  /** true unless OTEL_LOG_LEVEL is set: SDK warnings then go to the inventory's log, deduplicated. */
  routeSdkDiagnostics: boolean;
  configFile: string;
}

export { ConfigError };

function describeIssues(where: string, issues: z.core.$ZodIssue[]): string {
  return issues
    .map((issue) => {
      const keys =
        issue.code === 'unrecognized_keys'
          ? issue.keys.map((k) => [...issue.path, k].join('.'))
          : [issue.path.join('.') || '(top level)'];
      const hint =
        issue.code === 'unrecognized_keys' && issue.path.at(-1) === 'collectors'
          ? ` (known collectors: ${COLLECTOR_NAMES.join(', ')})`
          : '';
      return `${where}: ${keys.join(', ')}: ${issue.message}${hint}`;
    })
    .join('\n');
}

/** Parses and validates the file's text plus the environment; throws ConfigError naming each bad key. */
export function parseConfig(fileText: string, env: NodeJS.ProcessEnv, configFile = '(config)'): InventoryConfig {
  // The kit's one rule (kit/env.ts): an empty variable is an unset one, e.g. `PORT=` means 8081.
  const envResult = envSchema.safeParse(withoutEmptyValues(env));
  if (!envResult.success) throw new ConfigError(describeIssues('environment', envResult.error.issues));
  const e = envResult.data;

  let raw: unknown;
  try {
    raw = parseYaml(fileText);
  } catch (error) {
    throw new ConfigError(`${configFile}: not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  const fileResult = fileSchema.safeParse(raw ?? {});
  if (!fileResult.success) throw new ConfigError(describeIssues(configFile, fileResult.error.issues));
  const f = fileResult.data;

  let regions = f.regions;
  if (e.INVENTORY_REGIONS !== undefined) {
    regions = [...new Set(e.INVENTORY_REGIONS.split(',').map((r) => r.trim()))];
    const bad = regions.filter((r) => !REGION.test(r));
    if (bad.length > 0) throw new ConfigError(`environment: INVENTORY_REGIONS: not AWS regions: ${bad.join(', ')}`);
    const checked = regionsSchema.safeParse(regions);
    if (!checked.success)
      throw new ConfigError(`environment: INVENTORY_REGIONS: ${checked.error.issues.map((i) => i.message).join('; ')}`);
  }
  const collectors = COLLECTOR_NAMES.flatMap((name) => {
    const settings = f.collectors[name] ?? { enabled: true };
    if (!settings.enabled) return [];
    const seconds = e.INVENTORY_INTERVAL_SECONDS ?? settings.intervalSeconds ?? f.defaultIntervalSeconds;
    return [{ name, intervalMs: seconds * 1000 }];
  });
  if (collectors.length === 0)
    throw new ConfigError(`${configFile}: collectors: every collector is disabled; enable at least one`);
  if (f.retry.baseDelayMs > f.retry.maxDelayMs)
    throw new ConfigError(`${configFile}: retry.baseDelayMs: must not exceed retry.maxDelayMs`);

  return {
    regions: [...new Set(regions)],
    collectors,
    maxConcurrency: f.maxConcurrency,
    requestTimeoutMs: f.requestTimeoutMs,
    maxResponseBytes: f.maxResponseBytes,
    series: { maxSeries: f.maxSeries, staleSeriesMs: f.staleSeriesSeconds * 1000 },
    retry: f.retry,
    circuitBreaker: {
      failureThreshold: f.circuitBreaker.failureThreshold,
      openMs: f.circuitBreaker.openSeconds * 1000,
    },
    endpoint: e.AWS_ENDPOINT_URL,
    host: e.HOST,
    port: e.PORT,
    logLevel: e.LOG_LEVEL,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    flushTimeoutMs: e.SHUTDOWN_FLUSH_TIMEOUT_MS,
    otlpEndpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT,
    routeSdkDiagnostics: !e.OTEL_LOG_LEVEL,
    configFile,
  };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): InventoryConfig {
  const file = env.INVENTORY_CONFIG?.trim() || 'inventory/config.yaml';
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(
      `environment: INVENTORY_CONFIG: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  return parseConfig(text, env, file);
}

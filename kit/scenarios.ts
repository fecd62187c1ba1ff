/**
 * The one owner of the lab scenarios: their names (which are also their flag keys), what each
 * breaks, where its symptom shows, the alert that fires, its bounds, and the flag file they live
 * in (flagd's schema). The service, `npm run scenario`, the rule tests, the e2e and the lab pages'
 * test all import this module.
 *
 * `npm run scenario` imports it under Node 24's type stripping with no install: no imports but
 * the kit's own, no enums, no parameter properties.
 */
import type { BoardKey } from './boards.ts';

/** The flag file, relative to the repository root: `npm start` and the native stack read it there. */
export const FLAG_FILE = 'flags/scenarios.flagd.json';
/** Compose mounts the flags/ directory (not the file: see compose.yaml) at this path in the service. */
export const FLAG_DIR_IN_COMPOSE = '/flags';
/** The env vars the flagd provider itself documents; the service's config validates both. */
export const ENV_FLAGD_RESOLVER = 'FLAGD_RESOLVER';
export const ENV_FLAG_FILE = 'FLAGD_OFFLINE_FLAG_SOURCE_PATH';
/** The only resolver the kit runs: flags evaluated in the service from the file, no flagd server. */
export const FLAGD_RESOLVER_IN_PROCESS = 'in-process';
export const FLAGD_SCHEMA_URL = 'https://flagd.dev/schema/v0/flags.json';
/**
 * The flagd provider polls the file (fs.watchFile, every ~5 s), so a change is in force within
 * this bound; the e2e measures it.
 */
export const FLAG_CHANGE_BOUND_SECONDS = 10;

export const SCENARIO_NAMES = [
  'slow-store',
  'items-errors',
  'memory-leak',
  'cpu-block',
  'n-plus-one',
  'log-flood',
] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

/** The two variants every scenario flag has. */
export const VARIANT_ON = 'on';
export const VARIANT_OFF = 'off';

// --- Bounds: what a scenario forgotten on a laptop can cost at most (the service enforces them) ---
/** slow-store: extra latency of one store.get call. */
export const SLOW_STORE_EXTRA_MS = 800;
/** items-errors: share of GET /items/:id requests that fail, by flagd's fractional targeting. */
export const ERROR_SHARE_PERCENT = 50;
/** memory-leak: each request retains this many bytes of heap (one-byte string)… */
export const LEAK_CHUNK_BYTES = 64 * 1024;
/** …until this much is held; then it stops growing. Turning the scenario off releases it. */
export const LEAK_CAP_BYTES = 96 * 1024 * 1024;
/** cpu-block: one GET /items blocks the event loop this long… */
export const CPU_BLOCK_MS = 100;
/** …but never more than this per second in all (at most 50 % of the loop). */
export const CPU_BLOCK_BUDGET_MS_PER_SECOND = 500;
/** log-flood: each request writes this many extra records… */
export const LOG_FLOOD_RECORDS_PER_REQUEST = 20;
/** …and the service never writes more than this many flood records per second in all. */
export const LOG_FLOOD_MAX_PER_SECOND = 1_000;

export interface Scenario {
  name: ScenarioName;
  /** One line for `npm run scenario list`: what it breaks. */
  breaks: string;
  /** The board and panel where its symptom shows first. */
  board: BoardKey;
  panel: string;
  /** The Prometheus alert (alerts/items-api.rules.yml) that fires while it is on. */
  alert: string;
  /** The SLO burn-rate alert (page) the scenario also sets off, where it hits an SLO. */
  sloAlert?: string;
  /** Share of requests affected, by flagd's fractional targeting (per trace); absent: every request. */
  sharePercent?: number;
}

export const SCENARIOS: Record<ScenarioName, Scenario> = {
  'slow-store': {
    name: 'slow-store',
    breaks: `GET /items/:id: store.get takes ${SLOW_STORE_EXTRA_MS} ms longer`,
    board: 'serviceOverview',
    panel: 'Latency p50 / p95 / p99',
    alert: 'ItemsRouteSlow',
    sloAlert: 'ItemsApiLatencyBudgetBurn',
  },
  'items-errors': {
    name: 'items-errors',
    breaks: `GET /items/:id: ${ERROR_SHARE_PERCENT} % of requests throw (500)`,
    board: 'serviceOverview',
    panel: 'Error rate (5xx share)',
    alert: 'ItemsRouteFailing',
    sloAlert: 'ItemsApiAvailabilityBudgetBurn',
    sharePercent: ERROR_SHARE_PERCENT,
  },
  'memory-leak': {
    name: 'memory-leak',
    breaks: `every request retains ${LEAK_CHUNK_BYTES / 1024} KiB of heap, up to ${LEAK_CAP_BYTES / 1024 / 1024} MiB`,
    board: 'serviceOverview',
    panel: 'Heap used',
    alert: 'ItemsApiHeapGrowing',
  },
  'cpu-block': {
    name: 'cpu-block',
    breaks: `GET /items blocks the event loop ${CPU_BLOCK_MS} ms (every route waits)`,
    board: 'serviceOverview',
    panel: 'Event loop delay',
    alert: 'ItemsApiEventLoopBlocked',
  },
  'n-plus-one': {
    name: 'n-plus-one',
    breaks: 'GET /items makes one store call per item on the page',
    board: 'serviceOverview',
    panel: 'Store calls per request',
    alert: 'ItemsApiStoreCallsPerRequest',
  },
  'log-flood': {
    name: 'log-flood',
    breaks: `every request writes ${LOG_FLOOD_RECORDS_PER_REQUEST} extra WARN records (at most ${LOG_FLOOD_MAX_PER_SECOND}/s)`,
    board: 'pipelineHealth',
    panel: 'Accepted by receivers',
    alert: 'ItemsApiLogFlood',
  },
};

export function isScenarioName(name: string): name is ScenarioName {
  return (SCENARIO_NAMES as readonly string[]).includes(name);
}

/** The lab page of a scenario, relative to the repository root. */
export function labPage(name: ScenarioName): string {
  return `labs/${name}.md`;
}

// --- The flag file (flagd's schema) ---

export interface FlagdFlag {
  state: 'ENABLED' | 'DISABLED';
  variants: Record<string, boolean>;
  defaultVariant: string;
  targeting?: unknown;
}

/**
 * A scenario's flag, on or off. On is the `on` default variant, plus fractional targeting for a
 * scenario that hits a share of requests (bucketed by the evaluation's targeting key, the trace
 * id). Off is the `off` default variant with no targeting.
 */
export function scenarioFlag(name: ScenarioName, on: boolean): FlagdFlag {
  const flag: FlagdFlag = {
    state: 'ENABLED',
    variants: { [VARIANT_ON]: true, [VARIANT_OFF]: false },
    defaultVariant: on ? VARIANT_ON : VARIANT_OFF,
  };
  const share = SCENARIOS[name].sharePercent;
  if (on && share !== undefined)
    flag.targeting = {
      fractional: [
        [VARIANT_ON, share],
        [VARIANT_OFF, 100 - share],
      ],
    };
  return flag;
}

/** A scenario counts as on when its flag is enabled and could answer `on`: an `on` default or any targeting. */
export function flagIsOn(flag: unknown): boolean {
  if (typeof flag !== 'object' || flag === null) return false;
  const f = flag as Partial<FlagdFlag>;
  if (f.state !== 'ENABLED') return false;
  return f.variants?.[f.defaultVariant ?? ''] === true || f.targeting !== undefined;
}

export function renderFlagFile(on: ReadonlySet<ScenarioName>, keep: Record<string, unknown> = {}): string {
  const flags: Record<string, unknown> = { ...keep };
  for (const name of SCENARIO_NAMES) flags[name] = scenarioFlag(name, on.has(name));
  return `${JSON.stringify({ $schema: FLAGD_SCHEMA_URL, flags }, null, 2)}\n`;
}

/** The scenarios a flag file text turns on, or why it cannot be read (bad JSON, no `flags` object). */
export function scenariosOnIn(text: string): { on: Set<ScenarioName>; flags: Record<string, unknown> } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`not JSON: ${(error as Error).message}`, { cause: error });
  }
  const flags = (parsed as { flags?: unknown } | null)?.flags;
  if (typeof flags !== 'object' || flags === null || Array.isArray(flags))
    throw new Error('no "flags" object (flagd schema: {"flags": {"<name>": {...}}})');
  const record = flags as Record<string, unknown>;
  return { on: new Set(SCENARIO_NAMES.filter((name) => flagIsOn(record[name]))), flags: record };
}

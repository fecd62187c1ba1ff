/**
 * Every query of every dashboard, as the backends will receive it. The end-to-end test imports
 * this to run each panel against real Prometheus / Jaeger (and Loki's door), and the unit tests use
 * it to parse every query; both therefore see the same macro substitution.
 *
 * Pure functions over dashboard JSON; `loadCommittedDashboards()` is the only one that reads files.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROMETHEUS_TIME_INTERVAL_SECONDS } from './datasources.ts';
import { REPO_ROOT } from './layout.ts';

/** `jaeger`: the Jaeger datasource's query JSON (search or dependency graph), as rawQuery. */
export type QueryLanguage = 'promql' | 'logql' | 'jaeger';

/** The parts of Grafana's dashboard JSON this module reads. */
export interface DashboardJson {
  uid: string;
  title: string;
  panels?: PanelJson[];
  templating?: { list?: VariableJson[] };
}
interface PanelJson {
  id?: number;
  title?: string;
  type?: string;
  datasource?: { type?: string; uid?: string };
  targets?: TargetJson[];
  panels?: PanelJson[];
}
interface TargetJson {
  refId?: string;
  datasource?: { type?: string; uid?: string };
  expr?: string;
  query?: string;
  queryType?: string;
  instant?: boolean;
  range?: boolean;
  limit?: number;
  maxLines?: number;
  exemplar?: boolean;
  service?: string;
  operation?: string;
  tags?: string;
}
interface VariableJson {
  name: string;
  type: string;
  includeAll?: boolean;
  allValue?: string;
  current?: { value?: string | string[] };
  query?: unknown;
}

export interface DashboardTarget {
  /** "Dashboard / Panel / refId": names the panel when a test fails. */
  label: string;
  dashboardUid: string;
  dashboardTitle: string;
  panelId: number | undefined;
  panelTitle: string;
  panelType: string;
  refId: string;
  datasourceUid: string;
  datasourceType: string;
  language: QueryLanguage;
  /** The query exactly as stored in the dashboard, macros and variables included. */
  rawQuery: string;
  /**
   * How Grafana sends it: an instant query (one value at the end of the range), a range query
   * (PromQL/LogQL metrics over time), log lines (a LogQL log query), a Jaeger trace search or
   * Jaeger's dependency graph.
   */
  mode: 'instant' | 'range' | 'logs' | 'search' | 'dependencyGraph';
  /** Result size Grafana asks for (Loki maxLines, Jaeger limit), when the panel sets one. */
  limit?: number;
  /** Prometheus targets that ask for exemplars (the dots that link a panel to a trace). */
  exemplar?: boolean;
  /** Template variables at their dashboard defaults, as `substituteMacros` expects them. */
  variables: Record<string, string>;
}

export interface MacroContext {
  /** Range start and end, epoch seconds. */
  from: number;
  to: number;
  /** Grafana's `$__interval` for this panel, in seconds (also the range query step). */
  intervalSeconds: number;
  /** Template variable values; a dashboard's defaults come from `variableDefaults`. */
  variables?: Record<string, string>;
  /** The Prometheus datasource's scrape interval (`timeInterval`), the base of `$__rate_interval`. */
  scrapeIntervalSeconds?: number;
}

const DATASOURCE_LANGUAGE: Record<string, QueryLanguage> = { prometheus: 'promql', loki: 'logql', jaeger: 'jaeger' };

/** All targets of the given dashboards, rows and nested panels included, in layout order. */
export function listDashboardTargets(dashboards: DashboardJson[]): DashboardTarget[] {
  const out: DashboardTarget[] = [];
  for (const board of dashboards) {
    const variables = variableDefaults(board);
    for (const panel of flattenPanels(board.panels ?? [])) {
      for (const target of panel.targets ?? []) {
        const ds = target.datasource ?? panel.datasource ?? {};
        const datasourceType = ds.type ?? '';
        const language = DATASOURCE_LANGUAGE[datasourceType];
        const rawQuery = language === 'jaeger' ? jaegerQueryJson(target) : target.expr;
        const refId = target.refId ?? '?';
        const panelTitle = panel.title ?? '(untitled)';
        const label = `${board.title} / ${panelTitle} / ${refId}`;
        if (!language || rawQuery === undefined)
          throw new Error(`${label}: no query for datasource type "${datasourceType}"`);
        out.push({
          label,
          dashboardUid: board.uid,
          dashboardTitle: board.title,
          panelId: panel.id,
          panelTitle,
          panelType: panel.type ?? '',
          refId,
          datasourceUid: ds.uid ?? '',
          datasourceType,
          language,
          rawQuery,
          mode: queryMode(language, panel.type ?? '', target),
          ...(target.maxLines !== undefined ? { limit: target.maxLines } : {}),
          ...(target.limit !== undefined ? { limit: target.limit } : {}),
          ...(target.exemplar ? { exemplar: true } : {}),
          variables,
        });
      }
    }
  }
  return out;
}

function flattenPanels(panels: PanelJson[]): PanelJson[] {
  return panels.flatMap((p) => [p, ...flattenPanels(p.panels ?? [])]);
}

/** The fields of a Jaeger target that decide what Jaeger is asked, in a stable order. */
function jaegerQueryJson(target: TargetJson): string {
  const { queryType, service, operation, tags, limit } = target;
  return JSON.stringify({ queryType: queryType ?? '', service, operation, tags, limit });
}

export interface JaegerTargetQuery {
  queryType: string;
  service?: string;
  operation?: string;
  tags?: string;
  limit?: number;
}

export function parseJaegerQuery(rawQuery: string): JaegerTargetQuery {
  return JSON.parse(rawQuery) as JaegerTargetQuery;
}

function queryMode(language: QueryLanguage, panelType: string, target: TargetJson): DashboardTarget['mode'] {
  if (language === 'jaeger') return target.queryType === 'dependencyGraph' ? 'dependencyGraph' : 'search';
  if (language === 'logql') return panelType === 'logs' ? 'logs' : target.queryType === 'instant' ? 'instant' : 'range';
  return target.instant && !target.range ? 'instant' : 'range';
}

/**
 * Each template variable's default value as a query sees it: "All" becomes the variable's
 * allValue (every variable here sets one, so the result is a plain regex).
 */
export function variableDefaults(board: DashboardJson): Record<string, string> {
  const out: Record<string, string> = {};
  for (const variable of board.templating?.list ?? []) {
    const current = variable.current?.value;
    const value = Array.isArray(current) ? current[0] : current;
    if (value === '$__all' || (value === undefined && variable.includeAll)) {
      if (variable.allValue === undefined)
        throw new Error(`variable ${variable.name}: "All" without an allValue has no single query form`);
      out[variable.name] = variable.allValue;
    } else if (value !== undefined) {
      out[variable.name] = value;
    }
  }
  return out;
}

/**
 * Replaces Grafana's macros and template variables the way Grafana does before a query leaves
 * it: `$__rate_interval` = max(`$__interval` + scrape interval, 4 x scrape interval);
 * `$__interval`, `$__auto` (Loki's step) = the interval; `$__range` = the whole range.
 * Durations are written in seconds (e.g. "120s"), which PromQL and LogQL both accept.
 * Variables are `$name`, `${name}` or `${name:format}`; an unknown `$name` is left as it is so
 * the parsers report it.
 */
export function substituteMacros(query: string, ctx: MacroContext): string {
  const interval = Math.max(1, Math.round(ctx.intervalSeconds));
  const scrape = ctx.scrapeIntervalSeconds ?? PROMETHEUS_TIME_INTERVAL_SECONDS;
  const range = Math.max(1, Math.round(ctx.to - ctx.from));
  const rateInterval = Math.max(interval + scrape, 4 * scrape);
  const macros: Record<string, string> = {
    __rate_interval_ms: String(rateInterval * 1000),
    __rate_interval: `${rateInterval}s`,
    __interval_ms: String(interval * 1000),
    __interval: `${interval}s`,
    __auto: `${interval}s`,
    __range_ms: String(range * 1000),
    __range_s: String(range),
    __range: `${range}s`,
  };
  const values: Record<string, string> = { ...macros, ...(ctx.variables ?? {}) };
  // ${name} / ${name:format}, then bare $name (longest names first so $__interval_ms wins over $__interval).
  let out = query.replace(/\$\{(\w+)(?::\w+)?\}/g, (whole, name: string) => values[name] ?? whole);
  const bare = Object.keys(values).sort((a, b) => b.length - a.length);
  for (const name of bare) out = out.replace(new RegExp(`\\$${name}(?!\\w)`, 'g'), () => values[name]!);
  return out;
}

/** A target with its query ready to send for one time window. */
export interface ResolvedTarget extends DashboardTarget {
  query: string;
}

/** Targets with macros and default variables substituted for the window [from, to]. */
export function resolveTargets(targets: DashboardTarget[], window: Omit<MacroContext, 'variables'>): ResolvedTarget[] {
  return targets.map((t) => ({ ...t, query: substituteMacros(t.rawQuery, { ...window, variables: t.variables }) }));
}

/** The dashboards Grafana provisions: dashboards/json/*.json as committed. */
export function loadCommittedDashboards(dir = join(REPO_ROOT, 'dashboards', 'json')): DashboardJson[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as DashboardJson);
}

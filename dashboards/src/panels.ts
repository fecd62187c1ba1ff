/**
 * Small wrappers over the foundation SDK builders so each dashboard file reads as a list of
 * panels and queries. Every query names its datasource by fixed uid (see datasources.ts).
 */
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as logs from '@grafana/grafana-foundation-sdk/logs';
import * as loki from '@grafana/grafana-foundation-sdk/loki';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import * as nodegraph from '@grafana/grafana-foundation-sdk/nodegraph';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { JAEGER, LOKI, PROMETHEUS } from '../../kit/datasources.ts';

/**
 * A workshop dashboard with the settings all three share: the last 15 minutes refreshed every
 * 10 s (a load run is a few minutes long), a shared crosshair, editable so attendees can explore.
 */
export function workshopDashboard(
  title: string,
  uid: string,
  description: string,
  tags: string[],
): dashboard.DashboardBuilder {
  return new dashboard.DashboardBuilder(title)
    .uid(uid)
    .description(description)
    .tags(['workshop', ...tags])
    .editable()
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .time({ from: 'now-15m', to: 'now' })
    .refresh('10s')
    .timezone('browser');
}

export interface Grid {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface PromOptions {
  legend?: string;
  /** Ask Prometheus for exemplars too (trace ids on histogram samples). */
  exemplar?: boolean;
  /** One value at the end of the range (stat panels) rather than a series over time. */
  instant?: boolean;
}

export function promQuery(refId: string, expr: string, options: PromOptions = {}): prometheus.DataqueryBuilder {
  const query = new prometheus.DataqueryBuilder()
    .datasource(PROMETHEUS)
    .refId(refId)
    .expr(expr)
    .editorMode(prometheus.QueryEditorMode.Code)
    .legendFormat(options.legend ?? '__auto');
  if (options.exemplar) query.exemplar(true);
  if (options.instant) query.instant();
  else query.range();
  return query;
}

/** A LogQL metric query (counts over time), drawn as a series. */
export function lokiMetricQuery(refId: string, expr: string, legend: string): loki.DataqueryBuilder {
  return lokiRangeQuery(refId, expr).legendFormat(legend);
}

function lokiRangeQuery(refId: string, expr: string): loki.DataqueryBuilder {
  return new loki.DataqueryBuilder()
    .datasource(LOKI)
    .refId(refId)
    .expr(expr)
    .editorMode(loki.QueryEditorMode.Code)
    .queryType('range');
}

/** A LogQL log query: lines, newest first. */
export function lokiLogQuery(refId: string, expr: string, maxLines: number): loki.DataqueryBuilder {
  return lokiRangeQuery(refId, expr).maxLines(maxLines).direction(loki.LokiQueryDirection.Backward);
}

/**
 * A query of Grafana's Jaeger datasource. The foundation SDK has no Jaeger builder, so this is
 * one: the JSON the plugin's backend reads (grafana-jaeger-datasource pkg/jaeger/querydata.go).
 * No queryType = open one trace by id; "search" = /api/traces; "dependencyGraph" = /api/dependencies.
 */
export interface JaegerQuery extends cog.Dataquery {
  refId: string;
  datasource: { type: string; uid: string };
  queryType: 'search' | 'dependencyGraph';
  service?: string;
  operation?: string;
  /** logfmt, e.g. `otel.status_code=ERROR`; the plugin turns it into Jaeger's tags JSON. */
  tags?: string;
  limit?: number;
}

function jaegerQuery(query: Omit<JaegerQuery, '_implementsDataqueryVariant'>): cog.Builder<cog.Dataquery> {
  return { build: (): JaegerQuery => ({ ...query, _implementsDataqueryVariant: () => undefined }) };
}

export function jaegerSearch(
  refId: string,
  search: { service: string; operation?: string; tags?: string; limit: number },
): cog.Builder<cog.Dataquery> {
  return jaegerQuery({
    refId,
    datasource: JAEGER,
    queryType: 'search',
    service: search.service,
    ...(search.operation ? { operation: search.operation } : {}),
    ...(search.tags ? { tags: search.tags } : {}),
    limit: search.limit,
  });
}

export function jaegerDependencyGraph(refId: string): cog.Builder<cog.Dataquery> {
  return jaegerQuery({ refId, datasource: JAEGER, queryType: 'dependencyGraph' });
}

type Target = prometheus.DataqueryBuilder | loki.DataqueryBuilder;

export function timeseriesPanel(
  title: string,
  description: string,
  grid: Grid,
  unit: string,
  targets: Target[],
): timeseries.PanelBuilder {
  const panel = new timeseries.PanelBuilder()
    .title(title)
    .description(description)
    .gridPos(grid)
    .unit(unit)
    .lineWidth(1)
    .fillOpacity(10)
    .showPoints(common.VisibilityMode.Never)
    .spanNulls(false)
    .legend(
      new common.VizLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(common.LegendDisplayMode.List)
        .placement(common.LegendPlacement.Bottom),
    )
    .tooltip(
      new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi).sort(common.SortOrder.Descending),
    );
  setPanelDatasource(panel, targets);
  for (const target of targets) panel.withTarget(target);
  return panel;
}

/** Bars rather than lines: for counts per interval (log volume, requests by class). */
export function barsPanel(
  title: string,
  description: string,
  grid: Grid,
  unit: string,
  targets: Target[],
): timeseries.PanelBuilder {
  return timeseriesPanel(title, description, grid, unit, targets)
    .drawStyle(common.GraphDrawStyle.Bars)
    .fillOpacity(80)
    .stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal));
}

export function statPanel(
  title: string,
  description: string,
  grid: Grid,
  unit: string,
  targets: Target[],
): stat.PanelBuilder {
  const panel = new stat.PanelBuilder()
    .title(title)
    .description(description)
    .gridPos(grid)
    .unit(unit)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .colorMode(common.BigValueColorMode.Value)
    .graphMode(common.BigValueGraphMode.Area);
  setPanelDatasource(panel, targets);
  for (const target of targets) panel.withTarget(target);
  return panel;
}

export function logsPanel(
  title: string,
  description: string,
  grid: Grid,
  target: loki.DataqueryBuilder,
): logs.PanelBuilder {
  return new logs.PanelBuilder()
    .title(title)
    .description(description)
    .gridPos(grid)
    .datasource(LOKI)
    .showTime(true)
    .wrapLogMessage(true)
    .enableLogDetails(true)
    .sortOrder(common.LogsSortOrder.Descending)
    .dedupStrategy(common.LogsDedupStrategy.None)
    .withTarget(target);
}

export function tracesTablePanel(
  title: string,
  description: string,
  grid: Grid,
  target: cog.Builder<cog.Dataquery>,
): table.PanelBuilder {
  return new table.PanelBuilder()
    .title(title)
    .description(description)
    .gridPos(grid)
    .datasource(JAEGER)
    .withTarget(target);
}

export function nodeGraphPanel(
  title: string,
  description: string,
  grid: Grid,
  target: cog.Builder<cog.Dataquery>,
): nodegraph.PanelBuilder {
  return new nodegraph.PanelBuilder()
    .title(title)
    .description(description)
    .gridPos(grid)
    .datasource(JAEGER)
    .withTarget(target);
}

/** A panel whose targets all use one datasource names it, so Grafana never falls back to the default. */
function setPanelDatasource(panel: { datasource(ref: common.DataSourceRef): unknown }, targets: Target[]): void {
  const refs = new Set(targets.map((t) => JSON.stringify(t.build().datasource)));
  const only = refs.size === 1 ? targets[0]?.build().datasource : undefined;
  panel.datasource(only ?? { type: 'datasource', uid: '-- Mixed --' });
}

export function textRowTitle(title: string, y: number): dashboard.RowBuilder {
  return new dashboard.RowBuilder(title).gridPos({ x: 0, y, w: 24, h: 1 });
}

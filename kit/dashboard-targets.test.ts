import { describe, expect, it } from 'vitest';
import {
  listDashboardTargets,
  loadCommittedDashboards,
  parseJaegerQuery,
  substituteMacros,
  variableDefaults,
  type DashboardJson,
} from './dashboard-targets.ts';

const window = { from: 1000, to: 1600, intervalSeconds: 15, scrapeIntervalSeconds: 30 };

describe('substituteMacros', () => {
  it('computes $__rate_interval as Grafana does: max(interval + scrape, 4 x scrape)', () => {
    expect(substituteMacros('rate(x[$__rate_interval])', window)).toBe('rate(x[120s])');
    expect(substituteMacros('rate(x[$__rate_interval])', { ...window, intervalSeconds: 200 })).toBe('rate(x[230s])');
  });

  it('replaces interval, range and Loki $__auto, longest name first', () => {
    expect(substituteMacros('a[$__interval] b[$__range] c[$__auto] d=$__interval_ms e=$__range_s', window)).toBe(
      'a[15s] b[600s] c[15s] d=15000 e=600',
    );
    expect(substituteMacros('x[${__rate_interval}]', window)).toBe('x[120s]');
  });

  it('replaces template variables in every spelling and leaves unknown ones for the parser to reject', () => {
    const variables = { level: '.*', run_id: 'r1' };
    expect(substituteMacros('a=~"$level" b="${run_id}" c="${level:regex}" d="$levelx"', { ...window, variables })).toBe(
      'a=~".*" b="r1" c=".*" d="$levelx"',
    );
  });

  it('does not treat "$" in a value as a replacement pattern', () => {
    expect(substituteMacros('x="$v"', { ...window, variables: { v: "$&'" } })).toBe('x="$&\'"');
  });
});

describe('listDashboardTargets', () => {
  const board: DashboardJson = {
    uid: 'b',
    title: 'Board',
    templating: {
      list: [{ name: 'level', type: 'custom', includeAll: true, allValue: '.*', current: { value: '$__all' } }],
    },
    panels: [
      {
        id: 1,
        title: 'Rate',
        type: 'timeseries',
        datasource: { type: 'prometheus', uid: 'prometheus' },
        targets: [{ refId: 'A', expr: 'up' }],
      },
      {
        id: 2,
        title: 'Row',
        type: 'row',
        panels: [
          {
            id: 3,
            title: 'Logs',
            type: 'logs',
            targets: [{ refId: 'A', datasource: { type: 'loki', uid: 'loki' }, expr: '{a="b"}', maxLines: 50 }],
          },
        ],
      },
      {
        id: 4,
        title: 'Traces',
        type: 'table',
        targets: [
          {
            refId: 'A',
            datasource: { type: 'jaeger', uid: 'jaeger' },
            queryType: 'search',
            service: 'items-api',
            tags: 'a=b',
            limit: 20,
          },
        ],
      },
      {
        id: 6,
        title: 'Graph',
        type: 'nodeGraph',
        targets: [{ refId: 'A', datasource: { type: 'jaeger', uid: 'jaeger' }, queryType: 'dependencyGraph' }],
      },
      {
        id: 5,
        title: 'Stat',
        type: 'stat',
        targets: [{ refId: 'A', datasource: { type: 'prometheus', uid: 'prometheus' }, expr: 'up', instant: true }],
      },
    ],
  };

  it('finds targets in nested panels, with their datasource, language and how Grafana sends them', () => {
    const found = listDashboardTargets([board]).map((t) => [t.label, t.datasourceUid, t.language, t.mode, t.limit]);
    expect(found).toEqual([
      ['Board / Rate / A', 'prometheus', 'promql', 'range', undefined],
      ['Board / Logs / A', 'loki', 'logql', 'logs', 50],
      ['Board / Traces / A', 'jaeger', 'jaeger', 'search', 20],
      ['Board / Graph / A', 'jaeger', 'jaeger', 'dependencyGraph', undefined],
      ['Board / Stat / A', 'prometheus', 'promql', 'instant', undefined],
    ]);
    const traces = listDashboardTargets([board]).find((t) => t.label === 'Board / Traces / A')!;
    expect(parseJaegerQuery(traces.rawQuery)).toEqual({
      queryType: 'search',
      service: 'items-api',
      tags: 'a=b',
      limit: 20,
    });
  });

  it('uses the allValue for a variable at "All"', () => {
    expect(variableDefaults(board)).toEqual({ level: '.*' });
  });

  it('refuses a target whose datasource it cannot query', () => {
    const bad: DashboardJson = {
      uid: 'x',
      title: 'X',
      panels: [{ title: 'P', targets: [{ refId: 'A', datasource: { type: 'graphite', uid: 'g' }, expr: 'x' }] }],
    };
    expect(() => listDashboardTargets([bad])).toThrow(/X \/ P \/ A/);
  });

  it('lists every committed dashboard panel that has a query', () => {
    const boards = loadCommittedDashboards();
    const panelsWithTargets = boards.flatMap((b) => b.panels ?? []).filter((p) => (p.targets ?? []).length > 0).length;
    const panelsListed = new Set(listDashboardTargets(boards).map((t) => `${t.dashboardUid}/${t.panelId}`)).size;
    expect(panelsListed).toBe(panelsWithTargets);
  });
});

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as inventory from '../kit/names/inventory.ts';
import * as names from '../kit/names/service.ts';
import { PROM_ALERTS } from '../kit/names/external.ts';
import { BOARDS } from '../kit/boards.ts';
import { SCENARIOS, SCENARIO_NAMES } from '../kit/scenarios.ts';
import { AWS_INVENTORY_UID } from './src/awsInventory.ts';
import { PROMETHEUS_TIME_INTERVAL_SECONDS } from '../kit/datasources.ts';
import { readProvisionedDatasources } from '../kit/grafana-provisioning.ts';
import { parseKnownMetrics, promqlMetricNames, syntaxErrors } from './src/queryCheck.ts';
import { renderDashboards } from './src/render.ts';
import { REPO_ROOT } from '../kit/layout.ts';
import {
  listDashboardTargets,
  loadCommittedDashboards,
  parseJaegerQuery,
  resolveTargets,
} from '../kit/dashboard-targets.ts';

const root = REPO_ROOT;
const jsonDir = join(root, 'dashboards', 'json');
const dashboards = loadCommittedDashboards();
const targets = listDashboardTargets(dashboards);
// The e2e test's window: the last 10 minutes at a 15 s interval.
const now = 1_790_000_000;
const resolved = resolveTargets(targets, { from: now - 600, to: now, intervalSeconds: 15 });
/** Dashboards must work in the default (local) stack, so only the base file's datasources count. */
const localDatasources = readProvisionedDatasources([
  join(root, 'dashboards/provisioning/datasources/datasources.yaml'),
]);

/** Every Prometheus series the service, the inventory, the collector, k6 or Jaeger is known to emit. */
function knownMetricNames(): Set<string> {
  const known = new Set<string>();
  const histogram = names.PROM_HTTP_SERVER_REQUEST_DURATION;
  for (const n of [
    names.PROM_REQUEST_COUNT,
    names.PROM_ACTIVE_SIMULATED_USERS,
    names.PROM_ITEMS_CREATED,
    names.PROM_SCENARIO_ACTIVE,
    names.PROM_HEAP_USED,
    names.PROM_EVENT_LOOP_DELAY_P99,
    PROM_ALERTS,
  ])
    known.add(n);
  for (const suffix of ['_bucket', '_count', '_sum']) known.add(histogram + suffix);
  for (const n of [
    inventory.PROM_RESOURCES,
    inventory.PROM_COLLECTION_ERRORS,
    inventory.PROM_RETRIES,
    inventory.PROM_LAST_SUCCESS,
  ])
    known.add(n);
  for (const suffix of ['_bucket', '_count', '_sum']) known.add(inventory.PROM_COLLECTION_DURATION + suffix);
  const dir = join(root, 'dashboards', 'known-metrics');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.txt'))) {
    for (const n of parseKnownMetrics(readFileSync(join(dir, file), 'utf8'))) known.add(n);
  }
  return known;
}

describe('generated dashboards', () => {
  it('the committed JSON equals a fresh build (run `npm run dashboards:build` and commit)', () => {
    const fresh = renderDashboards();
    const committed = readdirSync(jsonDir)
      .filter((f) => f.endsWith('.json'))
      .sort();
    expect(committed).toEqual(Object.keys(fresh).sort());
    for (const [file, text] of Object.entries(fresh))
      expect(readFileSync(join(jsonDir, file), 'utf8'), file).toBe(text);
  });

  it('are the four the provider loads, each with a fixed uid and panels', () => {
    expect(dashboards.map((d) => d.uid).sort()).toEqual([
      'aws-inventory',
      'load-test',
      'pipeline-health',
      'service-overview',
    ]);
    for (const board of dashboards)
      expect(targets.filter((t) => t.dashboardUid === board.uid).length, board.title).toBeGreaterThan(3);
  });

  it('use no ${DS_...} import placeholders or __inputs', () => {
    for (const file of readdirSync(jsonDir)) {
      const text = readFileSync(join(jsonDir, file), 'utf8');
      expect(text, file).not.toMatch(/\$\{DS_/);
      expect(text, file).not.toMatch(/__inputs/);
    }
  });
});

describe('every dashboard target', () => {
  const uids = new Set(localDatasources.map((d) => d.uid));
  const typeByUid = new Map(localDatasources.map((d) => [d.uid, d.type]));

  it.each(targets.map((t) => [t.label, t] as const))(
    '%s names a datasource provisioned in the default stack',
    (_label, t) => {
      expect(uids.has(t.datasourceUid), `uid "${t.datasourceUid}" not in ${[...uids].join(', ')}`).toBe(true);
      expect(typeByUid.get(t.datasourceUid)).toBe(t.datasourceType);
    },
  );

  it.each(resolved.map((t) => [t.label, t] as const))('%s parses after macro substitution', (_label, t) => {
    expect(t.query, 'a macro or variable was left unsubstituted').not.toMatch(/\$/);
    expect(syntaxErrors(t.language, t.query), t.query).toEqual([]);
  });

  it.each(resolved.filter((t) => t.language === 'promql').map((t) => [t.label, t] as const))(
    '%s queries only series something emits',
    (_label, t) => {
      const known = knownMetricNames();
      const selected = promqlMetricNames(t.query);
      expect(selected.length, t.query).toBeGreaterThan(0);
      expect(
        selected.filter((n) => !known.has(n)),
        t.query,
      ).toEqual([]);
    },
  );

  it('Loki and Jaeger queries select their service by the name every signal carries (the inventory board its own)', () => {
    const serviceOf = (t: (typeof targets)[number]) =>
      t.dashboardUid === AWS_INVENTORY_UID ? inventory.SERVICE_NAME : names.SERVICE_NAME;
    for (const t of targets.filter((x) => x.language === 'logql'))
      expect(t.rawQuery).toContain(`{${names.LABEL_SERVICE_NAME}="${serviceOf(t)}"}`);
    for (const t of targets.filter((x) => x.mode === 'search'))
      expect(parseJaegerQuery(t.rawQuery).service).toBe(serviceOf(t));
  });

  it('a Jaeger search asks for tags the memory store can match (span attributes, not error or otel.status_code)', () => {
    for (const t of targets.filter((x) => x.mode === 'search'))
      expect(parseJaegerQuery(t.rawQuery).tags ?? '').not.toMatch(/(^|\s)(error|otel\.status_code)=/);
  });

  it('the service overview has a service graph from Jaeger', () => {
    expect(targets.filter((t) => t.mode === 'dependencyGraph').map((t) => t.panelType)).toEqual(['nodeGraph']);
  });
});

describe('the name check itself', () => {
  it('catches a renamed metric and a misspelt query', () => {
    const known = knownMetricNames();
    expect(promqlMetricNames('sum(rate(http_server_duration_count[2m]))').filter((n) => !known.has(n))).toEqual([
      'http_server_duration_count',
    ]);
    expect(promqlMetricNames('{__name__="otelcol_receiver_accepted_spans"}').some((n) => !known.has(n))).toBe(true);
    expect(syntaxErrors('promql', 'sum(rate(x[2m])')).not.toEqual([]);
    expect(syntaxErrors('logql', '{service_name="a"} | severity_text=~')).not.toEqual([]);
    expect(syntaxErrors('jaeger', JSON.stringify({ queryType: 'search', tags: 'a=b' }))).toEqual([
      'a search needs a service',
    ]);
    expect(syntaxErrors('jaeger', JSON.stringify({ queryType: 'search', service: 's', tags: 'a="b c" d=e' }))).toEqual(
      [],
    );
    expect(syntaxErrors('jaeger', JSON.stringify({ queryType: 'search', service: 's', tags: 'a "b"' }))[0]).toMatch(
      /not logfmt/,
    );
    expect(syntaxErrors('jaeger', JSON.stringify({ queryType: 'traceql', service: 's' }))).toEqual([
      'unknown queryType "traceql"',
    ]);
  });

  it('keeps the Prometheus scrape interval in step with the provisioning file', () => {
    const prom = localDatasources.find((d) => d.uid === 'prometheus');
    expect(prom?.jsonData?.['timeInterval']).toBe(`${PROMETHEUS_TIME_INTERVAL_SECONDS}s`);
  });
});

describe('the lab scenarios on the boards', () => {
  const boards = loadCommittedDashboards() as unknown as {
    uid: string;
    panels?: { title?: string }[];
    annotations?: { list?: { name: string; expr?: string; datasource?: { uid?: string } }[] };
  }[];
  const board = (uid: string) => boards.find((b) => b.uid === uid);

  it("each scenario's board has the panel its lab page points at", () => {
    for (const name of SCENARIO_NAMES) {
      const { board: key, panel } = SCENARIOS[name];
      const titles = (board(BOARDS[key].uid)?.panels ?? []).map((p) => p.title);
      expect(titles, `${name}: ${BOARDS[key].title} / ${panel}`).toContain(panel);
    }
  });

  it('every board a scenario points at draws a region while a scenario is on and marks firing alerts (valid PromQL)', () => {
    for (const key of new Set(SCENARIO_NAMES.map((n) => SCENARIOS[n].board))) {
      const list = board(BOARDS[key].uid)?.annotations?.list ?? [];
      const scenario = list.find((a) => a.expr?.includes(names.PROM_SCENARIO_ACTIVE));
      const alerts = list.find((a) => a.expr?.includes(PROM_ALERTS));
      expect(scenario, BOARDS[key].title).toBeDefined();
      expect(alerts, BOARDS[key].title).toBeDefined();
      for (const a of [scenario!, alerts!]) {
        expect(syntaxErrors('promql', a.expr!), a.expr).toEqual([]);
        expect(a.datasource?.uid).toBe('prometheus');
      }
    }
  });
});

// Alerts and SLOs as code (alerts/), checked without Prometheus: Prometheus loads them in compose
// and on the native stack, every lab scenario's alert exists and has a unit test that fires it,
// and every rule's expression parses as PromQL. tests/promtool.test.ts runs promtool on them.
import { posix } from 'node:path';
import { parser } from '@prometheus-io/lezer-promql';
import { describe, expect, it } from 'vitest';
import { SCENARIOS, SCENARIO_NAMES } from '../kit/scenarios.ts';
import { hostPathFor, readCompose, readText, readYaml } from './stack-files.ts';

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
}
const rules = readYaml<{ groups: { name: string; rules: Rule[] }[] }>('alerts/items-api.rules.yml');
const allRules = rules.groups.flatMap((group) => group.rules);
const alertNames = allRules.flatMap((rule) => (rule.alert ? [rule.alert] : []));
const unitTests = readYaml<{
  rule_files: string[];
  tests: { alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[] }[];
}>('alerts/items-api.test.yml');

describe('alerts/items-api.rules.yml', () => {
  it('is loaded by Prometheus: rule_files in prometheus.yml, relative to it, and compose mounts alerts/ beside it', () => {
    const config = readYaml<{ rule_files?: string[] }>('prometheus.yml');
    expect(config.rule_files).toEqual(['alerts/*.rules.yml']);
    const prometheus = readCompose('compose.yaml').services.prometheus!;
    const configDir = posix.dirname('/etc/prometheus/prometheus.yml');
    expect(hostPathFor(prometheus, `${configDir}/alerts`)).toBe('./alerts');
    // The native stack runs prometheus.yml where it lies in the repository: alerts/ is beside it there too.
    expect(hostPathFor(prometheus, '/etc/prometheus/prometheus.yml')).toBe('./prometheus.yml');
  });

  it("names every lab scenario's alert, and each one has a unit test in which it fires", () => {
    const firing = new Set(
      unitTests.tests.flatMap((t) =>
        (t.alert_rule_test ?? []).filter((a) => a.exp_alerts.length > 0).map((a) => a.alertname),
      ),
    );
    for (const name of SCENARIO_NAMES) {
      expect(alertNames, `${name}: alert ${SCENARIOS[name].alert}`).toContain(SCENARIOS[name].alert);
      expect([...firing], `${name}: a promtool test firing ${SCENARIOS[name].alert}`).toContain(SCENARIOS[name].alert);
      const slo = SCENARIOS[name].sloAlert;
      if (slo) expect([...firing], `${name}: a promtool test firing ${slo}`).toContain(slo);
    }
  });

  it('has an availability SLO and a latency SLO, each with a page (14.4x) and a ticket (6x) burn-rate alert over two windows', () => {
    for (const slo of ['Availability', 'Latency']) {
      const page = allRules.find((r) => r.alert === `ItemsApi${slo}BudgetBurn`);
      const ticket = allRules.find((r) => r.alert === `ItemsApi${slo}BudgetBurnSlow`);
      expect(page?.expr).toMatch(/ratio_rate2m > \(14\.4 \* 0\.01\) and .*ratio_rate30s > \(14\.4 \* 0\.01\)/);
      expect(ticket?.expr).toMatch(/ratio_rate12m > \(6 \* 0\.01\) and .*ratio_rate1m > \(6 \* 0\.01\)/);
    }
    // Every recorded series an alert reads is recorded here.
    const recorded = new Set(allRules.flatMap((r) => (r.record ? [r.record] : [])));
    for (const rule of allRules.filter((r) => r.alert))
      for (const used of rule.expr.match(/items_api:[a-z_:0-9]+/g) ?? []) expect(recorded, rule.alert).toContain(used);
  });

  it('every expression parses as PromQL', () => {
    for (const rule of allRules) {
      const tree = parser.parse(rule.expr);
      let error = false;
      tree.iterate({ enter: (node) => void (node.type.isError && (error = true)) });
      expect(error, `${rule.alert ?? rule.record}: ${rule.expr}`).toBe(false);
    }
  });

  it('the unit tests load the rules file beside them', () => {
    expect(unitTests.rule_files).toEqual(['items-api.rules.yml']);
    expect(readText('alerts/items-api.test.yml')).toContain('evaluation_interval: 5s');
  });
});

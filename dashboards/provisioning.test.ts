import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import * as names from '../kit/names/service.ts';
import { DATASOURCE_UID } from '../kit/datasources.ts';
import { SPANMETRICS_EXEMPLAR_TRACE_ID_LABEL } from '../kit/names/external.ts';
import { PORTS, composeUrls } from '../kit/layout.ts';
import {
  interpolateProvisioningValue,
  readProvisionedDatasources,
  type ProvisionedDatasource,
} from '../kit/grafana-provisioning.ts';
import { promqlMetricNames, syntaxErrors } from './src/queryCheck.ts';
import { REPO_ROOT } from '../kit/layout.ts';
import { substituteMacros } from '../kit/dashboard-targets.ts';

const root = REPO_ROOT;
const baseFile = join(root, 'dashboards/provisioning/datasources/datasources.yaml');
const awsFile = join(root, 'dashboards/provisioning/datasources-aws/xray.yaml');
const local = readProvisionedDatasources([baseFile]);
// In AWS mode both files sit in Grafana's datasources directory.
const aws = readProvisionedDatasources([baseFile, awsFile], { AWS_REGION: 'eu-west-1' });

interface DerivedField {
  name: string;
  matcherType?: string;
  matcherRegex: string;
  datasourceUid?: string;
  url?: string;
}
const byUid = (list: ProvisionedDatasource[], uid: string) => {
  const ds = list.find((d) => d.uid === uid);
  if (!ds) throw new Error(`no datasource with uid ${uid}`);
  return ds;
};
const derivedFields = (list: ProvisionedDatasource[]) =>
  (byUid(list, 'loki').jsonData?.['derivedFields'] ?? []) as DerivedField[];

/** What Grafana's Loki datasource does with a label derived field: unanchored regex, first matching key. */
function grafanaDerivedValue(field: DerivedField, labels: Record<string, string>): string | undefined {
  const key = Object.keys(labels).find((k) => new RegExp(field.matcherRegex).test(k));
  return key === undefined ? undefined : labels[key];
}

describe('Grafana provisioning interpolation', () => {
  it('turns $$ into $ and expands environment variables like Grafana', () => {
    expect(interpolateProvisioningValue('$${__value.raw}')).toBe('${__value.raw}');
    expect(interpolateProvisioningValue('${__value.raw}')).toBe('');
    expect(interpolateProvisioningValue('x[$$__rate_interval] $HOME', { HOME: '/h' })).toBe('x[$__rate_interval] /h');
  });
});

describe('datasources', () => {
  it('default stack: prometheus, loki and jaeger with fixed uids, and no X-Ray', () => {
    expect(local.map((d) => [d.uid, d.type])).toEqual([
      [DATASOURCE_UID.prometheus, 'prometheus'],
      [DATASOURCE_UID.loki, 'loki'],
      [DATASOURCE_UID.jaeger, 'jaeger'],
    ]);
    expect(byUid(local, 'jaeger')['url']).toBe(`http://jaeger:${PORTS.jaegerUi}`);
    expect(local.filter((d) => d['isDefault'] === true).map((d) => d.uid)).toEqual(['prometheus']);
  });

  it('AWS mode adds the X-Ray datasource with the region from the environment', () => {
    const xray = byUid(aws, DATASOURCE_UID.xray);
    expect(xray.type).toBe('grafana-x-ray-datasource');
    expect(xray.jsonData?.['defaultRegion']).toBe('eu-west-1');
    expect(JSON.stringify(xray)).not.toMatch(/secret|accessKey/i);
  });

  it('every link points at a datasource that exists in the same mode', () => {
    for (const [mode, list] of [
      ['local', local],
      ['aws', aws],
    ] as const) {
      const uids = new Set(list.map((d) => d.uid));
      const linked = [
        ...derivedFields(list).map((f) => f.datasourceUid),
        ...list.flatMap((d) => {
          const j = d.jsonData ?? {};
          const refs: (string | undefined)[] = [];
          for (const key of ['tracesToLogsV2', 'tracesToMetrics', 'serviceMap', 'lokiSearch'])
            refs.push((j[key] as { datasourceUid?: string } | undefined)?.datasourceUid);
          for (const dest of (j['exemplarTraceIdDestinations'] ?? []) as { datasourceUid?: string }[])
            refs.push(dest.datasourceUid);
          return refs;
        }),
      ].filter((u): u is string => u !== undefined);
      expect(linked.length, mode).toBeGreaterThanOrEqual(4);
      expect(
        linked.filter((u) => !uids.has(u)),
        mode,
      ).toEqual([]);
    }
  });

  it('AWS mode re-provisions Loki unchanged apart from the X-Ray derived field', () => {
    const baseLoki = byUid(local, 'loki');
    const awsLoki = byUid(aws, 'loki');
    const { derivedFields: baseFields, ...baseRest } = baseLoki.jsonData as { derivedFields: DerivedField[] };
    const { derivedFields: awsFields, ...awsRest } = awsLoki.jsonData as { derivedFields: DerivedField[] };
    expect({ ...awsLoki, jsonData: awsRest }).toEqual({ ...baseLoki, jsonData: baseRest });
    expect(awsFields.slice(0, baseFields.length)).toEqual(baseFields);
    expect(awsFields.slice(baseFields.length).map((f) => f.datasourceUid)).toEqual(['xray']);
  });
});

describe('Loki derived fields (log -> trace)', () => {
  // Structured metadata as Loki returns it for one log record; xray_trace_id comes first on purpose.
  const traceId = '6752f3c1aabbccddeeff001122334455';
  const labels = {
    service_name: names.SERVICE_NAME,
    [names.LOG_FIELD_XRAY_TRACE_ID]: `1-6752f3c1-aabbccddeeff001122334455`,
    [names.LOG_FIELD_TRACE_ID]: traceId,
    span_id: '0011223344556677',
  };

  it('match trace_id by label name, so the value comes from structured metadata', () => {
    const toJaeger = derivedFields(local).find((f) => f.datasourceUid === 'jaeger');
    expect(toJaeger?.matcherType).toBe('label');
    expect(grafanaDerivedValue(toJaeger!, labels)).toBe(traceId);
    expect(toJaeger?.url).toBe('${__value.raw}');
  });

  it('AWS mode links xray_trace_id to X-Ray and still sends the W3C id to Jaeger', () => {
    const fields = derivedFields(aws);
    expect(
      grafanaDerivedValue(
        fields.find((f) => f.datasourceUid === 'jaeger')!,
        labels,
      ),
    ).toBe(traceId);
    expect(
      grafanaDerivedValue(
        fields.find((f) => f.datasourceUid === 'xray')!,
        labels,
      ),
    ).toBe(labels[names.LOG_FIELD_XRAY_TRACE_ID]);
  });

  it('no X-Ray link in the default stack', () => {
    expect(derivedFields(local).map((f) => f.datasourceUid)).toEqual(['jaeger']);
  });
});

describe('Jaeger links (trace -> logs, metrics)', () => {
  interface JaegerJsonData {
    tracesToLogsV2: { query: string };
    tracesToMetrics: { datasourceUid: string; tags: { key: string }[]; queries: { query: string }[] };
    nodeGraph: unknown;
  }
  const jaeger = byUid(local, 'jaeger').jsonData as unknown as JaegerJsonData;

  it('tracesToLogsV2 queries Loki by trace id alone (Jaeger spans carry no service.name tag for Grafana)', () => {
    const cfg = jaeger['tracesToLogsV2'];
    expect(cfg).toMatchObject({ datasourceUid: 'loki', customQuery: true, filterByTraceID: true });
    expect(cfg.query).toBe('{service_name=~".+"} | trace_id="${__trace.traceId}"');
    expect(cfg.query).not.toMatch(/__span\.tags/);
    const asSent = cfg.query.replace('${__trace.traceId}', '6752f3c1aabbccddeeff001122334455');
    expect(syntaxErrors('logql', asSent)).toEqual([]);
  });

  it('tracesToMetrics queries parse and use series the service emits', () => {
    const cfg = jaeger['tracesToMetrics'];
    expect(cfg.datasourceUid).toBe('prometheus');
    expect(cfg.tags.map((t: { key: string }) => t.key)).toEqual(['service.name', 'http.route']);
    for (const q of cfg.queries as { query: string }[]) {
      const asSent = substituteMacros(
        q.query.replace('$__tags', `service_name="${names.SERVICE_NAME}", http_route="/items"`),
        { from: 0, to: 600, intervalSeconds: 15 },
      );
      expect(syntaxErrors('promql', asSent), asSent).toEqual([]);
      expect(promqlMetricNames(asSent).every((n) => n.startsWith(names.PROM_HTTP_SERVER_REQUEST_DURATION))).toBe(true);
    }
  });

  it("node graph on; exemplars link to Jaeger by the span metrics' trace_id, in Grafana and (grafana#111448) in the Jaeger UI", () => {
    expect(jaeger['nodeGraph']).toEqual({ enabled: true });
    expect(byUid(local, 'prometheus').jsonData?.['exemplarTraceIdDestinations']).toEqual([
      {
        name: SPANMETRICS_EXEMPLAR_TRACE_ID_LABEL,
        datasourceUid: 'jaeger',
        urlDisplayLabel: 'View trace in Jaeger (Grafana)',
      },
      {
        name: SPANMETRICS_EXEMPLAR_TRACE_ID_LABEL,
        url: `${composeUrls().jaeger}/trace/\${__value.raw}`,
        urlDisplayLabel: 'Open trace in the Jaeger UI',
      },
    ]);
  });
});

describe('dashboard provider', () => {
  it('loads the JSON from the path compose mounts into the Workshop folder', () => {
    const doc = parse(readFileSync(join(root, 'dashboards/provisioning/dashboards/provider.yaml'), 'utf8'));
    expect(doc.providers).toHaveLength(1);
    expect(doc.providers[0]).toMatchObject({
      type: 'file',
      folder: 'Workshop',
      options: { path: '/var/lib/grafana/dashboards' },
    });
  });
});

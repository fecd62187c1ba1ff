// Grafana's datasources on AWS, derived from the ones compose provisions
// (dashboards/provisioning/datasources/datasources.yaml, then datasources-aws/xray.yaml, in the
// order Grafana applies them) so the uids, Loki's OTLP settings and every panel's datasource stay
// one fact. What changes on AWS:
//   - Prometheus becomes the Amazon Managed Service for Prometheus workspace, queried with SigV4
//     from the task role (Grafana 13 moved SigV4 out of the core Prometheus datasource into the
//     grafana-amazonprometheus-datasource plugin). Same uid, so the dashboards find it. Its
//     exemplar links go away: they open Jaeger, which does not run on AWS.
//   - Loki is reached through Cloud Map; its derived fields keep only the X-Ray one.
//   - Jaeger is dropped (traces go to X-Ray); the Jaeger panels of the boards show "datasource
//     not found" on AWS, which deploy/README.md says.
// Addresses known only at deploy time stay Grafana provisioning variables, expanded from the task's
// environment: ${AMP_QUERY_URL}, ${AWS_REGION}, ${LOKI_URL}. Grafana's own macros keep the
// doubled dollar the compose files use ("$${__value.raw}").
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { DATASOURCE_UID } from '../../kit/datasources.ts';
import type { ProvisionedDatasource } from '../../kit/grafana-provisioning.ts';
import { REPO_ROOT } from '../../kit/layout.ts';

/** A datasource entry of a provisioning file (here unexpanded: variables stay as written). */
export type DatasourceDefinition = ProvisionedDatasource;

interface DerivedField {
  datasourceUid?: string;
  [key: string]: unknown;
}

/** The compose provisioning files the AWS variant starts from, in Grafana's (name) order within each directory. */
export const COMPOSE_DATASOURCE_FILES = [
  'dashboards/provisioning/datasources/datasources.yaml',
  'dashboards/provisioning/datasources-aws/xray.yaml',
];

/**
 * The grafana.com plugins the AWS datasources need, at exact versions: the Grafana image installs
 * them at build time (deploy/images/grafana/Dockerfile), so a task start downloads nothing and a
 * rebuild gets the same code. Versions chosen 2026-12 from the plugins' repositories (newest tag,
 * CHANGELOG and plugin.json grafanaDependency), both compatible with the pinned grafana/grafana 13.2.0:
 *   - grafana-x-ray-datasource 2.17.1: grafanaDependency ">=10.4.0-0".
 *   - grafana-amazonprometheus-datasource 3.2.0: grafanaDependency ">=12.2.5-0" (last range),
 *     built against @grafana/* 13.1.1.
 * Not checked against grafana.com's catalogue from here (no access): a version missing there fails
 * the image build, before CloudFormation changes anything.
 */
export const GRAFANA_PLUGINS = {
  amp: { id: 'grafana-amazonprometheus-datasource', version: '3.2.0' },
  xray: { id: 'grafana-x-ray-datasource', version: '2.17.1' },
} as const;

/** The plugin that queries AMP with SigV4. */
export const AMP_DATASOURCE_PLUGIN = GRAFANA_PLUGINS.amp.id;

/** Datasource types Grafana ships itself; every other type must be one of GRAFANA_PLUGINS. */
export const CORE_DATASOURCE_TYPES = ['loki', 'prometheus'];

/** The Dockerfile's GRAFANA_PLUGINS build argument: `id@version`, space-separated. */
export function grafanaPluginsBuildArg(): string {
  return Object.values(GRAFANA_PLUGINS)
    .map(({ id, version }) => `${id}@${version}`)
    .join(' ');
}

/** Environment variables the generated file expects in the Grafana container. */
export const GRAFANA_DATASOURCE_ENV = {
  ampQueryUrl: 'AMP_QUERY_URL',
  region: 'AWS_REGION',
  lokiUrl: 'LOKI_URL',
} as const;

/** The compose datasources as Grafana ends up with them (later files replace earlier ones by name), unexpanded. */
export function composeDatasources(repo: string = REPO_ROOT): DatasourceDefinition[] {
  const byName = new Map<string, DatasourceDefinition>();
  for (const file of COMPOSE_DATASOURCE_FILES) {
    const doc = parse(readFileSync(path.join(repo, file), 'utf8')) as { datasources?: DatasourceDefinition[] };
    for (const ds of doc.datasources ?? []) byName.set(ds.name, ds);
  }
  return [...byName.values()];
}

const variable = (name: string) => `\${${name}}`;

function awsVariant(ds: DatasourceDefinition): DatasourceDefinition | undefined {
  const jsonData = { ...(ds.jsonData ?? {}) };
  switch (ds.uid) {
    case DATASOURCE_UID.prometheus: {
      delete jsonData.exemplarTraceIdDestinations;
      return {
        ...ds,
        name: 'Amazon Managed Prometheus',
        type: AMP_DATASOURCE_PLUGIN,
        url: variable(GRAFANA_DATASOURCE_ENV.ampQueryUrl),
        jsonData: {
          ...jsonData,
          sigV4Auth: true,
          sigV4AuthType: 'default',
          sigV4Region: variable(GRAFANA_DATASOURCE_ENV.region),
        },
      };
    }
    case DATASOURCE_UID.loki: {
      const derivedFields = ((jsonData.derivedFields as DerivedField[] | undefined) ?? []).filter(
        (field) => field.datasourceUid !== DATASOURCE_UID.jaeger,
      );
      return { ...ds, url: variable(GRAFANA_DATASOURCE_ENV.lokiUrl), jsonData: { ...jsonData, derivedFields } };
    }
    case DATASOURCE_UID.jaeger:
      return undefined;
    case DATASOURCE_UID.xray:
      return ds;
    default:
      throw new Error(`datasource ${ds.uid} has no AWS variant: decide what it becomes on AWS`);
  }
}

/** The AWS datasources, in provisioning-file shape. */
export function awsDatasources(repo: string = REPO_ROOT): DatasourceDefinition[] {
  return composeDatasources(repo)
    .map(awsVariant)
    .filter((ds): ds is DatasourceDefinition => ds !== undefined);
}

export function awsDatasourcesYaml(repo: string = REPO_ROOT): string {
  const header = [
    '# Generated by deploy/lib/grafana-datasources.ts from the compose datasources at synth; do not edit.',
    '# ${AMP_QUERY_URL}, ${AWS_REGION} and ${LOKI_URL} come from the Grafana task environment.',
  ].join('\n');
  return `${header}\n${stringify({ apiVersion: 1, datasources: awsDatasources(repo) }, { lineWidth: 0 })}`;
}

// The AWS datasources are the compose ones, changed only where AWS differs; read back the way
// Grafana reads provisioning files (kit/grafana-provisioning.ts), so the variables and the
// doubled-dollar macros are checked as Grafana will expand them.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DATASOURCE_UID } from '../kit/datasources.ts';
import { readProvisionedDatasources } from '../kit/grafana-provisioning.ts';
import { AMP_DATASOURCE_PLUGIN, awsDatasourcesYaml, composeDatasources } from './lib/grafana-datasources.ts';
import { grafanaImageContext, grafanaImageFiles } from './lib/grafana-image.ts';
import { REPO_ROOT } from '../kit/layout.ts';

const scratch = mkdtempSync(path.join(os.tmpdir(), 'otel-kit-grafana-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const file = path.join(scratch, 'datasources.yaml');
writeFileSync(file, awsDatasourcesYaml());
const env = {
  AMP_QUERY_URL: 'https://aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-1/',
  AWS_REGION: 'us-east-1',
  LOKI_URL: 'http://loki.otel-kit.local:3100',
};
const provisioned = readProvisionedDatasources([file], env);
const byUid = Object.fromEntries(provisioned.map((ds) => [ds.uid, ds]));

describe('Grafana datasources on AWS', () => {
  it('keep the compose uids the dashboards reference, minus Jaeger (traces go to X-Ray)', () => {
    expect(Object.keys(byUid).sort()).toEqual(
      [DATASOURCE_UID.loki, DATASOURCE_UID.prometheus, DATASOURCE_UID.xray].sort(),
    );
    expect(composeDatasources().map((ds) => ds.uid)).toContain(DATASOURCE_UID.jaeger);
    expect(readFileSync(file, 'utf8')).not.toMatch(/jaeger/i);
  });

  it('query AMP with SigV4 from the task role, at the workspace URL and region of the task environment', () => {
    expect(byUid.prometheus).toMatchObject({
      type: AMP_DATASOURCE_PLUGIN,
      url: env.AMP_QUERY_URL,
      jsonData: {
        sigV4Auth: true,
        sigV4AuthType: 'default',
        sigV4Region: 'us-east-1',
        timeInterval: '15s',
        httpMethod: 'POST',
      },
    });
  });

  it('reach Loki through Cloud Map, and a log line opens its trace in X-Ray', () => {
    expect(byUid.loki!.url).toBe(env.LOKI_URL);
    const fields =
      (byUid.loki!.jsonData!.derivedFields as { matcherRegex: string; datasourceUid: string; url: string }[]) ?? [];
    expect(fields).toEqual([
      expect.objectContaining({
        matcherType: 'label',
        matcherRegex: '^xray_trace_id$',
        datasourceUid: DATASOURCE_UID.xray,
        url: '${__value.raw}',
      }),
    ]);
    // Loki's other settings are compose's, unchanged.
    const compose = composeDatasources().find((ds) => ds.uid === DATASOURCE_UID.loki)!;
    expect(byUid.loki!.jsonData!.maxLines).toBe(compose.jsonData!.maxLines);
  });

  it('read X-Ray in the task region with the default AWS chain', () => {
    expect(byUid.xray).toMatchObject({
      type: 'grafana-x-ray-datasource',
      jsonData: { authType: 'default', defaultRegion: 'us-east-1' },
    });
  });

  it('an unknown compose datasource stops the synth instead of being copied unexamined', () => {
    const repo = mkdtempSync(path.join(scratch, 'repo-'));
    for (const relative of [
      'dashboards/provisioning/datasources/datasources.yaml',
      'dashboards/provisioning/datasources-aws/xray.yaml',
    ]) {
      const target = path.join(repo, relative);
      const text = readFileSync(path.join(REPO_ROOT, relative), 'utf8');
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(
        target,
        relative.endsWith('xray.yaml') ? `${text}\n  - name: Tempo\n    uid: tempo\n    type: tempo\n` : text,
      );
    }
    expect(() => awsDatasourcesYaml(repo)).toThrow(/tempo has no AWS variant/);
  });
});

describe('the Grafana image build context', () => {
  it('holds the Dockerfile, the generated datasources, the dashboard provider and every dashboard compose mounts', () => {
    const files = [...grafanaImageFiles().keys()].sort();
    expect(files).toEqual(
      expect.arrayContaining([
        'Dockerfile',
        'provisioning/datasources/datasources.yaml',
        'provisioning/dashboards/provider.yaml',
        'dashboards/service-overview.json',
        'dashboards/pipeline-health.json',
      ]),
    );
    const dir = grafanaImageContext(REPO_ROOT, scratch);
    expect(readFileSync(path.join(dir, 'provisioning/datasources/datasources.yaml'), 'utf8')).toBe(
      awsDatasourcesYaml(),
    );
    // Same content, same directory: a second synth reuses it and the asset hash stays put.
    expect(grafanaImageContext(REPO_ROOT, scratch)).toBe(dir);
  });
});

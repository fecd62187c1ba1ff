// collector/ecs.yaml, the ADOT sidecar's config on AWS: the same pipelines as collector/config.yaml
// with the AWS exporters, every variable it needs set by the task, and accepted by the real
// collector (`otelcol validate`, the binary `npm run native:build` makes with sigv4auth in it).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { cachedBinary, run } from '../tests/native-binaries.ts';
import { readText, readYaml, repoPath } from '../tests/stack-files.ts';
import { COLLECTOR_CONFIG_FILE, SSM_STANDARD_LIMIT, collectorConfigContent } from './lib/collector-sidecar.ts';
import { synthesize } from './synthesized.ts';

interface Pipeline {
  receivers: string[];
  processors: string[];
  exporters: string[];
}
interface CollectorConfig {
  exporters: Record<string, Record<string, unknown>>;
  extensions: Record<string, Record<string, unknown>>;
  service: { extensions: string[]; pipelines: Record<string, Pipeline> };
}

const ecs = readYaml<CollectorConfig>(COLLECTOR_CONFIG_FILE);
const base = readYaml<CollectorConfig>('collector/config.yaml');
const scratch = mkdtempSync(path.join(os.tmpdir(), 'otel-kit-ecs-collector-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Variables the config reads with no default: the task must set every one. */
function requiredVariables(text: string): string[] {
  return [
    ...new Set([...text.replace(/^\s*#.*$/gm, '').matchAll(/\$\{env:([A-Z_][A-Z0-9_]*)\}/g)].map((m) => m[1]!)),
  ].sort();
}

describe('collector/ecs.yaml', () => {
  it('has the base pipelines (receivers, processor order) with the AWS exporters', () => {
    for (const name of ['traces', 'metrics', 'logs']) {
      expect(ecs.service.pipelines[name]!.receivers, name).toEqual(base.service.pipelines[name]!.receivers);
      expect(ecs.service.pipelines[name]!.processors, name).toEqual(base.service.pipelines[name]!.processors);
    }
    expect(ecs.service.pipelines.traces!.exporters).toEqual(['awsxray', 'debug']);
    expect(ecs.service.pipelines.metrics!.exporters).toEqual(['prometheusremotewrite', 'debug']);
    expect(ecs.service.pipelines.logs!.exporters).toEqual(['otlphttp/loki', 'debug']);
  });

  it('signs remote writes with sigv4auth for the aps service', () => {
    expect(ecs.exporters.prometheusremotewrite!.auth).toEqual({ authenticator: 'sigv4auth' });
    expect(ecs.extensions.sigv4auth).toMatchObject({ service: 'aps' });
    expect(ecs.service.extensions).toContain('sigv4auth');
  });

  it('indexes the same X-Ray annotations as the compose AWS overlay', () => {
    const overlay = readYaml<CollectorConfig>('collector/aws.yaml');
    expect(ecs.exporters.awsxray!.indexed_attributes).toEqual(overlay.exporters.awsxray!.indexed_attributes);
  });

  it('needs only variables the sidecar container is given', () => {
    const required = requiredVariables(readText(COLLECTOR_CONFIG_FILE));
    expect(required).toEqual(['AMP_REMOTE_WRITE_ENDPOINT', 'AWS_REGION', 'LOKI_OTLP_ENDPOINT']);
    const synthesized = synthesize();
    try {
      const taskDefinitions = Object.values(synthesized.json.Resources).filter(
        (r) => r.Type === 'AWS::ECS::TaskDefinition',
      );
      const collectors = taskDefinitions
        .flatMap((r) => r.Properties!.ContainerDefinitions as { Name: string; Environment?: { Name: string }[] }[])
        .filter((c) => c.Name === 'collector');
      // One sidecar per app task: the items service and the inventory.
      expect(collectors).toHaveLength(2);
      for (const collector of collectors) {
        const given = collector.Environment!.map((e) => e.Name);
        for (const name of required) expect(given, name).toContain(name);
      }
    } finally {
      rmSync(synthesized.outdir, { recursive: true, force: true });
    }
  });

  it('fits a standard SSM parameter once its comments are stripped, and means the same', () => {
    const content = collectorConfigContent();
    expect(content.length).toBeLessThanOrEqual(SSM_STANDARD_LIMIT);
    expect(parse(content)).toEqual(ecs);
  });
});

const otelcol = cachedBinary('otelcol');
describe.skipIf(!otelcol)(
  `otelcol validate collector/ecs.yaml (${otelcol ?? 'not built here: run `npm run native:build`'})`,
  () => {
    // Local stand-ins for the task's environment: validate builds every component without sending.
    const env = {
      AWS_REGION: 'us-east-1',
      AMP_REMOTE_WRITE_ENDPOINT: 'http://127.0.0.1:9/api/v1/write',
      LOKI_OTLP_ENDPOINT: 'http://127.0.0.1:9/otlp',
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_EC2_METADATA_DISABLED: 'true',
    };

    it('accepts the file', () => {
      const result = run(otelcol!, ['validate', `--config=${repoPath(COLLECTOR_CONFIG_FILE)}`], env);
      expect(result.status, result.output).toBe(0);
    });

    it('accepts exactly what the SSM parameter holds', () => {
      const file = path.join(scratch, 'ssm.yaml');
      writeFileSync(file, collectorConfigContent());
      const result = run(otelcol!, ['validate', `--config=${file}`], env);
      expect(result.status, result.output).toBe(0);
    });

    it('rejects the file with a misspelt sigv4auth setting (the check is strict)', () => {
      const file = path.join(scratch, 'broken.yaml');
      writeFileSync(
        file,
        readText(COLLECTOR_CONFIG_FILE).replace('    service: aps\n', '    service: aps\n    not_a_real_key: true\n'),
      );
      const result = run(otelcol!, ['validate', `--config=${file}`], env);
      expect(result.status, result.output).not.toBe(0);
    });
  },
);

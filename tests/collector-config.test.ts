// collector/config.yaml and the AWS overlay collector/aws.yaml, checked as the collector reads
// them: every pipeline references defined components, nothing is defined and unused, the overlay
// (merged as a second --config: maps merge, lists are replaced) only adds X-Ray, and every address
// comes from ${env:VAR:-default} with compose's values as defaults.
import { describe, expect, it } from 'vitest';
import { interpolations } from '../kit/env.ts';
import {
  environmentOf,
  expandEnv,
  isPlainObject,
  mergeConfigs,
  readCompose,
  readText,
  readYaml,
} from './stack-files.ts';

interface Pipeline {
  receivers?: string[];
  processors?: string[];
  exporters?: string[];
}
interface CollectorConfig {
  receivers?: Record<string, unknown>;
  processors?: Record<string, unknown>;
  exporters?: Record<string, Record<string, unknown>>;
  extensions?: Record<string, Record<string, unknown>>;
  service?: { extensions?: string[]; pipelines?: Record<string, Pipeline>; telemetry?: Record<string, unknown> };
}

const base = readYaml<CollectorConfig>('collector/config.yaml');
const overlay = readYaml<CollectorConfig>('collector/aws.yaml');
const merged = mergeConfigs(base, overlay) as CollectorConfig;

/** Component ids referenced anywhere in `service`, by kind. */
function referenced(
  config: CollectorConfig,
): Record<'receivers' | 'processors' | 'exporters' | 'extensions', Set<string>> {
  const refs = {
    receivers: new Set<string>(),
    processors: new Set<string>(),
    exporters: new Set<string>(),
    extensions: new Set(config.service?.extensions ?? []),
  };
  for (const pipeline of Object.values(config.service?.pipelines ?? {})) {
    for (const id of pipeline.receivers ?? []) refs.receivers.add(id);
    for (const id of pipeline.processors ?? []) refs.processors.add(id);
    for (const id of pipeline.exporters ?? []) refs.exporters.add(id);
  }
  return refs;
}

function checkReferences(config: CollectorConfig): string[] {
  const problems: string[] = [];
  const refs = referenced(config);
  for (const kind of ['receivers', 'processors', 'exporters', 'extensions'] as const) {
    const defined = new Set(Object.keys(config[kind] ?? {}));
    for (const id of refs[kind]) if (!defined.has(id)) problems.push(`${kind}: "${id}" is used but not defined`);
    for (const id of defined) if (!refs[kind].has(id)) problems.push(`${kind}: "${id}" is defined but unused`);
  }
  return problems;
}

function allStrings(node: unknown, out: string[] = []): string[] {
  if (typeof node === 'string') out.push(node);
  else if (Array.isArray(node)) node.forEach((n) => allStrings(n, out));
  else if (isPlainObject(node)) Object.values(node).forEach((n) => allStrings(n, out));
  return out;
}

/** The env-var defaults written in a collector config, by variable. */
function envDefaults(text: string): Record<string, string> {
  return Object.fromEntries(interpolations(text, 'collector').map((i) => [i.name, i.fallback ?? '']));
}

describe('collector/config.yaml (base)', () => {
  it('has the three pipelines with every component defined and used', () => {
    expect(Object.keys(base.service?.pipelines ?? {}).sort()).toEqual(['logs', 'metrics', 'traces']);
    expect(checkReferences(base)).toEqual([]);
  });

  it('the reference check itself catches a dangling exporter', () => {
    const broken = mergeConfigs(base, {
      service: { pipelines: { traces: { exporters: ['otlp/nowhere'] } } },
    }) as CollectorConfig;
    expect(checkReferences(broken)).toContain('exporters: "otlp/nowhere" is used but not defined');
  });

  it('every pipeline: OTLP in, memory_limiter first, resourcedetection, batch last', () => {
    for (const [name, pipeline] of Object.entries(base.service!.pipelines!)) {
      expect(pipeline.receivers, name).toEqual(['otlp']);
      expect(pipeline.processors, name).toEqual(['memory_limiter', 'resourcedetection', 'batch']);
    }
    expect(base.service!.pipelines!.traces!.exporters).toEqual(['otlp/jaeger', 'debug']);
    expect(base.service!.pipelines!.metrics!.exporters).toEqual(['prometheusremotewrite', 'debug']);
    expect(base.service!.pipelines!.logs!.exporters).toEqual(['otlphttp/loki', 'debug']);
  });

  it('resourcedetection uses the env and system detectors without overriding the service', () => {
    expect(base.processors!.resourcedetection).toMatchObject({ detectors: ['env', 'system'], override: false });
  });

  it('exporters queue and retry, so a backend restart loses nothing that fits in the queue', () => {
    const exporters = base.exporters!;
    for (const id of ['otlphttp/loki', 'otlp/jaeger']) {
      // On disk: the queue outlives a collector restart too.
      expect(exporters[id]!.sending_queue, id).toMatchObject({ enabled: true, storage: 'file_storage/queue' });
      expect(exporters[id]!.retry_on_failure, id).toMatchObject({ enabled: true });
    }
    expect(exporters.prometheusremotewrite!.remote_write_queue).toMatchObject({ enabled: true });
    // One request in flight keeps each series in order for Prometheus.
    expect(exporters.prometheusremotewrite!.max_batch_request_parallelism).toBe(1);
    expect(exporters.prometheusremotewrite!.retry_on_failure).toMatchObject({ enabled: true });
  });

  it('resource attributes become metric labels (service_name, deployment_environment_name, ...)', () => {
    expect(base.exporters!.prometheusremotewrite!.resource_to_telemetry_conversion).toEqual({ enabled: true });
  });

  it('the debug exporter is sampled at basic verbosity', () => {
    expect(base.exporters!.debug).toMatchObject({ verbosity: 'basic' });
    expect(base.exporters!.debug!.sampling_thereafter).toBeGreaterThan(1);
  });

  it('no AWS component at all: X-Ray exists only in AWS mode', () => {
    const text = withoutComments(readText('collector/config.yaml'));
    expect(text).not.toMatch(/awsxray|awsproxy|xray|AWS_/i);
  });

  it('its own metrics are served for Prometheus on :8888 via a pull reader', () => {
    const telemetry = base.service!.telemetry as {
      metrics?: { readers?: { pull?: { exporter?: { prometheus?: { host?: string; port?: number } } } }[] };
    };
    const prometheus = telemetry.metrics?.readers?.[0]?.pull?.exporter?.prometheus;
    expect(prometheus).toEqual({ host: '${env:OTLP_LISTEN_HOST:-0.0.0.0}', port: 8888 });
    // "detailed" would also serve the collector's own http_server_request_duration_seconds_*,
    // the very name of the service's latency histogram.
    expect((telemetry.metrics as { level?: string }).level).toBe('normal');
  });
});

/** The config without its comments (they quote ${env:...} and addresses as documentation). */
function withoutComments(text: string): string {
  return text.replace(/^\s*#.*$/gm, '');
}

describe('listen addresses and endpoints come from the environment', () => {
  const text = withoutComments(readText('collector/config.yaml'));
  const awsText = withoutComments(readText('collector/aws.yaml'));

  it('defaults are compose values, and compose sets the same values explicitly', () => {
    const defaults = envDefaults(text);
    expect(defaults).toEqual({
      OTLP_LISTEN_HOST: '0.0.0.0',
      PROMETHEUS_REMOTE_WRITE_ENDPOINT: 'http://prometheus:9090/api/v1/write',
      LOKI_OTLP_ENDPOINT: 'http://loki:3100/otlp',
      JAEGER_OTLP_ENDPOINT: 'jaeger:4317',
      COLLECTOR_QUEUE_DIR: '/home/aoc/queue',
    });
    const composeEnv = environmentOf(readCompose().services.collector!);
    expect(composeEnv).toEqual(defaults);
    expect(envDefaults(awsText)).toEqual({ AWS_REGION: 'us-east-1', XRAY_ENDPOINT: '', OTLP_LISTEN_HOST: '0.0.0.0' });
  });

  it('every listener binds OTLP_LISTEN_HOST on the contract ports', () => {
    const listeners = allStrings(mergeConfigs(base, overlay)).filter((s) => s.includes('OTLP_LISTEN_HOST'));
    expect(listeners.sort()).toEqual([
      '${env:OTLP_LISTEN_HOST:-0.0.0.0}',
      '${env:OTLP_LISTEN_HOST:-0.0.0.0}:13133',
      '${env:OTLP_LISTEN_HOST:-0.0.0.0}:2000',
      '${env:OTLP_LISTEN_HOST:-0.0.0.0}:4317',
      '${env:OTLP_LISTEN_HOST:-0.0.0.0}:4318',
    ]);
  });

  it('natively, with the harness variables, every address is the collector IP or a backend hostname', () => {
    const native = expandEnv(text, { OTLP_LISTEN_HOST: '127.0.0.11' }, true);
    expect(native).not.toMatch(/\$\{/);
    expect(native).toContain('endpoint: 127.0.0.11:4317');
    expect(native).toContain('endpoint: 127.0.0.11:4318');
    expect(native).toContain('endpoint: 127.0.0.11:13133');
    expect(native).toContain('endpoint: http://prometheus:9090/api/v1/write');
    expect(native).toContain('endpoint: http://loki:3100/otlp');
    expect(native).toContain('endpoint: jaeger:4317');
    expect(native).not.toMatch(/0\.0\.0\.0/);
  });

  it('an unset or empty XRAY_ENDPOINT leaves the X-Ray endpoint empty (the real regional AWS endpoint)', () => {
    expect(expandEnv(awsText, {}, true)).toMatch(/^\s+endpoint: $/m);
    expect(expandEnv(awsText, { XRAY_ENDPOINT: 'http://moto:5000' }, true)).toMatch(
      /^\s+endpoint: http:\/\/moto:5000$/m,
    );
  });
});

describe('collector/aws.yaml (overlay)', () => {
  it('adds only the awsxray exporter and the awsproxy extension', () => {
    expect(Object.keys(overlay).sort()).toEqual(['exporters', 'extensions', 'service']);
    expect(Object.keys(overlay.exporters ?? {})).toEqual(['awsxray']);
    expect(Object.keys(overlay.extensions ?? {})).toEqual(['awsproxy']);
    expect(Object.keys(overlay.service ?? {}).sort()).toEqual(['extensions', 'pipelines']);
    expect(Object.keys(overlay.service!.pipelines ?? {})).toEqual(['traces']);
    expect(Object.keys(overlay.service!.pipelines!.traces!)).toEqual(['exporters']);
  });

  it('merged, it keeps every base component (lists are replaced, so it repeats them in full)', () => {
    expect(checkReferences(merged)).toEqual([]);
    expect(merged.service!.extensions).toEqual([...base.service!.extensions!, 'awsproxy']);
    const traces = merged.service!.pipelines!.traces!;
    expect(traces.receivers).toEqual(base.service!.pipelines!.traces!.receivers);
    expect(traces.processors).toEqual(base.service!.pipelines!.traces!.processors);
    expect(new Set(traces.exporters)).toEqual(new Set([...base.service!.pipelines!.traces!.exporters!, 'awsxray']));
    expect(merged.service!.pipelines!.metrics).toEqual(base.service!.pipelines!.metrics);
    expect(merged.service!.pipelines!.logs).toEqual(base.service!.pipelines!.logs);
  });

  it('the merge model replaces lists, as the collector does (so a short overlay list would drop exporters)', () => {
    const dropped = mergeConfigs(base, {
      service: { pipelines: { traces: { exporters: ['awsxray'] } } },
    }) as CollectorConfig;
    expect(dropped.service!.pipelines!.traces!.exporters).toEqual(['awsxray']);
  });

  it('X-Ray: region and endpoint from env, no EC2 metadata lookups, run id and route searchable', () => {
    const xray = overlay.exporters!.awsxray!;
    expect(xray).toMatchObject({
      region: '${env:AWS_REGION:-us-east-1}',
      endpoint: '${env:XRAY_ENDPOINT:-}',
      local_mode: true,
    });
    expect(xray.indexed_attributes).toEqual(expect.arrayContaining(['loadgen.run_id', 'http.route']));
    expect(overlay.extensions!.awsproxy).toMatchObject({
      endpoint: '${env:OTLP_LISTEN_HOST:-0.0.0.0}:2000',
      local_mode: true,
    });
  });
});

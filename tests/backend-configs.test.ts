// prometheus.yml, loki-config.yaml and jaeger.yaml: parse, carry the keys the workshop depends on,
// and take every listen address and data directory from the environment with compose defaults,
// which compose.yaml sets to the same values and mounts a named volume at.
import { describe, expect, it } from 'vitest';
import { interpolate, interpolations } from '../kit/env.ts';
import { parse } from 'yaml';
import { PORTS } from '../kit/layout.ts';
import { environmentOf, expandEnv, mountsOf, readCompose, readText, readYaml, shellVariables } from './stack-files.ts';

const compose = readCompose();

/** Every ${VAR} of a Loki/Jaeger config must have a default: compose and the harness set only some. */
function variablesWithoutDefault(file: string): string[] {
  const text = readText(file).replace(/^\s*#.*$/gm, '');
  return shellVariables(text)
    .filter((v) => !v.expression.includes(':-'))
    .map((v) => v.expression);
}

/** The config as the program sees it with -config.expand-env=true and the given environment. */
function expanded<T>(file: string, env: Record<string, string> = {}): T {
  return parse(expandEnv(readText(file), env)) as T;
}

describe('prometheus.yml', () => {
  interface PromConfig {
    global: { scrape_interval: string; scrape_timeout?: string; evaluation_interval: string };
    storage?: { tsdb?: { out_of_order_time_window?: string }; exemplars?: { max_exemplars?: number } };
    scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
  }
  const config = readYaml<PromConfig>('prometheus.yml');
  const targets = (job: string) =>
    config.scrape_configs.find((c) => c.job_name === job)?.static_configs.flatMap((s) => s.targets);

  it('short workshop intervals', () => {
    expect(config.global.scrape_interval).toBe('5s');
    expect(config.global.evaluation_interval).toBe('5s');
  });

  it("scrapes the collector's own metrics on :8888, itself, Loki, and Jaeger's span metrics and own metrics by compose hostname", () => {
    expect(targets('otel-collector')).toEqual(['collector:8888']);
    expect(targets('prometheus')).toEqual(['prometheus:9090']);
    expect(targets('loki')).toEqual(['loki:3100']);
    expect(targets('jaeger-spanmetrics')).toEqual([`jaeger:${PORTS.jaegerSpanMetrics}`]);
    expect(targets('jaeger')).toEqual([`jaeger:${PORTS.jaegerMetrics}`]);
  });

  it('keeps exemplars and tolerates the slightly late samples remote-write retries bring', () => {
    expect(config.storage?.exemplars?.max_exemplars).toBeGreaterThan(0);
    expect(config.storage?.tsdb?.out_of_order_time_window).toMatch(/^\d+[smh]$/);
  });
});

describe('loki-config.yaml', () => {
  interface LokiConfig {
    auth_enabled: boolean;
    server: {
      http_listen_address: string;
      http_listen_port: number;
      grpc_listen_address: string;
      grpc_listen_port: number;
    };
    common: {
      instance_addr: string;
      path_prefix: string;
      ring: { kvstore: { store: string } };
      storage: { filesystem: { chunks_directory: string; rules_directory: string } };
    };
    schema_config: { configs: { store: string; object_store: string; schema: string }[] };
    limits_config: {
      allow_structured_metadata: boolean;
      retention_period: string;
      otlp_config?: { resource_attributes?: { attributes_config?: { action: string; attributes?: string[] }[] } };
    };
    compactor: { working_directory: string; retention_enabled: boolean; delete_request_store: string };
    analytics: { reporting_enabled: boolean };
  }
  const config = expanded<LokiConfig>('loki-config.yaml');

  it('every ${VAR} has a default', () => {
    expect(variablesWithoutDefault('loki-config.yaml')).toEqual([]);
  });

  it('schema v13 on the TSDB index, filesystem storage: what OTLP structured metadata needs', () => {
    expect(config.schema_config.configs.at(-1)).toMatchObject({
      store: 'tsdb',
      object_store: 'filesystem',
      schema: 'v13',
    });
    expect(config.limits_config.allow_structured_metadata).toBe(true);
  });

  it('service_name stays a label and the environment is indexed too', () => {
    const indexed = (config.limits_config.otlp_config?.resource_attributes?.attributes_config ?? [])
      .filter((a) => a.action === 'index_label')
      .flatMap((a) => a.attributes ?? []);
    expect(indexed).toContain('deployment.environment.name');
    // ignore_defaults is not set, so the default index labels (service.name, ...) remain.
    expect(JSON.stringify(config.limits_config.otlp_config)).not.toMatch(/ignore_defaults/);
  });

  it('retention on, deleting through the compactor, analytics off, single process', () => {
    expect(config.compactor).toMatchObject({ retention_enabled: true, delete_request_store: 'filesystem' });
    expect(config.limits_config.retention_period).toMatch(/^\d+[hd]$/);
    expect(config.analytics.reporting_enabled).toBe(false);
    expect(config.auth_enabled).toBe(false);
    expect(config.common.ring.kvstore.store).toBe('inmemory');
  });

  it('compose defaults: 0.0.0.0, ports 3100/9095, data under /loki (the named volume)', () => {
    expect(config.server).toMatchObject({
      http_listen_address: '0.0.0.0',
      http_listen_port: 3100,
      grpc_listen_address: '0.0.0.0',
      grpc_listen_port: 9095,
    });
    expect(config.common.path_prefix).toBe('/loki');
    expect(config.compactor.working_directory.startsWith('/loki/')).toBe(true);
    const loki = compose.services.loki!;
    expect(mountsOf(loki).find((m) => !m.bind)?.target).toBe(environmentOf(loki).LOKI_DATA_DIR);
    expect(environmentOf(loki)).toMatchObject({
      LOKI_LISTEN_HOST: '0.0.0.0',
      LOKI_INSTANCE_ADDR: '127.0.0.1',
      LOKI_DATA_DIR: '/loki',
    });
  });

  it('natively: the harness IP and a temp dir reach every listener and path', () => {
    const native = expanded<LokiConfig>('loki-config.yaml', {
      LOKI_LISTEN_HOST: '127.0.0.13',
      LOKI_INSTANCE_ADDR: '127.0.0.13',
      LOKI_DATA_DIR: '/tmp/run/loki',
    });
    expect(native.server.http_listen_address).toBe('127.0.0.13');
    expect(native.server.grpc_listen_address).toBe('127.0.0.13');
    expect(native.common.instance_addr).toBe('127.0.0.13');
    const paths = [
      native.common.path_prefix,
      native.common.storage.filesystem.chunks_directory,
      native.common.storage.filesystem.rules_directory,
      native.compactor.working_directory,
    ];
    for (const p of paths) expect(p.startsWith('/tmp/run/loki'), p).toBe(true);
  });
});

describe('jaeger.yaml', () => {
  interface Endpoint {
    endpoint: string;
  }
  interface JaegerConfig {
    service: {
      extensions: string[];
      pipelines: Record<string, { receivers: string[]; processors?: string[]; exporters: string[] }>;
      telemetry: { metrics: { readers: { pull: { exporter: { prometheus: { host: string; port: number } } } }[] } };
    };
    extensions: {
      healthcheckv2: { use_v2: boolean; http: Endpoint & { status: { enabled: boolean; path: string } } };
      jaeger_query: {
        storage: { traces: string; metrics: string };
        enable_tracing: boolean;
        http: Endpoint;
        grpc: Endpoint;
      };
      jaeger_storage: {
        backends: Record<string, { memory: { max_traces: number | string } }>;
        metric_backends: Record<string, { prometheus: { endpoint: string } }>;
      };
    };
    connectors: {
      spanmetrics: { exemplars: { enabled: boolean }; metrics_flush_interval: string; dimensions: { name: string }[] };
    };
    receivers: { otlp: { protocols: { grpc: Endpoint; http: Endpoint } } };
    exporters: { prometheus: Endpoint & { enable_open_metrics: boolean } };
  }
  const collectorStyle = (text: string, env: Record<string, string>) => interpolate(text, env, 'collector');
  const config = parse(collectorStyle(readText('jaeger.yaml'), {})) as JaegerConfig;

  it('every ${env:VAR} has a default', () => {
    const text = readText('jaeger.yaml').replace(/^\s*#.*$/gm, '');
    const withoutDefault = interpolations(text, 'collector').filter((i) => i.fallback === undefined);
    expect(withoutDefault.map((i) => i.text)).toEqual([]);
  });

  it('OTLP in, traces to the memory store (bounded) and to the spanmetrics connector', () => {
    expect(config.receivers.otlp.protocols.grpc.endpoint).toBe(`0.0.0.0:${PORTS.jaegerOtlpGrpc}`);
    expect(config.receivers.otlp.protocols.http.endpoint).toBe(`0.0.0.0:${PORTS.jaegerOtlpHttp}`);
    expect(config.service.pipelines.traces).toMatchObject({
      receivers: ['otlp'],
      exporters: ['jaeger_storage_exporter', 'spanmetrics'],
    });
    const store = Object.values(config.extensions.jaeger_storage.backends)[0]!;
    expect(Number(store.memory.max_traces)).toBeGreaterThan(0);
  });

  it('span metrics with exemplars, in OpenMetrics for Prometheus to scrape', () => {
    expect(config.connectors.spanmetrics.exemplars.enabled).toBe(true);
    expect(config.connectors.spanmetrics.metrics_flush_interval).toMatch(/^\d+s$/);
    expect(config.service.pipelines['metrics/spanmetrics']).toMatchObject({
      receivers: ['spanmetrics'],
      exporters: ['prometheus'],
    });
    expect(config.exporters.prometheus).toMatchObject({
      endpoint: `0.0.0.0:${PORTS.jaegerSpanMetrics}`,
      enable_open_metrics: true,
    });
  });

  it('query API without self-tracing, its Monitor tab reading Prometheus, health on :13133/status', () => {
    expect(config.extensions.jaeger_query.enable_tracing).toBe(false);
    expect(config.extensions.jaeger_query.http.endpoint).toBe(`0.0.0.0:${PORTS.jaegerUi}`);
    expect(Object.values(config.extensions.jaeger_storage.metric_backends)[0]!.prometheus.endpoint).toBe(
      'http://prometheus:9090',
    );
    expect(config.extensions.healthcheckv2.http).toMatchObject({
      endpoint: `0.0.0.0:${PORTS.jaegerHealth}`,
      status: { enabled: true, path: '/status' },
    });
    expect(config.service.extensions).toEqual(['jaeger_storage', 'jaeger_query', 'healthcheckv2']);
  });

  it('natively every listener binds the harness IP', () => {
    const native = collectorStyle(readText('jaeger.yaml').replace(/^\s*#.*$/gm, ''), {
      JAEGER_LISTEN_HOST: '127.0.0.14',
    });
    expect(native).not.toMatch(/0\.0\.0\.0/);
    expect(native).toContain('127.0.0.14:4317');
    expect(native).toContain('127.0.0.14:16686');
  });
});

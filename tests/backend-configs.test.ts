// prometheus.yml, loki-config.yaml and tempo.yaml: parse, carry the keys the workshop depends on,
// and take every listen address and data directory from the environment with compose defaults,
// which compose.yaml sets to the same values and mounts a named volume at.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { environmentOf, expandEnv, mountsOf, readCompose, readText, readYaml, shellVariables } from './stack-files.ts';

const compose = readCompose();

/** Every ${VAR} of a Loki/Tempo config must have a default: compose and the harness set only some. */
function variablesWithoutDefault(file: string): string[] {
  const text = readText(file).replace(/^\s*#.*$/gm, '');
  return shellVariables(text).filter((v) => !v.expression.includes(':-')).map((v) => v.expression);
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
  const targets = (job: string) => config.scrape_configs.find((c) => c.job_name === job)?.static_configs.flatMap((s) => s.targets);

  it('short workshop intervals', () => {
    expect(config.global.scrape_interval).toBe('5s');
    expect(config.global.evaluation_interval).toBe('5s');
  });

  it("scrapes the collector's own metrics on :8888, itself, Loki and Tempo by compose hostname", () => {
    expect(targets('otel-collector')).toEqual(['collector:8888']);
    expect(targets('prometheus')).toEqual(['prometheus:9090']);
    expect(targets('loki')).toEqual(['loki:3100']);
    expect(targets('tempo')).toEqual(['tempo:3200']);
  });

  it('keeps exemplars and tolerates the slightly late samples remote-write retries bring', () => {
    expect(config.storage?.exemplars?.max_exemplars).toBeGreaterThan(0);
    expect(config.storage?.tsdb?.out_of_order_time_window).toMatch(/^\d+[smh]$/);
  });
});

describe('loki-config.yaml', () => {
  interface LokiConfig {
    auth_enabled: boolean;
    server: { http_listen_address: string; http_listen_port: number; grpc_listen_address: string; grpc_listen_port: number };
    common: { instance_addr: string; path_prefix: string; ring: { kvstore: { store: string } }; storage: { filesystem: { chunks_directory: string; rules_directory: string } } };
    schema_config: { configs: { store: string; object_store: string; schema: string }[] };
    limits_config: { allow_structured_metadata: boolean; retention_period: string; otlp_config?: { resource_attributes?: { attributes_config?: { action: string; attributes?: string[] }[] } } };
    compactor: { working_directory: string; retention_enabled: boolean; delete_request_store: string };
    analytics: { reporting_enabled: boolean };
  }
  const config = expanded<LokiConfig>('loki-config.yaml');

  it('every ${VAR} has a default', () => {
    expect(variablesWithoutDefault('loki-config.yaml')).toEqual([]);
  });

  it('schema v13 on the TSDB index, filesystem storage: what OTLP structured metadata needs', () => {
    expect(config.schema_config.configs.at(-1)).toMatchObject({ store: 'tsdb', object_store: 'filesystem', schema: 'v13' });
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
    expect(config.server).toMatchObject({ http_listen_address: '0.0.0.0', http_listen_port: 3100, grpc_listen_address: '0.0.0.0', grpc_listen_port: 9095 });
    expect(config.common.path_prefix).toBe('/loki');
    expect(config.compactor.working_directory.startsWith('/loki/')).toBe(true);
    const loki = compose.services.loki!;
    expect(mountsOf(loki).find((m) => !m.bind)?.target).toBe(environmentOf(loki).LOKI_DATA_DIR);
    expect(environmentOf(loki)).toMatchObject({ LOKI_LISTEN_HOST: '0.0.0.0', LOKI_INSTANCE_ADDR: '127.0.0.1', LOKI_DATA_DIR: '/loki' });
  });

  it('natively: the harness IP and a temp dir reach every listener and path', () => {
    const native = expanded<LokiConfig>('loki-config.yaml', { LOKI_LISTEN_HOST: '127.0.0.13', LOKI_INSTANCE_ADDR: '127.0.0.13', LOKI_DATA_DIR: '/tmp/run/loki' });
    expect(native.server.http_listen_address).toBe('127.0.0.13');
    expect(native.server.grpc_listen_address).toBe('127.0.0.13');
    expect(native.common.instance_addr).toBe('127.0.0.13');
    const paths = [native.common.path_prefix, native.common.storage.filesystem.chunks_directory, native.common.storage.filesystem.rules_directory, native.compactor.working_directory];
    for (const p of paths) expect(p.startsWith('/tmp/run/loki'), p).toBe(true);
  });
});

describe('tempo.yaml', () => {
  interface TempoConfig {
    server: { http_listen_address: string; http_listen_port: number; grpc_listen_address: string; grpc_listen_port: number };
    distributor: { receivers: { otlp: { protocols: { grpc: { endpoint: string }; http: { endpoint: string } } } } };
    ingester: { lifecycler: { ring: { kvstore: { store: string } } } };
    querier: { frontend_worker: { frontend_address: string } };
    metrics_generator: {
      ring: { kvstore: { store: string } };
      storage: { path: string; remote_write: { url: string; send_exemplars?: boolean }[] };
      traces_storage?: { path: string };
    };
    storage: { trace: { backend: string; wal: { path: string }; local: { path: string } } };
    overrides: { defaults: { metrics_generator: { processors: string[] } } };
  }
  const config = expanded<TempoConfig>('tempo.yaml');

  it('every ${VAR} has a default', () => {
    expect(variablesWithoutDefault('tempo.yaml')).toEqual([]);
  });

  it('OTLP receivers on gRPC 4317 and HTTP 4318, API on 3200, gRPC 9095 (compose defaults)', () => {
    expect(config.distributor.receivers.otlp.protocols.grpc.endpoint).toBe('0.0.0.0:4317');
    expect(config.distributor.receivers.otlp.protocols.http.endpoint).toBe('0.0.0.0:4318');
    expect(config.server).toMatchObject({ http_listen_port: 3200, grpc_listen_port: 9095, http_listen_address: '0.0.0.0' });
  });

  it('local storage under /var/tempo, the named volume compose mounts', () => {
    expect(config.storage.trace.backend).toBe('local');
    for (const p of [config.storage.trace.wal.path, config.storage.trace.local.path, config.metrics_generator.storage.path]) {
      expect(p.startsWith('/var/tempo/'), p).toBe(true);
    }
    const tempo = compose.services.tempo!;
    expect(mountsOf(tempo).find((m) => !m.bind)?.target).toBe(environmentOf(tempo).TEMPO_DATA_DIR);
  });

  it('the metrics generator writes service graphs and span metrics to Prometheus with exemplars', () => {
    expect(config.metrics_generator.storage.remote_write).toEqual([{ url: 'http://prometheus:9090/api/v1/write', send_exemplars: true }]);
    expect(config.overrides.defaults.metrics_generator.processors).toEqual(expect.arrayContaining(['service-graphs', 'span-metrics']));
    if (config.overrides.defaults.metrics_generator.processors.includes('local-blocks')) {
      expect(config.metrics_generator.traces_storage?.path).toBeTruthy();
    }
  });

  it('natively: the public listeners use the harness IP; internal gRPC stays on 127.0.0.1', () => {
    const native = expanded<TempoConfig>('tempo.yaml', { TEMPO_LISTEN_HOST: '127.0.0.14', TEMPO_DATA_DIR: '/tmp/run/tempo' });
    expect(native.server.http_listen_address).toBe('127.0.0.14');
    expect(native.distributor.receivers.otlp.protocols.grpc.endpoint).toBe('127.0.0.14:4317');
    expect(native.distributor.receivers.otlp.protocols.http.endpoint).toBe('127.0.0.14:4318');
    // Single-binary Tempo forces its ingester and generator ring addresses to 127.0.0.1, so the
    // internal gRPC server must listen there (and the querier dial there), whatever the host.
    expect(native.server.grpc_listen_address).toBe('127.0.0.1');
    expect(native.querier.frontend_worker.frontend_address).toBe('127.0.0.1:9095');
    expect(native.ingester.lifecycler.ring.kvstore.store).toBe('inmemory');
    expect(native.storage.trace.local.path.startsWith('/tmp/run/tempo/')).toBe(true);
    const tempo = compose.services.tempo!;
    expect(environmentOf(tempo)).toMatchObject({ TEMPO_LISTEN_HOST: '0.0.0.0', TEMPO_DATA_DIR: '/var/tempo' });
  });
});

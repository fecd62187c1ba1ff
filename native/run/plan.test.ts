import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT, SERVICE_ENTRY } from '../../kit/layout.ts';
import { ENV_FLAG_FILE, FLAG_FILE } from '../../kit/scenarios.ts';
import {
  ADDRESSES,
  type ComponentSpec,
  type StackPaths,
  chooseCollectorConfigs,
  composeCommand,
  composeEnvironment,
  composeVolumes,
  hostPathOf,
  nativeEnvironment,
  namespacedCommand,
  nativePrometheusArgs,
  nodeArgsFromStartScript,
  planComponents,
  referencedEnvVars,
  renderHostsFile,
} from './plan.ts';

const repo = REPO_ROOT;
// The real compose.yaml's Prometheus command: the native plan derives its flags from it.
const prometheus = composeCommand(parse(readFileSync(path.join(repo, 'compose.yaml'), 'utf8')), 'prometheus', {});
const paths: StackPaths = {
  repo: '/repo',
  runDir: '/run',
  binaries: { prometheus: '/b/prometheus', jaeger: '/b/jaeger', otelcol: '/b/otelcol', moto: '/b/moto_server' },
  tsRunner: ['/repo/scripts/require-node.cjs', 'loki-door'],
  node: '/usr/bin/node',
  serviceStartScript:
    'node --env-file=service/otel.env --require ./dist/kit/node/preload/preload.js dist/service/src/index.js',
  inventoryStartScript:
    'node --env-file=inventory/otel.env --require ./dist/kit/node/preload/preload.js dist/inventory/src/main.js',
};
const byName = (specs: ComponentSpec[]) => Object.fromEntries(specs.map((s) => [s.name, s]));

describe('hosts file', () => {
  const original = '127.0.0.1\tlocalhost\n::1 localhost ip6-localhost\n10.0.0.5 buildbox\n127.0.1.1 loki # stale\n';

  it('keeps the machine entries and maps every compose hostname to its own loopback IP', () => {
    const hosts = renderHostsFile(original);
    expect(hosts).toContain('127.0.0.1\tlocalhost');
    expect(hosts).toContain('10.0.0.5 buildbox');
    for (const [name, ip] of Object.entries(ADDRESSES))
      expect(hosts).toMatch(new RegExp(`^${ip.replaceAll('.', '\\.')}\\t${name}$`, 'm'));
  });

  it('drops earlier lines naming one of our hosts, so the stack never resolves a stale address', () => {
    expect(renderHostsFile(original)).not.toContain('127.0.1.1 loki');
  });

  it('is stable when rendered over its own output', () => {
    const once = renderHostsFile(original);
    expect(renderHostsFile(once)).toBe(once);
  });
});

describe('config variables', () => {
  it('finds ${VAR} and ${VAR:-default} (and ${env:VAR}), ignoring comments', () => {
    const text = 'a: ${A}\nb: ${B:-x}:4317\n# c: ${C}\nd: ${env:D} # ${E}\n';
    expect(referencedEnvVars(text)).toEqual([
      { name: 'A', hasDefault: false },
      { name: 'B', hasDefault: true },
      { name: 'D', hasDefault: false },
    ]);
  });
});

describe('collector config files', () => {
  it('uses the base config alone, or base then the AWS overlay', () => {
    expect(chooseCollectorConfigs(['config.yaml', 'config-aws.yaml', 'README.md'], false)).toEqual({
      base: 'config.yaml',
    });
    expect(chooseCollectorConfigs(['config.yaml', 'aws-overlay.yaml'], true)).toEqual({
      base: 'config.yaml',
      overlay: 'aws-overlay.yaml',
    });
  });
  it('refuses to guess', () => {
    expect(() => chooseCollectorConfigs([], false)).toThrow(/base config/);
    expect(() => chooseCollectorConfigs(['config.yaml'], true)).toThrow(/AWS overlay/);
  });
});

describe('compose environment', () => {
  it('reads map and list forms and applies compose interpolation', () => {
    const compose = {
      services: {
        service: { environment: { A: 'x', B: '${HOSTVAR:-dflt}', C: null, N: 3 } },
        collector: { environment: ['AWS_REGION=${AWS_REGION:-us-east-1}', 'PASSED', 'PRICE=$$5'] },
      },
    };
    expect(composeEnvironment(compose, 'service', { C: 'from-host' })).toEqual({
      A: 'x',
      B: 'dflt',
      C: 'from-host',
      N: '3',
    });
    expect(composeEnvironment(compose, 'service', { HOSTVAR: 'set' }).B).toBe('set');
    expect(composeEnvironment(compose, 'collector', { PASSED: 'p' })).toEqual({
      AWS_REGION: 'us-east-1',
      PASSED: 'p',
      PRICE: '$5',
    });
    expect(composeEnvironment(undefined, 'service', {})).toEqual({});
  });
});

describe('component plan', () => {
  const aws = byName(
    planComponents(
      paths,
      { aws: true, service: true, inventory: true },
      ['/repo/collector/config.yaml', '/repo/collector/config-aws.yaml'],
      prometheus,
    ),
  );
  const local = byName(
    planComponents(paths, { aws: false, service: false, inventory: true }, ['/repo/collector/config.yaml'], prometheus),
  );

  it('gives every component its own loopback IP and never a wildcard listen address', () => {
    for (const spec of Object.values(aws)) {
      const text = [...spec.args, ...Object.values(spec.env)].join(' ');
      expect(text).not.toContain('0.0.0.0');
      expect(spec.readyUrl).toContain(`//${ADDRESSES[spec.name]}:`);
    }
    expect(aws.prometheus!.args).toContain('--web.listen-address=127.0.0.12:9090');
    expect(aws.loki!.args.slice(-4)).toEqual(['--host', '127.0.0.13', '--port', '3100']);
    expect(aws.jaeger!.env).toMatchObject({ JAEGER_LISTEN_HOST: '127.0.0.14' });
    expect(aws.collector!.env.OTLP_LISTEN_HOST).toBe('127.0.0.11');
    expect(aws.inventory!.env).toMatchObject({
      HOST: '127.0.0.16',
      PORT: '8081',
      AWS_ENDPOINT_URL: 'http://moto:5000',
    });
    expect(aws.service!.env).toMatchObject({ HOST: '127.0.0.10', PORT: '8080' });
    expect(aws.moto!.args).toEqual(['--host', '127.0.0.15', '--port', '5000']);
  });

  it('keeps all data in the run dir (Jaeger keeps its traces in memory)', () => {
    expect(aws.prometheus!.args).toContain('--storage.tsdb.path=/run/data/prometheus');
    expect(aws.jaeger!.dataDir).toBeUndefined();
  });

  it("uses the repo config files compose mounts, and runs Loki's door where Loki would listen", () => {
    expect(aws.prometheus!.args).toContain('--config.file=/repo/prometheus.yml');
    expect(aws.jaeger!.args).toEqual(['--config=/repo/jaeger.yaml']);
    expect(aws.loki!.command).toBe('/usr/bin/node');
    expect(aws.loki!.args).toEqual([
      '/repo/scripts/require-node.cjs',
      'loki-door',
      '/repo/native/loki-door/main.ts',
      '--host',
      '127.0.0.13',
      '--port',
      '3100',
    ]);
    expect(aws.loki!.readyUrl).toBe('http://127.0.0.13:3100/ready');
  });

  it('in AWS mode merges the overlay and points X-Ray at moto with dummy credentials', () => {
    expect(aws.collector!.args).toEqual([
      '--config=/repo/collector/config.yaml',
      '--config=/repo/collector/config-aws.yaml',
    ]);
    expect(aws.collector!.env).toMatchObject({
      XRAY_ENDPOINT: 'http://moto:5000',
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_REGION: 'us-east-1',
    });
    expect(Object.keys(local)).toEqual(['prometheus', 'loki', 'jaeger', 'collector']);
    expect(local.collector!.env.XRAY_ENDPOINT).toBeUndefined();
  });

  it('runs the service with exactly the node arguments of npm start, from the repo root', () => {
    expect(aws.service!.command).toBe('/usr/bin/node');
    expect(aws.service!.args).toEqual([
      '--env-file=service/otel.env',
      '--require',
      './dist/kit/node/preload/preload.js',
      'dist/service/src/index.js',
    ]);
    expect(aws.service!.cwd).toBe('/repo');
    // The repo's start script parses (a shell construct there would need the harness to change).
    const start = JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8')).scripts.start as string;
    expect(nodeArgsFromStartScript(start).at(-1)).toBe(SERVICE_ENTRY);
    expect(() => nodeArgsFromStartScript('tsx service/src/index.ts')).toThrow(/does not run node/);
    expect(() => nodeArgsFromStartScript('node a.js && rm -rf x')).toThrow(/plain node/);
  });

  it('lets compose.yaml environment through but keeps its own listen addresses', () => {
    const specs = byName(
      planComponents(paths, { aws: false, service: true, inventory: false }, ['/c.yaml'], prometheus, {
        service: { HOST: '0.0.0.0', OTEL_METRICS_EXPORTER: 'otlp' },
      }),
    );
    expect(specs.service!.env).toMatchObject({ HOST: '127.0.0.10', OTEL_METRICS_EXPORTER: 'otlp' });
  });
});

describe('the real config files take exactly the variables the harness sets', () => {
  const real = byName(
    planComponents({ ...paths, repo }, { aws: true, service: true, inventory: true }, [], prometheus),
  );
  const harnessVars = (spec: ComponentSpec) =>
    Object.keys(spec.env).filter((k) => /_(LISTEN_HOST|INSTANCE_ADDR|DATA_DIR)$/.test(k));
  for (const [name, file] of [['jaeger', 'jaeger.yaml']] as const) {
    it(`${file}`, () => {
      const used = referencedEnvVars(readFileSync(path.join(repo, file), 'utf8'))
        .map((v) => v.name)
        .filter((v) => /_(LISTEN_HOST|INSTANCE_ADDR|DATA_DIR)$/.test(v));
      expect(used.sort()).toEqual(harnessVars(real[name]!).sort());
    });
  }

  const collectorDir = path.join(repo, 'collector');
  const collectorFiles = existsSync(collectorDir) ? readdirSync(collectorDir).filter((f) => /\.ya?ml$/.test(f)) : [];
  it.skipIf(collectorFiles.length === 0)(
    'collector configs listen on OTLP_LISTEN_HOST and send X-Ray to XRAY_ENDPOINT',
    () => {
      const text = collectorFiles.map((f) => readFileSync(path.join(collectorDir, f), 'utf8')).join('\n');
      const used = referencedEnvVars(text).map((v) => v.name);
      expect(used).toContain('OTLP_LISTEN_HOST');
      expect(used).toContain('XRAY_ENDPOINT');
    },
  );
});

describe('compose.yaml and the native harness start each program with the same flags', () => {
  const compose = parse(readFileSync(path.join(repo, 'compose.yaml'), 'utf8')) as {
    services: Record<string, { command?: string[] }>;
  };
  const native = byName(
    planComponents(
      { ...paths, repo },
      { aws: false, service: false, inventory: true },
      ['/repo/collector/config.yaml'],
      prometheus,
    ),
  );
  const flagName = (arg: string) => arg.split('=')[0];
  for (const name of ['prometheus', 'jaeger', 'collector'] as const) {
    it(name, () => {
      const composeFlags = (compose.services[name]?.command ?? []).filter((a) => a.startsWith('-')).map(flagName);
      expect(composeFlags.length, `compose.yaml ${name} has no command flags`).toBeGreaterThan(0);
      expect(native[name]!.args.map(flagName)).toEqual(expect.arrayContaining(composeFlags));
    });
  }
});

describe("Prometheus's command line comes from compose.yaml", () => {
  const compose = {
    command: [
      '--config.file=/etc/prometheus/prometheus.yml',
      '--storage.tsdb.path=/prometheus',
      '--rule.files-are-examples=/etc/prometheus/rules/a.yml',
      '--web.listen-address=0.0.0.0:9090',
      '--enable-feature=exemplar-storage',
    ],
    volumes: [
      './prometheus.yml:/etc/prometheus/prometheus.yml:ro',
      './alerts:/etc/prometheus/rules:ro',
      'data:/prometheus',
    ],
  };

  it('maps container paths through compose bind mounts, and owns only the data dir and listen address', () => {
    expect(nativePrometheusArgs(compose, '/repo', '/run/data/prometheus', '127.0.0.12:9090')).toEqual([
      '--config.file=/repo/prometheus.yml',
      '--storage.tsdb.path=/run/data/prometheus',
      '--rule.files-are-examples=/repo/alerts/a.yml',
      '--web.listen-address=127.0.0.12:9090',
      '--enable-feature=exemplar-storage',
    ]);
  });

  it('interpolates compose variables from the host environment', () => {
    const withRetention = { services: { prometheus: { command: ['--storage.tsdb.retention.time=${RET:-7d}'] } } };
    expect(composeCommand(withRetention, 'prometheus', {}).command).toEqual(['--storage.tsdb.retention.time=7d']);
    expect(composeCommand(withRetention, 'prometheus', { RET: '1d' }).command).toEqual([
      '--storage.tsdb.retention.time=1d',
    ]);
    expect(() => composeCommand({ services: {} }, 'prometheus', {})).toThrow(/services.prometheus.command/);
  });

  it('runs the real compose flags natively, in compose order', () => {
    const native = planComponents(paths, { aws: false, service: false, inventory: false }, ['/c.yaml'], prometheus);
    const flags = native.find((s) => s.name === 'prometheus')!.args.map((a) => a.split('=')[0]);
    expect(flags).toEqual(prometheus.command.map((a) => a.split('=')[0]));
  });
});

describe('namespaced command', () => {
  it('bind-mounts the hosts file privately and execs the component (same PID)', () => {
    expect(namespacedCommand('/run/hosts', '/b/loki', ['-x'])).toEqual({
      command: 'unshare',
      args: [
        '--mount',
        '--propagation',
        'private',
        'sh',
        '-c',
        'mount --bind "$0" /etc/hosts && exec "$@"',
        '/run/hosts',
        '/b/loki',
        '-x',
      ],
    });
  });
});

describe("the service's environment natively: container paths mapped to the repository", () => {
  it('the lab scenarios flag file compose mounts in /flags is the repository file, which npm run scenario rewrites', () => {
    const compose = parse(readFileSync(path.join(REPO_ROOT, 'compose.yaml'), 'utf8')) as unknown;
    const env = nativeEnvironment(
      composeEnvironment(compose, 'service', {}),
      composeVolumes(compose, 'service', {}),
      '/repo',
    );
    expect(env[ENV_FLAG_FILE]).toBe(`/repo/${FLAG_FILE}`);
    expect(env.OTEL_EXPORTER_OTLP_ENDPOINT).toBe('http://collector:4318');
    expect(hostPathOf('/elsewhere/x', ['./flags:/flags:ro'], '/repo')).toBe('/elsewhere/x');
    expect(hostPathOf('/flags', ['./flags:/flags:ro', 'data:/data'], '/repo')).toBe('/repo/flags');
  });
});

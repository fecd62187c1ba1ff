// Pure part of the native stack: addresses, the hosts file, and each component's command line and
// environment. Everything here is data in, data out, so the unit tests can pin it down.
//
// The configs are the very files compose mounts. They keep compose hostnames (resolved here through
// a private /etc/hosts) and take their listen addresses and data directories from environment
// variables whose defaults are compose's values; the harness only sets those variables or the
// equivalent command-line flags.
import path from 'node:path';
import { interpolate, interpolations } from '../../kit/env.ts';
import { ADDRESSES, type ComponentName, PORTS, SERVICE_ENTRY, nativeUrls, url } from '../../kit/layout.ts';

export { ADDRESSES, COMPONENT_NAMES, type ComponentName, PORTS } from '../../kit/layout.ts';

const HOSTS_MARKER = '# otel-kit native stack: compose hostnames -> per-component loopback IPs';

/**
 * The /etc/hosts that the stack's private mount namespace sees: the machine's own file (so its
 * hostname and localhost still resolve) without any earlier line naming one of our hosts, then
 * one line per component.
 */
export function renderHostsFile(original: string, addresses: Record<string, string> = ADDRESSES): string {
  const ours = new Set(Object.keys(addresses));
  const kept = original
    .split('\n')
    .filter((line) => line !== HOSTS_MARKER)
    .filter((line) => {
      const fields = line.replace(/#.*/, '').trim().split(/\s+/).filter(Boolean);
      return fields.length < 2 || !fields.slice(1).some((name) => ours.has(name));
    })
    .join('\n')
    .trimEnd();
  const lines = Object.entries(addresses).map(([name, ip]) => `${ip}\t${name}`);
  return `${kept}\n\n${HOSTS_MARKER}\n${lines.join('\n')}\n`;
}

/** `${VAR}` / `${VAR:-default}` references in a config file (the collector and Jaeger expand them). */
export function referencedEnvVars(configText: string): { name: string; hasDefault: boolean }[] {
  const found = new Map<string, boolean>();
  const withoutComments = configText
    .split('\n')
    .map((line) => line.replace(/(^|\s)#.*$/, ''))
    .join('\n');
  for (const { name, fallback } of interpolations(withoutComments)) {
    found.set(name, (found.get(name) ?? false) || fallback !== undefined);
  }
  return [...found].map(([name, hasDefault]) => ({ name, hasDefault }));
}

export interface StackPaths {
  repo: string;
  runDir: string;
  binaries: {
    prometheus: string;
    jaeger: string;
    otelcol: string;
    moto: string;
  };
  /** node arguments that run a TypeScript entry point (the kit's type-stripping launcher): the Loki door runs this way. */
  tsRunner: string[];
  /** node binary that runs the service (the one running the harness by default). */
  node: string;
  /** package.json's `start` script: the service runs with exactly these node arguments. */
  serviceStartScript: string;
  /** package.json's `start:inventory` script, likewise for the AWS inventory. */
  inventoryStartScript: string;
}

/**
 * The node arguments of `npm start` ("node --env-file=… --require … dist/service/src/index.js"), so
 * the harness starts the service exactly as the README and the Dockerfile do. Paths stay
 * relative to the repo (the service's cwd). --env-file never overrides variables already set,
 * so the harness's HOST and OTLP endpoint win over service/otel.env.
 */
export function nodeArgsFromStartScript(script: string): string[] {
  if (/["'`$|&;<>()\\]/.test(script)) throw new Error(`npm start is not a plain node command line: ${script}`);
  const [command, ...args] = script.trim().split(/\s+/);
  if (command !== 'node' || args.length === 0) throw new Error(`npm start does not run node: ${script}`);
  return args;
}

export interface StackOptions {
  /** Collector with the AWS overlay (awsxray exporter, pointed at moto). */
  aws: boolean;
  /** Start the compiled service (skipped when it has not been built). */
  service: boolean;
  /** Start the AWS inventory against moto (needs `aws`, since moto runs only then). */
  inventory: boolean;
}

export interface ComponentSpec {
  name: ComponentName;
  command: string;
  args: string[];
  /** Added to the harness's own environment. */
  env: Record<string, string>;
  /** Working directory. */
  cwd: string;
  /** GET this until it answers 2xx. */
  readyUrl: string;
  /** Human-readable endpoints for the "where everything listens" table. */
  listens: Record<string, string>;
  dataDir?: string;
  /** Config files this component reads (checked to exist before start). */
  configFiles: string[];
}

export const AWS_DUMMY_CREDENTIALS = {
  AWS_ACCESS_KEY_ID: 'testing',
  AWS_SECRET_ACCESS_KEY: 'testing',
  AWS_SESSION_TOKEN: 'testing',
  AWS_REGION: 'us-east-1',
  AWS_DEFAULT_REGION: 'us-east-1',
  // Keep the SDK off the EC2 metadata endpoint: there is none here, and probing it costs seconds.
  AWS_EC2_METADATA_DISABLED: 'true',
} as const;

/**
 * The collector's config files inside collector/: the base file, plus the AWS overlay (the file
 * whose name mentions aws) as a second --config when AWS mode is asked. The collector merges
 * later files over earlier ones, exactly as compose passes them.
 */
export function chooseCollectorConfigs(fileNames: string[], aws: boolean): { base: string; overlay?: string } {
  const yaml = fileNames.filter((f) => /\.ya?ml$/.test(f)).sort();
  const overlays = yaml.filter((f) => /aws/i.test(f));
  const bases = yaml.filter((f) => !/aws/i.test(f));
  const base = bases.find((f) => /^config\.ya?ml$/.test(f)) ?? (bases.length === 1 ? bases[0] : undefined);
  if (!base)
    throw new Error(`collector/: cannot tell the base config among [${yaml.join(', ')}] (expected config.yaml)`);
  if (!aws) return { base };
  if (overlays.length !== 1)
    throw new Error(`collector/: expected exactly one AWS overlay (*aws*.yaml), found [${overlays.join(', ')}]`);
  return { base, overlay: overlays[0] };
}

type ComposeEnvironment = Record<string, string | number | boolean | null> | string[] | undefined;

/**
 * A compose service's `environment:` (map or list form) with compose's `${VAR}` /
 * `${VAR:-default}` interpolation applied from hostEnv, so the native run gets the same variables.
 */
export function composeEnvironment(
  compose: unknown,
  service: string,
  hostEnv: NodeJS.ProcessEnv,
): Record<string, string> {
  const services = (compose as { services?: Record<string, { environment?: ComposeEnvironment }> } | undefined)
    ?.services;
  const environment = services?.[service]?.environment;
  const pairs: [string, string][] = [];
  if (Array.isArray(environment)) {
    for (const entry of environment) {
      const eq = entry.indexOf('=');
      if (eq === -1) {
        if (hostEnv[entry] !== undefined) pairs.push([entry, hostEnv[entry]]);
      } else pairs.push([entry.slice(0, eq), entry.slice(eq + 1)]);
    }
  } else if (environment) {
    for (const [key, value] of Object.entries(environment)) {
      if (value === null) {
        if (hostEnv[key] !== undefined) pairs.push([key, hostEnv[key]]);
      } else pairs.push([key, String(value)]);
    }
  }
  return Object.fromEntries(pairs.map(([k, v]) => [k, interpolate(v, hostEnv, 'compose').replace(/\$\$/g, '$')]));
}

/** A compose service's `command:` and `volumes:` as compose runs them (interpolated from hostEnv). */
export interface ComposeCommand {
  command: string[];
  volumes: string[];
}

export function composeCommand(compose: unknown, service: string, hostEnv: NodeJS.ProcessEnv): ComposeCommand {
  const entry = (
    compose as { services?: Record<string, { command?: string[] | string; volumes?: unknown[] }> } | undefined
  )?.services?.[service];
  if (!Array.isArray(entry?.command)) throw new Error(`compose.yaml: services.${service}.command is not a list`);
  const expand = (value: string) => interpolate(value, hostEnv, 'compose').replace(/\$\$/g, '$');
  return {
    command: entry.command.map(expand),
    volumes: (entry.volumes ?? []).filter((v): v is string => typeof v === 'string').map(expand),
  };
}

/** Compose's `./host:/container` bind mounts, with host paths made absolute in the repository. */
function repoBindMounts(volumes: string[], repo: string): { host: string; container: string }[] {
  return volumes
    .map((volume) => volume.split(':'))
    .filter(([host, container]) => host?.startsWith('./') && container)
    .map(([host, container]) => ({ host: path.join(repo, host!), container: container! }));
}

/** A path inside a container mapped back to the repository through compose's bind mounts (else unchanged). */
export function hostPathOf(value: string, volumes: string[], repo: string): string {
  const mount = repoBindMounts(volumes, repo).find((m) => value === m.container || value.startsWith(`${m.container}/`));
  return mount ? mount.host + value.slice(mount.container.length) : value;
}

/** A compose service's bind-mount specs (`./host:/container[:ro]`), interpolated from hostEnv. */
export function composeVolumes(compose: unknown, service: string, hostEnv: NodeJS.ProcessEnv): string[] {
  const entry = (compose as { services?: Record<string, { volumes?: unknown[] }> } | undefined)?.services?.[service];
  return (entry?.volumes ?? [])
    .filter((v): v is string => typeof v === 'string')
    .map((v) => interpolate(v, hostEnv, 'compose').replace(/\$\$/g, '$'));
}

/**
 * A compose service's environment for a native run: every value naming a path inside one of the
 * service's bind mounts (the lab scenarios' flag file in /flags) points at the repository's file,
 * as the container sees it. `npm run scenario` rewrites that file for either stack.
 */
export function nativeEnvironment(
  env: Record<string, string>,
  volumes: string[],
  repo: string,
): Record<string, string> {
  return Object.fromEntries(Object.entries(env).map(([key, value]) => [key, hostPathOf(value, volumes, repo)]));
}

/**
 * Prometheus's native command line is compose's: every flag as compose passes it (retention,
 * remote-write receiver, exemplar storage, rule files…), with the container's paths mapped back
 * to the repository through compose's own bind mounts, and the data dir and listen address the
 * native run's. A flag added to compose reaches the native stack with no edit here.
 */
export function nativePrometheusArgs(
  compose: ComposeCommand,
  repo: string,
  dataDir: string,
  listenAddress: string,
): string[] {
  const fromContainer = (value: string) => hostPathOf(value, compose.volumes, repo);
  return compose.command.map((arg) => {
    const [flag, value] = arg.split(/=(.*)/s);
    if (value === undefined) return arg;
    if (flag === '--storage.tsdb.path') return `${flag}=${dataDir}`;
    if (flag === '--web.listen-address') return `${flag}=${listenAddress}`;
    return `${flag}=${fromContainer(value)}`;
  });
}

/**
 * composeEnv: each component's `environment:` from compose.yaml (see composeEnvironment); the
 * harness's own values (listen addresses, data dirs, dummy AWS credentials) win over it.
 */
export function planComponents(
  paths: StackPaths,
  options: StackOptions,
  collectorConfigs: string[],
  prometheus: ComposeCommand,
  composeEnv: Partial<Record<ComponentName, Record<string, string>>> = {},
): ComponentSpec[] {
  const { repo, runDir, binaries } = paths;
  const data = (name: string) => path.join(runDir, 'data', name);
  const specs: ComponentSpec[] = [];

  if (options.aws) {
    specs.push({
      name: 'moto',
      command: binaries.moto,
      args: ['--host', ADDRESSES.moto, '--port', String(PORTS.moto)],
      env: { ...AWS_DUMMY_CREDENTIALS },
      cwd: runDir,
      // moto's own health endpoint (served by every moto server, independent of the service mocked).
      readyUrl: url(ADDRESSES.moto, PORTS.moto, '/moto-api/'),
      listens: { 'X-Ray API (moto)': url('moto', PORTS.moto) },
      configFiles: [],
    });
  }

  specs.push({
    name: 'prometheus',
    command: binaries.prometheus,
    args: nativePrometheusArgs(prometheus, repo, data('prometheus'), `${ADDRESSES.prometheus}:${PORTS.prometheus}`),
    env: {},
    cwd: runDir,
    readyUrl: url(ADDRESSES.prometheus, PORTS.prometheus, '/-/ready'),
    listens: { 'Prometheus API': url('prometheus', PORTS.prometheus) },
    dataDir: data('prometheus'),
    configFiles: [path.join(repo, 'prometheus.yml')],
  });

  specs.push({
    name: 'loki',
    command: paths.node,
    // Loki's door, not Loki (AGPL, not run here): it records what the collector sends to Loki.
    args: [
      ...paths.tsRunner,
      path.join(repo, 'native', 'loki-door', 'main.ts'),
      '--host',
      ADDRESSES.loki,
      '--port',
      String(PORTS.loki),
    ],
    env: {},
    cwd: repo,
    readyUrl: url(ADDRESSES.loki, PORTS.loki, '/ready'),
    listens: { "Loki's door (OTLP logs)": url('loki', PORTS.loki, '/otlp/v1/logs') },
    configFiles: [],
  });

  specs.push({
    name: 'jaeger',
    command: binaries.jaeger,
    args: [`--config=${path.join(repo, 'jaeger.yaml')}`],
    env: { JAEGER_LISTEN_HOST: ADDRESSES.jaeger },
    cwd: runDir,
    readyUrl: url(ADDRESSES.jaeger, PORTS.jaegerHealth, '/status'),
    listens: {
      'Jaeger query API': url('jaeger', PORTS.jaegerUi),
      'Jaeger OTLP gRPC': `jaeger:${PORTS.jaegerOtlpGrpc}`,
      'Jaeger span metrics': url('jaeger', PORTS.jaegerSpanMetrics, '/metrics'),
    },
    configFiles: [path.join(repo, 'jaeger.yaml')],
  });

  specs.push({
    name: 'collector',
    command: binaries.otelcol,
    args: collectorConfigs.map((file) => `--config=${file}`),
    env: {
      OTLP_LISTEN_HOST: ADDRESSES.collector,
      // In the run dir, so it outlives a collector restart within the run (the fault tests do that).
      COLLECTOR_QUEUE_DIR: data('collector-queue'),
      ...(options.aws ? { ...AWS_DUMMY_CREDENTIALS, XRAY_ENDPOINT: url('moto', PORTS.moto) } : {}),
    },
    cwd: runDir,
    readyUrl: url(ADDRESSES.collector, PORTS.collectorHealth, '/'),
    listens: {
      'collector OTLP gRPC': `collector:${PORTS.collectorGrpc}`,
      'collector OTLP HTTP': url('collector', PORTS.collectorHttp),
      'collector health': url('collector', PORTS.collectorHealth),
      'collector own metrics': url('collector', PORTS.collectorMetrics, '/metrics'),
    },
    dataDir: data('collector-queue'),
    configFiles: collectorConfigs,
  });

  if (options.service) {
    specs.push({
      name: 'service',
      command: paths.node,
      args: nodeArgsFromStartScript(paths.serviceStartScript),
      env: {
        HOST: ADDRESSES.service,
        PORT: String(PORTS.service),
        OTEL_EXPORTER_OTLP_ENDPOINT: url('collector', PORTS.collectorHttp),
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      },
      cwd: repo,
      readyUrl: url(ADDRESSES.service, PORTS.service, '/health'),
      listens: { 'service (items-api)': url('service', PORTS.service) },
      configFiles: [path.join(repo, SERVICE_ENTRY)],
    });
  }
  if (options.inventory && options.aws) {
    specs.push({
      name: 'inventory',
      command: paths.node,
      args: nodeArgsFromStartScript(paths.inventoryStartScript),
      env: {
        HOST: ADDRESSES.inventory,
        PORT: String(PORTS.inventory),
        OTEL_EXPORTER_OTLP_ENDPOINT: url('collector', PORTS.collectorHttp),
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
        AWS_ENDPOINT_URL: url('moto', PORTS.moto),
        ...AWS_DUMMY_CREDENTIALS,
      },
      cwd: repo,
      // Ready once every collector has counted every region once: its numbers are in the next export.
      readyUrl: url(ADDRESSES.inventory, PORTS.inventory, '/ready'),
      listens: { 'AWS inventory (health)': url('inventory', PORTS.inventory, '/health') },
      configFiles: [path.join(repo, 'inventory', 'config.yaml')],
    });
  }
  return specs.map((spec) => ({ ...spec, env: { ...(composeEnv[spec.name] ?? {}), ...spec.env } }));
}

/**
 * The host:port pairs a component binds, checked before start: a leftover stack (or another
 * program) there would make readiness checks pass against the wrong process, or the bind fail.
 */
export function boundAddresses(name: ComponentName): [string, number][] {
  const own = (...ports: number[]) => ports.map((port): [string, number] => [ADDRESSES[name], port]);
  switch (name) {
    case 'moto':
      return own(PORTS.moto);
    case 'prometheus':
      return own(PORTS.prometheus);
    case 'loki':
      return own(PORTS.loki);
    case 'jaeger':
      return own(
        PORTS.jaegerUi,
        PORTS.jaegerQueryGrpc,
        PORTS.jaegerOtlpGrpc,
        PORTS.jaegerOtlpHttp,
        PORTS.jaegerHealth,
        PORTS.jaegerMetrics,
        PORTS.jaegerSpanMetrics,
      );
    case 'collector':
      return own(PORTS.collectorGrpc, PORTS.collectorHttp, PORTS.collectorHealth, PORTS.collectorMetrics);
    case 'service':
      return own(PORTS.service);
    case 'inventory':
      return own(PORTS.inventory);
  }
}

/** Every URL a test needs, by component, using IPs (the test process sees the host's /etc/hosts). */
export const baseUrls = nativeUrls;

/**
 * The command that starts one component inside the stack's private mount namespace: /etc/hosts
 * is bind-mounted there only, so compose hostnames resolve for the component and nothing on the
 * machine changes. `exec` keeps the PID the harness tracks equal to the component's.
 */
export function namespacedCommand(
  hostsFile: string,
  command: string,
  args: string[],
): { command: string; args: string[] } {
  return {
    command: 'unshare',
    args: [
      '--mount',
      '--propagation',
      'private',
      'sh',
      '-c',
      'mount --bind "$0" /etc/hosts && exec "$@"',
      hostsFile,
      command,
      ...args,
    ],
  };
}

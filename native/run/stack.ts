// Starts and stops the native stack of real binaries (no Docker): moto, Prometheus, Jaeger, the
// collector, the service and the AWS inventory (against moto, seeded), plus Loki's door (a recorder of what the collector sends to Loki,
// which itself may not run here), each on its own loopback IP inside a private mount namespace
// whose /etc/hosts maps the compose hostnames to those IPs. Used by `npm run stack:native` and by
// the end-to-end tests.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import {
  ADDRESSES,
  COMPONENT_NAMES,
  type ComponentName,
  INVENTORY_ENTRY,
  REPO_ROOT as repoRoot,
  SERVICE_ENTRY,
} from '../../kit/layout.ts';
import { cachedBinary } from '../build/plan-files.ts';
import {
  type ComponentSpec,
  baseUrls,
  boundAddresses,
  chooseCollectorConfigs,
  composeCommand,
  composeEnvironment,
  composeVolumes,
  namespacedCommand,
  nativeEnvironment,
  planComponents,
  referencedEnvVars,
  renderHostsFile,
} from './plan.ts';

export interface StartStackOptions {
  /** Collector with the AWS overlay, pointed at moto with dummy credentials. Default true. */
  aws?: boolean;
  /** 'auto' (default): start the service when its compiled entry (SERVICE_ENTRY) exists. */
  service?: boolean | 'auto';
  /** 'auto' (default): in AWS mode, seed moto and start the AWS inventory when it has been built. */
  inventory?: boolean | 'auto';
  /** Where data dirs, logs and the hosts file go. Default: a fresh temp dir. */
  runDir?: string;
  /** Per component, how long to wait for readiness. Default 120 s. */
  readyTimeoutMs?: number;
  /** Extra environment per component (after everything else), e.g. a shorter export interval in tests. */
  env?: Partial<Record<ComponentName, Record<string, string>>>;
  /** Replace config files (testing the harness before the real files exist); never used by the product. */
  collectorConfigs?: string[];
  log?: (line: string) => void;
}

export interface RunningComponent {
  name: ComponentName;
  pid: number;
  logFile: string;
  readyUrl: string;
  listens: Record<string, string>;
  spec: ComponentSpec;
}

export interface NativeStack {
  runDir: string;
  hostsFile: string;
  aws: boolean;
  /** Base URLs by IP (the calling process does not see the private /etc/hosts). */
  urls: ReturnType<typeof baseUrls>;
  /** Log file per started component. */
  logs: Partial<Record<ComponentName, string>>;
  components: RunningComponent[];
  /** Stops everything this stack started (reverse order, SIGTERM then SIGKILL). Idempotent. */
  stop(): Promise<void>;
  /**
   * Takes one component down (fault tests): SIGTERM with a grace period, or SIGKILL at once.
   * Resolves with its exit (code or signal) once the process group is gone.
   */
  halt(name: ComponentName, how: 'SIGTERM' | 'SIGKILL'): Promise<{ code: number | null; signal: string | null }>;
  /** Starts a halted component again with the same command line and waits until it is ready. */
  resume(name: ComponentName): Promise<void>;
}

const LOG_TAIL_LINES = 40;

export class StackError extends Error {}

function tailFile(file: string, lines = LOG_TAIL_LINES): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log file)';
  }
}

function assertCanNamespace(): void {
  if (process.getuid?.() !== 0) {
    throw new StackError(
      'The native stack needs root: it bind-mounts a private /etc/hosts inside a mount namespace (unshare --mount) so compose hostnames resolve to per-component loopback IPs. Run it as root (CI and the workshop VMs do), or use `npm run stack` with Docker.',
    );
  }
  const probe = spawnSync('unshare', ['--mount', '--propagation', 'private', 'true'], { encoding: 'utf8' });
  if (probe.status !== 0)
    throw new StackError(`unshare --mount does not work here: ${probe.stderr || probe.error?.message}`);
}

function binaries(): Record<'prometheus' | 'jaeger' | 'otelcol' | 'moto', string> {
  const needed = ['prometheus', 'jaeger', 'otelcol', 'moto'] as const;
  const found = Object.fromEntries(needed.map((name) => [name, cachedBinary(name)]));
  const missing = needed.filter((name) => !found[name]);
  if (missing.length > 0)
    throw new StackError(`not built yet: ${missing.join(', ')}. Run \`npm run native:build\` first.`);
  return found as Record<(typeof needed)[number], string>;
}

/** The kit's launcher for TypeScript run by Node's type stripping (scripts/require-node.cjs). */
function tsRunner(): string[] {
  return [path.join(repoRoot, 'scripts', 'require-node.cjs'), 'loki-door'];
}

/**
 * A compose one-shot service's command (`node …`), run to completion with the node running this
 * harness, from the repository root. Bounded: a seed that hangs fails the start-up.
 */
async function runOneShot(
  command: string[],
  env: Record<string, string>,
  log: (line: string) => void,
  timeoutMs = 60_000,
): Promise<void> {
  const [program, ...args] = command;
  if (program !== 'node') throw new Error(`compose one-shot does not run node: ${command.join(' ')}`);
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    const lines = output.split('\n');
    output = lines.pop() ?? '';
    for (const line of lines) if (line) log(line);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearTimeout(timer);
  if (output) log(output);
  if (code !== 0) throw new Error(`${command.join(' ')} exited with ${code ?? 'a signal (timed out?)'}`);
}

function readCompose(): unknown {
  const file = path.join(repoRoot, 'compose.yaml');
  return existsSync(file) ? parseYaml(readFileSync(file, 'utf8')) : undefined;
}

async function portAnswers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function assertPortsFree(names: ComponentName[]): Promise<void> {
  const busy: string[] = [];
  for (const name of names) {
    for (const [host, port] of boundAddresses(name)) {
      if (await portAnswers(host, port)) busy.push(`${name} ${host}:${port}`);
    }
  }
  if (busy.length > 0)
    throw new StackError(`already in use (a previous stack or another program still running?): ${busy.join(', ')}`);
}

async function waitReady(component: RunningComponent, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastAnswer = 'no answer yet';
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new StackError(
        `${component.name} exited (${child.exitCode ?? child.signalCode}) before becoming ready.\n--- last ${LOG_TAIL_LINES} lines of ${component.logFile} ---\n${tailFile(component.logFile)}`,
      );
    }
    try {
      const response = await fetch(component.readyUrl, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
      lastAnswer = `${response.status} ${(await response.text()).slice(0, 200).trim()}`;
    } catch (error) {
      lastAnswer = (error as Error).message;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new StackError(
    `${component.name} not ready after ${timeoutMs / 1000} s at ${component.readyUrl} (last answer: ${lastAnswer}).\n--- last ${LOG_TAIL_LINES} lines of ${component.logFile} ---\n${tailFile(component.logFile)}`,
  );
}

// Process groups of every stack in this process, so an abrupt exit still takes them down.
const liveGroups = new Set<number>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pid of liveGroups) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}

async function stopComponent(component: RunningComponent, child: ChildProcess, graceMs: number): Promise<void> {
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  const waitExit = (ms: number) =>
    exited()
      ? Promise.resolve(true)
      : new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => resolve(false), ms);
          child.once('exit', () => {
            clearTimeout(timer);
            resolve(true);
          });
        });
  try {
    process.kill(-component.pid, 'SIGTERM');
  } catch {
    // group already gone
  }
  if (!(await waitExit(graceMs))) {
    try {
      process.kill(-component.pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
    await waitExit(5_000);
  }
  liveGroups.delete(component.pid);
}

function warnAboutUnsetVariables(spec: ComponentSpec, log: (line: string) => void): void {
  for (const file of spec.configFiles.filter((f) => /\.ya?ml$/.test(f))) {
    const text = readFileSync(file, 'utf8');
    for (const variable of referencedEnvVars(text)) {
      const setHere = spec.env[variable.name] !== undefined || process.env[variable.name] !== undefined;
      if (!setHere && !variable.hasDefault)
        log(`warning: ${path.relative(repoRoot, file)} uses \${${variable.name}} without a default and it is not set`);
    }
  }
}

export async function startStack(options: StartStackOptions = {}): Promise<NativeStack> {
  const log = options.log ?? ((line: string) => console.log(line));
  const aws = options.aws ?? true;
  assertCanNamespace();
  const serviceEntry = path.join(repoRoot, SERVICE_ENTRY);
  const withService =
    options.service === 'auto' || options.service === undefined ? existsSync(serviceEntry) : options.service;
  if (options.service === 'auto' || options.service === undefined) {
    if (!withService) log(`${SERVICE_ENTRY} not found (run \`npm run build\`): starting without the service`);
  }

  const inventoryEntry = path.join(repoRoot, INVENTORY_ENTRY);
  const withInventory =
    aws &&
    (options.inventory === 'auto' || options.inventory === undefined ? existsSync(inventoryEntry) : options.inventory);
  if (aws && (options.inventory === 'auto' || options.inventory === undefined) && !withInventory)
    log(`${INVENTORY_ENTRY} not found (run \`npm run build\`): starting without the AWS inventory`);

  // Before creating anything: a stack already running here is the commonest reason to fail.
  await assertPortsFree(
    COMPONENT_NAMES.filter(
      (n) => (n !== 'moto' || aws) && (n !== 'service' || withService) && (n !== 'inventory' || withInventory),
    ),
  );

  const runDir = options.runDir ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'otel-kit-run-')));
  await fs.mkdir(path.join(runDir, 'logs'), { recursive: true });
  const hostsFile = path.join(runDir, 'hosts');
  await fs.writeFile(hostsFile, renderHostsFile(readFileSync('/etc/hosts', 'utf8')));

  let collectorConfigs = options.collectorConfigs;
  if (!collectorConfigs) {
    const collectorDir = path.join(repoRoot, 'collector');
    const chosen = chooseCollectorConfigs(existsSync(collectorDir) ? readdirSync(collectorDir) : [], aws);
    collectorConfigs = [chosen.base, ...(chosen.overlay ? [chosen.overlay] : [])].map((f) =>
      path.join(collectorDir, f),
    );
  }

  const compose = readCompose();
  const composeEnv: Partial<Record<ComponentName, Record<string, string>>> = {};
  for (const name of ['service', 'collector', 'prometheus', 'jaeger'] as const) {
    composeEnv[name] = nativeEnvironment(
      composeEnvironment(compose, name, process.env),
      composeVolumes(compose, name, process.env),
      repoRoot,
    );
  }

  const packageScripts = (
    JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
      scripts: { start: string; 'start:inventory': string };
    }
  ).scripts;
  const specs = planComponents(
    {
      repo: repoRoot,
      runDir,
      binaries: binaries(),
      tsRunner: tsRunner(),
      node: process.execPath,
      serviceStartScript: packageScripts.start,
      inventoryStartScript: packageScripts['start:inventory'],
    },
    { aws, service: withService, inventory: withInventory },
    collectorConfigs,
    composeCommand(compose, 'prometheus', process.env),
    composeEnv,
  ).map((spec) => ({ ...spec, env: { ...spec.env, ...(options.env?.[spec.name] ?? {}) } }));

  for (const spec of specs) {
    for (const file of spec.configFiles)
      if (!existsSync(file)) throw new StackError(`${spec.name}: config file missing: ${file}`);
    warnAboutUnsetVariables(spec, log);
  }
  installExitHook();

  const started: { component: RunningComponent; child: ChildProcess }[] = [];
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    // Reverse order: the service flushes into the collector, the collector into the backends.
    for (const { component, child } of [...started].reverse()) {
      await stopComponent(
        component,
        child,
        component.name === 'service' || component.name === 'collector' || component.name === 'inventory'
          ? 15_000
          : 10_000,
      );
    }
  };

  const launch = async (spec: ComponentSpec) => {
    if (spec.dataDir) await fs.mkdir(spec.dataDir, { recursive: true });
    const logFile = path.join(runDir, 'logs', `${spec.name}.log`);
    const out = await fs.open(logFile, 'a');
    const { command, args } = namespacedCommand(hostsFile, spec.command, spec.args);
    // detached: the component leads its own process group, so stop() reaches any children too.
    const child = spawn(command, args, {
      cwd: spec.cwd,
      env: { ...process.env, ...spec.env },
      stdio: ['ignore', out.fd, out.fd],
      detached: true,
    });
    await out.close();
    if (child.pid === undefined) throw new StackError(`${spec.name}: could not start ${spec.command}`);
    liveGroups.add(child.pid);
    const component: RunningComponent = {
      name: spec.name,
      pid: child.pid,
      logFile,
      readyUrl: spec.readyUrl,
      listens: spec.listens,
      spec,
    };
    started.push({ component, child });
    log(`started ${spec.name} (pid ${child.pid}, log ${logFile})`);
    return { component, child };
  };
  const timeout = options.readyTimeoutMs ?? 120_000;

  try {
    // Backends first, together (they do not need each other to start), then the collector, then the service.
    const backends = specs.filter((s) => s.name !== 'collector' && s.name !== 'service' && s.name !== 'inventory');
    const launched = await Promise.all(backends.map(launch));
    await Promise.all(
      launched.map(({ component, child }) =>
        waitReady(component, child, timeout).then(() => log(`ready   ${component.name}`)),
      ),
    );
    if (withInventory) {
      // compose's inventory-seed step, as compose runs it (its command and environment), against
      // this run's moto: the known resource set the inventory must count.
      await runOneShot(
        composeCommand(compose, 'inventory-seed', process.env).command,
        { ...composeEnvironment(compose, 'inventory-seed', process.env), AWS_ENDPOINT_URL: baseUrls().moto },
        (line) => log(`seed    ${line}`),
      );
    }
    for (const name of ['collector', 'service', 'inventory'] as const) {
      const spec = specs.find((s) => s.name === name);
      if (!spec) continue;
      const { component, child } = await launch(spec);
      await waitReady(component, child, timeout);
      log(`ready   ${component.name}`);
    }
  } catch (error) {
    await stop();
    throw error;
  }

  const halt: NativeStack['halt'] = async (name, how) => {
    const index = started.findIndex(({ component }) => component.name === name);
    if (index < 0) throw new StackError(`${name} is not running`);
    const [{ component, child }] = started.splice(index, 1) as [(typeof started)[number]];
    if (how === 'SIGKILL') {
      try {
        process.kill(-component.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await stopComponent(component, child, 15_000);
    return { code: child.exitCode, signal: child.signalCode };
  };

  const resume: NativeStack['resume'] = async (name) => {
    if (started.some(({ component }) => component.name === name)) throw new StackError(`${name} is already running`);
    const spec = specs.find((s) => s.name === name);
    if (!spec) throw new StackError(`${name} is not part of this stack`);
    const { component, child } = await launch(spec);
    await waitReady(component, child, timeout);
    log(`ready   ${component.name} (resumed)`);
  };

  return {
    runDir,
    hostsFile,
    aws,
    urls: baseUrls(),
    logs: Object.fromEntries(started.map(({ component }) => [component.name, component.logFile])),
    components: started.map(({ component }) => component),
    stop,
    halt,
    resume,
  };
}

export function describeStack(stack: NativeStack): string {
  const rows: string[] = [];
  for (const component of stack.components) {
    for (const [what, where] of Object.entries(component.listens)) {
      // The calling shell sees the machine's /etc/hosts, so show the IP form first.
      const byIp = where.replace(component.name, ADDRESSES[component.name]);
      rows.push(`  ${what.padEnd(24)} ${byIp.padEnd(34)} ${where.padEnd(32)} pid ${component.pid}`);
    }
  }
  return [
    `native stack running (AWS mode ${stack.aws ? 'on: X-Ray -> moto' : 'off'}); run dir ${stack.runDir}`,
    `  ${'what'.padEnd(24)} ${'from this shell'.padEnd(34)} ${'inside the stack'.padEnd(32)}`,
    ...rows,
    `  logs: ${path.join(stack.runDir, 'logs')}/<component>.log`,
  ].join('\n');
}

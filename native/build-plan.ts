// Pure part of the native build: which binaries exist, where they are cached, and the exact
// commands and environment that build them. No I/O here, so the unit tests can pin it down.
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';

export interface CompanionModule {
  module: string;
  version: string;
  /** Directory inside the copied main module where the companion's files go. */
  into: string;
}

export interface GoModuleVersion {
  module: string;
  version: string;
  image: string;
  imageTag: string;
  companionModules?: CompanionModule[];
}

export interface Versions {
  go: { minimum: string };
  k6: GoModuleVersion;
  collector: {
    contrib: string;
    core: string;
    coreStable: string;
    builder: string;
    manifest: string;
    image: string;
    imageTag: string;
  };
  prometheus: GoModuleVersion;
  loki: GoModuleVersion;
  tempo: GoModuleVersion;
  moto: { pypi: string; version: string };
}

/** Built from an upstream module copied to a writable directory (replace directives need that). */
export interface GoModuleStep {
  kind: 'go-module';
  module: string;
  moduleVersion: string;
  /** Package to build, relative to the module root. */
  pkg: string;
  companionModules: CompanionModule[];
}

export interface CollectorBuilderStep {
  kind: 'collector-builder';
  builderVersion: string;
  manifestText: string;
}

export interface PythonVenvStep {
  kind: 'python-venv';
  requirement: string;
  /** Console script inside the venv's bin/ that the harness runs. */
  script: string;
}

export type BuildStep = GoModuleStep | CollectorBuilderStep | PythonVenvStep;

export interface Artifact {
  name: string;
  /** Cache key: changes whenever what gets built changes. */
  version: string;
  dir: string;
  executable: string;
  step: BuildStep;
}

export function cacheRoot(env: NodeJS.ProcessEnv = process.env, home: string = os.homedir()): string {
  const fromEnv = env.OTEL_KIT_CACHE?.trim();
  return fromEnv ? path.resolve(fromEnv) : path.join(home, '.cache', 'otel-kit');
}

export function artifactDir(cache: string, name: string, version: string): string {
  // A version string with a slash would escape the bin/ directory.
  if (/[/\\]/.test(name) || /[/\\]/.test(version)) throw new Error(`bad cache key ${name}-${version}`);
  return path.join(cache, 'bin', `${name}-${version}`);
}

export function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 10);
}

/** The collector's cache key includes the manifest, so adding a component rebuilds it. */
export function collectorCacheVersion(contrib: string, manifestText: string): string {
  return `${contrib}-${shortHash(manifestText)}`;
}

/** Every version `gomod:` line of the manifest, to check it against versions.json. */
export function manifestModuleVersions(manifestText: string): { module: string; version: string }[] {
  const found: { module: string; version: string }[] = [];
  for (const match of manifestText.matchAll(/^\s*-\s*gomod:\s*(\S+)\s+(\S+)\s*$/gm)) {
    found.push({ module: match[1]!, version: match[2]! });
  }
  return found;
}

export function planArtifacts(versions: Versions, manifestText: string, cache: string): Artifact[] {
  const goModule = (name: string, v: GoModuleVersion, pkg: string): Artifact => {
    const dir = artifactDir(cache, name, v.version);
    return {
      name,
      version: v.version,
      dir,
      executable: path.join(dir, name),
      step: { kind: 'go-module', module: v.module, moduleVersion: v.version, pkg, companionModules: v.companionModules ?? [] },
    };
  };
  const collectorVersion = collectorCacheVersion(versions.collector.contrib, manifestText);
  const collectorDir = artifactDir(cache, 'otelcol', collectorVersion);
  const motoDir = artifactDir(cache, 'moto', versions.moto.version);
  return [
    goModule('k6', versions.k6, '.'),
    goModule('prometheus', versions.prometheus, './cmd/prometheus'),
    goModule('promtool', versions.prometheus, './cmd/promtool'),
    goModule('loki', versions.loki, './cmd/loki'),
    goModule('tempo', versions.tempo, './cmd/tempo'),
    {
      name: 'otelcol',
      version: collectorVersion,
      dir: collectorDir,
      executable: path.join(collectorDir, 'otelcol'),
      step: { kind: 'collector-builder', builderVersion: versions.collector.builder, manifestText },
    },
    {
      name: 'moto',
      version: versions.moto.version,
      dir: motoDir,
      executable: path.join(motoDir, 'venv', 'bin', 'moto_server'),
      step: { kind: 'python-venv', requirement: `${versions.moto.pypi}==${versions.moto.version}`, script: 'moto_server' },
    },
  ];
}

/**
 * Environment for every go command. Module and build caches are shared between all builds
 * (kept under the kit's cache unless GOMODCACHE/GOCACHE are set, so CI can cache one directory).
 *
 * GONOSUMDB: sum.golang.org (through the proxy) answers 404 for the Tempo pseudo-version, for
 * the opentelemetry-collector-contrib modules and for go.opentelemetry.io/collector (the builder
 * and core modules at v0.131.0), which would fail the build with "verifying module: ... 404".
 * Skipping the checksum database for exactly these module path prefixes keeps verification for
 * everything else; go.sum files inside the downloaded modules still pin their dependencies.
 * GOWORK=off: Prometheus ships a go.work naming nested modules that its module zip leaves out.
 * GOFLAGS=-buildvcs=false: the copied source is not a git checkout.
 */
export function goEnv(cache: string, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const noSumDb = [
    'github.com/grafana/tempo',
    'github.com/open-telemetry/opentelemetry-collector-contrib',
    'go.opentelemetry.io/collector',
    // The X-Ray SDK versions contrib v0.131.0 requires (e.g. service/xray v1.31.8).
    'github.com/aws/aws-sdk-go-v2',
    'github.com/aws/smithy-go',
  ];
  const existing = base.GONOSUMDB ? base.GONOSUMDB.split(',') : [];
  return {
    ...base,
    GOMODCACHE: base.GOMODCACHE ?? path.join(cache, 'go', 'mod'),
    GOCACHE: base.GOCACHE ?? path.join(cache, 'go', 'build'),
    GOPROXY: base.GOPROXY ?? 'https://proxy.golang.org,direct',
    GONOSUMDB: [...new Set([...existing, ...noSumDb])].join(','),
    GOWORK: 'off',
    GOFLAGS: '-buildvcs=false',
    CGO_ENABLED: '0',
  };
}

/** -trimpath and -s -w: smaller binaries and a noticeably shorter link on 2 cores. */
export function goBuildArgs(pkg: string, output: string): string[] {
  return ['build', '-trimpath', '-ldflags', '-s -w', '-o', output, pkg];
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

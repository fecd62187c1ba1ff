import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type Versions,
  artifactDir,
  cacheRoot,
  collectorCacheVersion,
  goBuildArgs,
  goEnv,
  manifestModuleVersions,
  manifestWithOutputPath,
  planArtifacts,
} from './build-plan.ts';
import { type BuildResult, summarize } from './build.ts';

const nativeDir = __dirname;
const versions = JSON.parse(readFileSync(path.join(nativeDir, 'versions.json'), 'utf8')) as Versions;
const manifest = readFileSync(path.join(nativeDir, 'otelcol-builder.yaml'), 'utf8');

describe('cache location', () => {
  it('uses OTEL_KIT_CACHE when set, else ~/.cache/otel-kit', () => {
    expect(cacheRoot({ OTEL_KIT_CACHE: '/ci/cache' }, '/home/u')).toBe('/ci/cache');
    expect(cacheRoot({ OTEL_KIT_CACHE: '  ' }, '/home/u')).toBe('/home/u/.cache/otel-kit');
    expect(cacheRoot({}, '/home/u')).toBe('/home/u/.cache/otel-kit');
  });

  it('keys each binary by name and version under bin/', () => {
    expect(artifactDir('/c', 'loki', 'v3.7.8')).toBe('/c/bin/loki-v3.7.8');
    expect(() => artifactDir('/c', 'loki', '../../etc')).toThrow(/bad cache key/);
  });

  it('rebuilds the collector when its manifest changes, not otherwise', () => {
    const a = collectorCacheVersion('v0.131.0', manifest);
    expect(a).toMatch(/^v0\.131\.0-[0-9a-f]{10}$/);
    expect(collectorCacheVersion('v0.131.0', manifest)).toBe(a);
    expect(collectorCacheVersion('v0.131.0', `${manifest}\n# another component`)).not.toBe(a);
  });
});

describe('the plan', () => {
  const plan = planArtifacts(versions, manifest, '/c');

  it('builds every binary the harness and the load test run, each in its own versioned dir', () => {
    expect(plan.map((a) => a.name)).toEqual(['k6', 'prometheus', 'promtool', 'loki', 'tempo', 'otelcol', 'moto']);
    for (const artifact of plan) {
      expect(artifact.dir).toBe(`/c/bin/${artifact.name}-${artifact.version}`);
      expect(artifact.executable.startsWith(`${artifact.dir}/`)).toBe(true);
    }
  });

  it('builds Loki, Tempo and Prometheus from the pinned module versions', () => {
    const byName = Object.fromEntries(plan.map((a) => [a.name, a.step]));
    expect(byName.loki).toMatchObject({ kind: 'go-module', module: 'github.com/grafana/loki/v3', moduleVersion: versions.loki.version, pkg: './cmd/loki' });
    expect(byName.tempo).toMatchObject({ kind: 'go-module', moduleVersion: versions.tempo.version, pkg: './cmd/tempo' });
    expect(byName.promtool).toMatchObject({ kind: 'go-module', moduleVersion: versions.prometheus.version, pkg: './cmd/promtool' });
    expect(byName.moto).toMatchObject({ kind: 'python-venv', requirement: `moto[server]==${versions.moto.version}` });
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
    for (const needed of ['otlpreceiver', 'memorylimiterprocessor', 'batchprocessor', 'resourcedetectionprocessor', 'prometheusremotewriteexporter', 'otlphttpexporter', 'otlpexporter', 'awsxrayexporter', 'debugexporter', 'healthcheckextension', 'awsproxy']) {
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
    expect(goBuildArgs('./cmd/loki', '/o/loki')).toEqual(['build', '-trimpath', '-ldflags', '-s -w', '-o', '/o/loki', './cmd/loki']);
  });

  it('share module and build caches under the kit cache and skip the checksum DB only for the module paths it 404s on', () => {
    const env = goEnv('/c', { GONOSUMDB: 'example.com/private', PATH: '/bin' });
    expect(env.GOMODCACHE).toBe('/c/go/mod');
    expect(env.GOCACHE).toBe('/c/go/build');
    expect(env.GONOSUMDB?.split(',').sort()).toEqual([
      'example.com/private',
      'github.com/aws/aws-sdk-go-v2',
      'github.com/aws/smithy-go',
      'github.com/grafana/tempo',
      'github.com/open-telemetry/opentelemetry-collector-contrib',
      'go.opentelemetry.io/collector',
    ]);
    expect(env.GOWORK).toBe('off');
    expect(env.PATH).toBe('/bin');
    expect(goEnv('/c', { GOMODCACHE: '/m' }).GOMODCACHE).toBe('/m');
  });
});

describe('build summary', () => {
  const cached = (name: string): BuildResult => ({ name, version: 'v1', outcome: 'cached', ms: 0 });
  it('says when nothing was built', () => {
    expect(summarize([cached('k6'), cached('loki')], 120)).toBe('nothing to build: all 2 binaries are cached (0.1 s)');
  });
  it('names builds with their time, and failures first', () => {
    expect(summarize([cached('k6'), { name: 'loki', version: 'v3', outcome: 'built', ms: 90_000 }], 91_000)).toBe('built loki 90.0 s; reused 1; total 91.0 s');
    expect(summarize([{ name: 'tempo', version: 'x', outcome: 'failed', ms: 1 }], 5)).toMatch(/^1 build\(s\) failed: tempo/);
  });
});

describe('reuse', () => {
  it('counts a Go binary once it exists, and a venv only once marked installed', async () => {
    const { mkdtempSync, mkdirSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { isCached } = await import('./build.ts');
    const cache = mkdtempSync(path.join(tmpdir(), 'otel-kit-test-'));
    const plan = planArtifacts(versions, manifest, cache);
    const loki = plan.find((a) => a.name === 'loki')!;
    const moto = plan.find((a) => a.name === 'moto')!;
    expect(isCached(loki)).toBe(false);
    mkdirSync(loki.dir, { recursive: true });
    writeFileSync(`${loki.executable}.partial`, '');
    expect(isCached(loki)).toBe(false);
    writeFileSync(loki.executable, '');
    expect(isCached(loki)).toBe(true);
    mkdirSync(path.dirname(moto.executable), { recursive: true });
    writeFileSync(moto.executable, '');
    expect(isCached(moto)).toBe(false);
    writeFileSync(path.join(moto.dir, 'installed'), '');
    expect(isCached(moto)).toBe(true);
  });
});

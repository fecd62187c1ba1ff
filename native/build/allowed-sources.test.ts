// The rule behind the native build: no not-to-use module (k6, Loki, Tempo and Grafana from the Go
// module proxy are AGPL) in any build step, versions file, lock or script, and no pseudo-version
// standing in for a release the proxy refused. CI fails here before it could fetch one.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../kit/layout.ts';
import { loadPlan, loadVersions } from './plan-files.ts';

const versions = loadVersions();
/** Module path prefixes that may never be fetched, built or named by a build input. */
const NOT_TO_USE = versions.notToUse.modules.map((m) => m.replace(/\/v\d+$/, ''));
const PSEUDO_VERSION = /v\d+\.\d+\.\d+-(?:\d+\.)?(?:0\.)?\d{14}-[0-9a-f]{12}/;

/** Every file that decides what CI downloads or runs. Tests and docs are left out: they name the modules to forbid them or to explain why. */
function buildInputs(): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const name of readdirSync(dir)) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (!/\.test\.ts$|\.md$/.test(name)) files.push(full);
    }
  };
  for (const dir of ['native', 'scripts', '.ci', '.github', 'e2e']) walk(path.join(REPO_ROOT, dir));
  for (const file of ['package.json', 'package-lock.json', 'compose.yaml', 'compose.aws.yaml'])
    files.push(path.join(REPO_ROOT, file));
  return files.filter((f) => !f.includes(`${path.sep}proto${path.sep}`));
}

/** versions.json names the forbidden modules once, in notToUse; everything else in it must not. */
function withoutNotToUseList(file: string, text: string): string {
  if (!file.endsWith(path.join('native', 'build', 'versions.json'))) return text;
  const json = JSON.parse(text) as Record<string, unknown>;
  delete json.notToUse;
  return JSON.stringify(json);
}

const mentions = (text: string, module: string) =>
  new RegExp(`(^|[^\\w.-])${module.replace(/[.]/g, '\\.')}(/|@|\\s|"|$)`, 'm').test(text);

describe('no not-to-use module anywhere the build looks', () => {
  const inputs = buildInputs();

  it('finds the build inputs (the scan itself works)', () => {
    const rel = inputs.map((f) => path.relative(REPO_ROOT, f));
    for (const expected of [
      'native/build/versions.json',
      'native/build/otelcol-builder.yaml',
      'native/build/jaeger/go.mod',
      'native/build/jaeger/go.sum',
      'native/build/python/k6.txt',
      'native/build/builder.ts',
      '.ci/run',
      'package.json',
    ]) {
      expect(rel).toContain(expected);
    }
  });

  it.each(NOT_TO_USE)('%s is named by no build step, versions file, lock or script', (module) => {
    const hits = inputs
      .filter((file) => mentions(withoutNotToUseList(file, readFileSync(file, 'utf8')), module))
      .map((f) => path.relative(REPO_ROOT, f));
    expect(hits).toEqual([]);
  });

  it('the check catches a module named in a go.mod or a script', () => {
    expect(mentions('require go.k6.io/k6 v1.8.1', 'go.k6.io/k6')).toBe(true);
    expect(mentions('go install github.com/grafana/loki/v3/cmd/loki@v3.7.8', 'github.com/grafana/loki')).toBe(true);
    expect(mentions('github.com/grafana/regexp v0.0.0', 'github.com/grafana/loki')).toBe(false);
  });

  it('every module the plan builds or downloads is allowed', () => {
    for (const artifact of loadPlan('/nonexistent-cache')) {
      const step = artifact.step;
      const module = step.kind === 'go-module' ? step.module : step.kind === 'go-tool' ? step.pkg : '';
      expect(
        NOT_TO_USE.some((m) => module.startsWith(m)),
        `${artifact.name}: ${module}`,
      ).toBe(false);
    }
  });
});

describe('no pseudo-version in place of a release', () => {
  it('versions.json and the builder manifest pin tagged releases only', () => {
    for (const file of ['native/build/versions.json', versions.collector.manifest]) {
      const text = readFileSync(path.join(REPO_ROOT, file), 'utf8');
      expect(PSEUDO_VERSION.exec(text)?.[0], file).toBeUndefined();
    }
  });

  it('the Jaeger tool module requires Jaeger at its release tag', () => {
    const goMod = readFileSync(path.join(REPO_ROOT, versions.jaeger.toolModule, 'go.mod'), 'utf8');
    expect(goMod).toMatch(
      new RegExp(
        `^\\s*${versions.jaeger.module.replace(/\./g, '\\.')} ${versions.jaeger.version.replace(/\./g, '\\.')}\\b`,
        'm',
      ),
    );
    expect(goMod).toMatch(new RegExp(`^tool ${versions.jaeger.module.replace(/\./g, '\\.')}/cmd/jaeger$`, 'm'));
  });

  it('the pattern recognises the Go proxy pseudo-version forms', () => {
    expect(PSEUDO_VERSION.test('v1.5.1-0.20250529124718-87c2dc380cec')).toBe(true);
    expect(PSEUDO_VERSION.test('v0.0.0-20250630054201-94c0ba7b0952')).toBe(true);
    expect(PSEUDO_VERSION.test('v1.76.0')).toBe(false);
  });
});

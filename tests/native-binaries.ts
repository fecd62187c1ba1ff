// Where the real binaries built by `npm run native:build` live, so config tests can run the very
// programs the stack runs. Nothing is built here: a missing binary is reported, not fetched.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { type BinaryName, cachedBinary } from '../native/build/plan-files.ts';

import { repoPath } from './stack-files.ts';

export { type BinaryName, cachedBinary };

/** The first executable called `command` on PATH. */
export function onPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, command);
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

export interface RunResult {
  status: number | null;
  output: string;
}

/** Runs a binary to completion (bounded), returning its exit status and combined output. */
export function run(
  executable: string,
  args: string[],
  env: Record<string, string> = {},
  timeoutMs = 30_000,
): RunResult {
  const result = spawnSync(executable, args, {
    cwd: repoPath('.'),
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: timeoutMs,
  });
  return {
    status: result.status,
    output: `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}`,
  };
}

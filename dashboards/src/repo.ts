import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The repository root, found by walking up from the working directory to this project's
 * package.json. Works the same under tsx (CommonJS) and vitest (ESM), where __dirname and
 * import.meta are not both available.
 */
export function repoRoot(start = process.cwd()): string {
  let dir = start;
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'otel-workshop-kit') return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`not inside the otel-workshop-kit repository: ${start}`);
    dir = parent;
  }
}

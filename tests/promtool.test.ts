// `promtool check config prometheus.yml`, with the promtool of the pinned Prometheus when the
// native build has made one (CI builds it before the tests), else any promtool on PATH (Debian's
// `prometheus` package ships one). Skipped, saying why, only when neither exists.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cachedBinary, onPath, run } from './native-binaries.ts';
import { repoPath } from './stack-files.ts';

const promtool = cachedBinary('promtool') ?? onPath('promtool');
const scratch = mkdtempSync(path.join(os.tmpdir(), 'promtool-check-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe.skipIf(!promtool)(
  `promtool check config (${promtool ?? "no promtool: run `npm run native:build` or install Debian's prometheus package"})`,
  () => {
    it('accepts prometheus.yml', () => {
      const result = run(promtool!, ['check', 'config', repoPath('prometheus.yml')]);
      expect(result.output).toMatch(/SUCCESS/);
      expect(result.status, result.output).toBe(0);
    });

    it('rejects a broken copy of it (the check really reads the file)', () => {
      const broken = path.join(scratch, 'prometheus.yml');
      copyFileSync(repoPath('prometheus.yml'), broken);
      // A scrape timeout longer than the interval is invalid Prometheus configuration.
      writeFileSync(broken, readFileSync(broken, 'utf8').replace(/scrape_timeout: \S+/, 'scrape_timeout: 1m'));
      const result = run(promtool!, ['check', 'config', broken]);
      expect(result.status, result.output).not.toBe(0);
    });
  },
);

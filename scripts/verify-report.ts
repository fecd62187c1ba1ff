/**
 * `npm run verify`, the pure part: the checklist as a terminal shows it, the --json document, and
 * the exit code. No I/O, so all of it is unit-tested; scripts/verify.ts runs the checks
 * (kit/checks/stack-checks.ts) and prints what this returns.
 */
import type { CheckResult, VerifyReport } from '../kit/checks/stack-checks.ts';

export interface VerifyRun {
  /** "compose" or "native", and AWS mode. */
  stack: string;
  aws: boolean;
  startedAt: string;
  ms: number;
  urls: Record<string, string>;
  report: VerifyReport;
}

/** The --json document. */
export interface VerifyJson {
  ok: boolean;
  stack: string;
  aws: boolean;
  startedAt: string;
  ms: number;
  urls: Record<string, string>;
  notes: string[];
  checks: CheckResult[];
}

/** 0 only when every check passed (and there was at least one); 1 otherwise. */
export function exitCode(report: VerifyReport): number {
  return report.reachable && report.checks.length > 0 && report.checks.every((c) => c.ok) ? 0 : 1;
}

export function toJson(run: VerifyRun): VerifyJson {
  return {
    ok: exitCode(run.report) === 0,
    stack: run.stack,
    aws: run.aws,
    startedAt: run.startedAt,
    ms: run.ms,
    urls: run.urls,
    notes: nothingAnswersNotes(run).concat(run.report.notes),
    checks: run.report.checks.map(({ name, ok, ms, detail, fix }) => ({ name, ok, ms, detail, fix })),
  };
}

/** What to do when nothing of the stack answers: how to start it. */
function nothingAnswersNotes(run: VerifyRun): string[] {
  if (run.report.reachable) return [];
  const start =
    run.stack === 'native'
      ? 'start the native stack with `npm run stack` (or `npm run stack:native`) and verify again'
      : 'start it with `docker compose up -d` (README.md, Quick start) and verify again; for the native stack pass --native';
  return [
    `nothing of the stack answers at ${run.urls.service}, ${run.urls.prometheus}, ${run.urls.jaeger}, …: ${start}`,
  ];
}

export interface Style {
  color: boolean;
}
const paint = (style: Style, code: number, text: string) => (style.color ? `\x1b[${code}m${text}\x1b[0m` : text);

export function formatMs(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** The checklist: ✓ or ✗ per check with its time, and under each ✗ what was found and the fix. */
export function renderChecklist(run: VerifyRun, style: Style): string {
  const lines = [
    paint(
      style,
      1,
      `npm run verify: the ${run.stack} stack${run.aws ? ' (AWS mode)' : ''}, ${run.startedAt.replace('T', ' ').slice(0, 19)} UTC`,
    ),
    '',
  ];
  for (const c of run.report.checks) {
    const mark = c.ok ? paint(style, 32, '✓') : paint(style, 31, '✗');
    lines.push(`${mark} ${c.name}  ${paint(style, 2, formatMs(c.ms))}`);
    if (c.ok) {
      lines.push(`    ${paint(style, 2, c.detail)}`);
    } else {
      lines.push(`    found: ${c.detail}`);
      if (c.fix) lines.push(`    fix:   ${c.fix}`);
    }
  }
  const notes = nothingAnswersNotes(run).concat(run.report.notes);
  if (notes.length > 0) lines.push('', ...notes.map((n) => `note: ${n}`));
  const failed = run.report.checks.filter((c) => !c.ok);
  lines.push(
    '',
    failed.length === 0 && run.report.reachable
      ? paint(style, 32, `all ${run.report.checks.length} checks passed in ${formatMs(run.ms)}`)
      : paint(
          style,
          31,
          `${failed.length} of ${run.report.checks.length} checks failed in ${formatMs(run.ms)}: ${failed.map((c) => c.name).join('; ')}`,
        ),
  );
  return lines.join('\n');
}

// Every shell script in the repository passes shellcheck (Debian's package; .ci/run installs it),
// and .ci/run's phase bookkeeping reports a failing command instead of exiting silently.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { onPath } from './native-binaries.ts';
import { repoPath } from './stack-files.ts';

const shellcheck = onPath('shellcheck');
const scratch = mkdtempSync(path.join(os.tmpdir(), 'shell-scripts-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Tracked files that are shell: a .sh name, a sh/bash shebang or a shellcheck shell directive. */
function shellScripts(): string[] {
  const listed = spawnSync('git', ['ls-files', '-z'], { cwd: repoPath('.'), encoding: 'utf8' });
  if (listed.status !== 0) throw new Error(`git ls-files failed: ${listed.stderr}`);
  return listed.stdout
    .split('\0')
    .filter(Boolean)
    .filter((file) => {
      if (file.endsWith('.sh')) return true;
      if (/\.(ts|mts|cjs|mjs|js|json|ya?ml|md)$/.test(file)) return false;
      const head = readFileSync(repoPath(file), 'utf8').slice(0, 200);
      return /^#!.*\b(ba)?sh\b/.test(head) || /^# shellcheck shell=/m.test(head);
    });
}

function runShellcheck(files: string[], cwd = repoPath('.')) {
  return spawnSync(shellcheck!, ['--external-sources', ...files], { cwd, encoding: 'utf8', timeout: 30_000 });
}

// Missing shellcheck fails CI (it must run there) and is skipped, saying why, on a laptop.
const reason = 'no shellcheck on PATH: apt-get install shellcheck';
describe.skipIf(!shellcheck && !process.env.CI)(`shellcheck (${shellcheck ?? reason})`, () => {
  it('is installed where CI runs', () => {
    expect(shellcheck, reason).toBeDefined();
  });

  it('passes every shell script in the repository', () => {
    const scripts = shellScripts();
    expect(scripts).toEqual(expect.arrayContaining(['.ci/run', '.ci/phases.sh']));
    const result = runShellcheck(scripts);
    expect(result.stdout + result.stderr, scripts.join(', ')).toBe('');
    expect(result.status).toBe(0);
  });

  it('passes each script checked on its own at warning level, as a reader would run it', () => {
    // Checked together, a sourced file's `set -e` hides warnings a script has on its own (SC2164).
    for (const script of shellScripts()) {
      const result = spawnSync(shellcheck!, ['-S', 'warning', script], {
        cwd: repoPath('.'),
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(result.stdout + result.stderr, script).toBe('');
    }
  });

  it('fails a script with an unquoted expansion (the check can fail)', () => {
    const bad = path.join(scratch, 'bad.sh');
    writeFileSync(bad, '#!/usr/bin/env bash\nrm -rf $1/tmp\n');
    const result = runShellcheck([bad], scratch);
    expect(result.status).not.toBe(0);
    expect(result.stdout).toMatch(/SC2086/);
  });
});

/** A script that sources .ci/phases.sh, runs `body` inside a phase called "demo". */
function runPhases(body: string) {
  const script = path.join(scratch, `phases-${Math.random().toString(36).slice(2)}.sh`);
  writeFileSync(
    script,
    `source ${JSON.stringify(repoPath('.ci/phases.sh'))}\nphase demo\n${body}\nphase_end\nphase_summary\n`,
  );
  const result = spawnSync('bash', [script], { encoding: 'utf8', timeout: 10_000 });
  const lines = result.stdout.trimEnd().split('\n');
  return { status: result.status, last: lines.slice(-3).join('\n'), stdout: result.stdout };
}

describe('.ci/phases.sh', () => {
  it('names the phase, the command and its exit status when a command fails', () => {
    const result = runPhases('echo before\nsh -c "exit 7"\necho not-reached');
    expect(result.status).toBe(7);
    expect(result.stdout).toContain('before');
    expect(result.stdout).not.toContain('not-reached');
    expect(result.last).toMatch(/FAILED: phase 'demo'/);
    expect(result.last).toContain('sh -c "exit 7"');
    expect(result.last).toContain('exit status: 7');
  });

  it('reports a failing pipeline inside a command substitution (the bare-machine bug)', () => {
    const result = runPhases('count=$(ls /nonexistent-otel-kit-dir | wc -l)\necho "count $count"');
    expect(result.status).not.toBe(0);
    expect(result.stdout).not.toContain('count ');
    expect(result.last).toMatch(/FAILED: phase 'demo'/);
    expect(result.last).toContain('ls /nonexistent-otel-kit-dir | wc -l');
  });

  it('reports a failure inside a subshell once, from the parent', () => {
    const result = runPhases('(cd / && false)');
    expect(result.status).toBe(1);
    expect(result.stdout.match(/FAILED/g)).toHaveLength(1);
  });

  it('prints each phase time and the total when everything passes', () => {
    const result = runPhases('true');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/=== phase: demo took \d+s ===/);
    expect(result.stdout).toMatch(/ {2}demo: \d+s\n=== CI total: \d+s ===/);
  });
});

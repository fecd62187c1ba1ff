// `npm run verify` as a facilitator runs it: the launcher, Node's type stripping, no install step.
// Nothing of the stack runs here, so these are the cases that need none: nothing answers, and bad
// arguments or addresses. The all-✓ run and the run with Jaeger stopped are in the e2e suites.
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../kit/layout.ts';
import { freePort } from '../kit/testing/processes.ts';
import { ADDRESS_VARIABLES } from './command-line.ts';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function verify(args: string[], env: Record<string, string>, root = REPO_ROOT): Promise<Run> {
  const started = Date.now();
  // Not the test runner's environment: an attendee's shell has no NODE_OPTIONS from vitest.
  const child = spawn(
    process.execPath,
    [path.join(root, 'scripts', 'require-node.cjs'), 'verify', path.join(root, 'scripts', 'verify.ts'), ...args],
    {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', ...env },
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** Every address on a loopback port that was free a moment ago: nothing answers there. */
async function nothingRunning(): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  for (const variable of Object.values(ADDRESS_VARIABLES)) env[variable] = `http://127.0.0.1:${await freePort()}`;
  return env;
}

describe('npm run verify with nothing running', () => {
  it('fails within seconds, naming each thing it could not reach and how to start the stack; no stack trace', async () => {
    const env = await nothingRunning();
    const run = await verify(['--no-color'], env);
    expect(run.code, run.stderr).toBe(1);
    expect(run.ms).toBeLessThan(5_000);
    expect(run.stderr).toBe('');
    expect(run.stdout).not.toMatch(/\n\s+at .+:\d+:\d+/);
    for (const name of ['the service', 'the collector', 'Prometheus', 'Jaeger', 'Loki', 'the AWS inventory', 'Grafana'])
      expect(run.stdout).toContain(`✗ ${name} answers`);
    expect(run.stdout).toContain('connection refused');
    expect(run.stdout).toContain(`\`docker compose logs --tail 50 jaeger\``);
    expect(run.stdout).toMatch(/note: nothing of the stack answers at .*`docker compose up -d`/);
    expect(run.stdout).toMatch(/7 of 7 checks failed in/);
  });

  it("runs from a clone with no node_modules (no npm install): only Node built-ins and the repository's .ts files", async () => {
    const clone = mkdtempSync(path.join(os.tmpdir(), 'otel-kit-verify-'));
    try {
      for (const entry of ['package.json', '.nvmrc', 'compose.yaml', 'scripts', 'kit', 'dashboards'])
        cpSync(path.join(REPO_ROOT, entry), path.join(clone, entry), { recursive: true });
      const run = await verify(['--no-color'], await nothingRunning(), clone);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/7 of 7 checks failed in/);
    } finally {
      rmSync(clone, { recursive: true, force: true });
    }
  });

  it('--json: one document, checks [{name, ok, ms, detail, fix}], exit 1', async () => {
    const run = await verify(['--json', '--native'], await nothingRunning());
    expect(run.code).toBe(1);
    const doc = JSON.parse(run.stdout) as {
      ok: boolean;
      stack: string;
      notes: string[];
      checks: { name: string; ok: boolean; ms: number; detail: string; fix: string }[];
    };
    expect(doc.ok).toBe(false);
    expect(doc.stack).toBe('native');
    expect(doc.checks.length).toBeGreaterThan(0);
    for (const c of doc.checks) {
      expect(Object.keys(c)).toEqual(['name', 'ok', 'ms', 'detail', 'fix']);
      expect(c.ok).toBe(false);
      expect(typeof c.ms).toBe('number');
      expect(c.fix).toMatch(/<run dir>\/logs\//);
    }
    // The native stack has no Grafana: verify does not ask for it.
    expect(doc.checks.map((c) => c.name)).not.toContain('Grafana answers');
    expect(doc.notes.join('\n')).toMatch(/`npm run stack`/);
  });
});

describe('npm run verify with a bad argument or address: exit 2, one line', () => {
  it.each(Object.values(ADDRESS_VARIABLES))('%s that is not an http URL is named', async (variable) => {
    const run = await verify([], { [variable]: 'ftp://example' });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim()).toBe(`verify: ${variable} is not an http URL: "ftp://example"`);
  });

  it('an unknown option is named, with the usage', async () => {
    const run = await verify(['--fast'], {});
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^verify: Unknown option '--fast'/);
    expect(run.stderr).toContain('usage: npm run verify -- [--native] [--aws] [--json] [--no-color]');
  });

  it('--help prints the usage and exits 0', async () => {
    const run = await verify(['--help'], {});
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe('usage: npm run verify -- [--native] [--aws] [--json] [--no-color]');
  });
});

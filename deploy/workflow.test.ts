// .github/workflows/deploy.yml: checked by actionlint (built by `npm run native:build`, which CI
// runs first) and for the promises its comments make.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cachedBinary, run } from '../tests/native-binaries.ts';
import { readText, readYaml, repoPath } from '../tests/stack-files.ts';
import { CONTEXT_KEYS, STACK_NAME, readSettings } from './lib/settings.ts';
import { synthesize } from './synthesized.ts';

const WORKFLOW = '.github/workflows/deploy.yml';

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, string>;
  env?: Record<string, string>;
  'working-directory'?: string;
}
interface Workflow {
  on: { push?: { branches?: string[] } };
  permissions: Record<string, string>;
  jobs: Record<string, { steps: Step[]; if?: string }>;
}
const workflow = readYaml<Workflow>(WORKFLOW);
const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);

const actionlint = cachedBinary('actionlint');
describe.skipIf(!actionlint)(`actionlint (${actionlint ?? 'not built here: run `npm run native:build`'})`, () => {
  it('finds nothing in the deploy workflow', () => {
    const result = run(actionlint!, ['-no-color', repoPath(WORKFLOW)]);
    expect(result.status, result.output).toBe(0);
  });

  it('catches a broken workflow (the check can fail)', () => {
    const scratch = mkdtempSync(path.join(os.tmpdir(), 'otel-kit-actionlint-'));
    try {
      const broken = path.join(scratch, 'deploy.yml');
      writeFileSync(
        broken,
        readText(WORKFLOW).replace('runs-on: ubuntu-24.04', 'runs-on: ubuntu-24.04\n    needs: nothing-by-that-name'),
      );
      const result = run(actionlint!, ['-no-color', broken]);
      expect(result.status, result.output).not.toBe(0);
      expect(result.output).toMatch(/nothing-by-that-name/);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});

describe('the deploy workflow', () => {
  it('runs on pushes to main only, with an OIDC token and read-only contents', () => {
    expect(Object.keys(workflow.on)).toEqual(['push']);
    expect(workflow.on.push!.branches).toEqual(['main']);
    expect(workflow.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
  });

  it('pins every action by full commit SHA', () => {
    const uses = steps.flatMap((s) => (s.uses ? [s.uses] : []));
    expect(uses.length).toBeGreaterThanOrEqual(3);
    for (const ref of uses) expect(ref).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/);
  });

  it('assumes the role through OIDC, with no stored AWS keys', () => {
    const credentials = steps.find((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'))!;
    expect(credentials.with).toMatchObject({ 'role-to-assume': '${{ vars.AWS_DEPLOY_ROLE_ARN }}' });
    expect(readText(WORKFLOW)).not.toMatch(/aws-access-key-id|aws-secret-access-key|secrets\./);
  });

  const deploy = steps.find((s) => s.run?.includes('cdk deploy'))!;

  it('deploys from deploy/ passing the repository (so the app keeps its own deploy role) and the allowed CIDR', () => {
    expect(deploy['working-directory']).toBe('deploy');
    expect(deploy.run).toContain('-c "githubRepo=$GITHUB_REPO"');
    expect(deploy.env!.GITHUB_REPO).toBe('${{ github.repository }}');
    expect(deploy.run).toContain('--parameters "AllowedCidr=$ALLOWED_CIDR"');
  });

  it("passes every context key the app reads, each from a repository variable the header documents (so a push keeps the manual deploy's choices)", () => {
    const passed = new Map([...deploy.run!.matchAll(/-c "(\w+)=\$(\w+)"/g)].map((m) => [m[1]!, m[2]!]));
    expect([...passed.keys()].sort()).toEqual([...CONTEXT_KEYS].sort());
    const header = readText(WORKFLOW).split('\nname:')[0]!;
    for (const [key, envName] of passed) {
      if (key === 'githubRepo') continue;
      // The variable of the same name, documented in the header comment.
      expect(deploy.env![envName], key).toBe(`\${{ vars.${envName} }}`);
      expect(header, envName).toMatch(new RegExp(`^#\\s+${envName}\\s`, 'm'));
    }
    // natGateways in particular: the app refuses the empty value an unset variable gives.
    expect(passed.get('natGateways')).toBe('NAT_GATEWAYS');
    expect(() => readSettings((key) => (key === 'natGateways' ? '' : undefined))).toThrow(/natGateways/);
  });

  it('says how many images `cdk deploy` builds, and that is how many the app has', () => {
    const synthesized = synthesize();
    try {
      const assets = JSON.parse(readFileSync(path.join(synthesized.outdir, `${STACK_NAME}.assets.json`), 'utf8')) as {
        dockerImages: Record<string, unknown>;
      };
      const words = ['zero', 'one', 'two', 'three', 'four', 'five', 'six'];
      const said = /builds the (\w+) images/.exec(readText(WORKFLOW).replace(/\n#\s*/g, ' '))?.[1];
      expect(said).toBeDefined();
      expect(words.indexOf(said!)).toBe(Object.keys(assets.dockerImages).length);
    } finally {
      rmSync(synthesized.outdir, { recursive: true, force: true });
    }
  }, 120_000);
});

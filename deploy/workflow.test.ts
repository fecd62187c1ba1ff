// .github/workflows/deploy.yml: checked by actionlint (built by `npm run native:build`, which CI
// runs first) and for the promises its comments make.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cachedBinary, run } from '../tests/native-binaries.ts';
import { readText, readYaml, repoPath } from '../tests/stack-files.ts';

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

  it('deploys from deploy/ passing the repository (so the app keeps its own deploy role) and the allowed CIDR', () => {
    const deploy = steps.find((s) => s.run?.includes('cdk deploy'))!;
    expect(deploy['working-directory']).toBe('deploy');
    expect(deploy.run).toContain('-c "githubRepo=$GITHUB_REPO"');
    expect(deploy.env!.GITHUB_REPO).toBe('${{ github.repository }}');
    expect(deploy.run).toContain('--parameters "AllowedCidr=$ALLOWED_CIDR"');
  });
});

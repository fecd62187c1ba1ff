// cfn-lint over every synthesized template. cfn-lint (pinned by hash in native/build/python/moto.txt)
// lives in the moto venv `npm run native:build` makes; the block is skipped, saying so, where that
// venv has not been built.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cachedBinary, run } from '../tests/native-binaries.ts';
import { VARIANTS, synthesize } from './synthesized.ts';

/**
 * The one rule left out, with its reason: W3005 flags a DependsOn that a Ref already implies. CDK
 * itself writes those (an ECS service on its target group, the auto-delete custom resource's
 * handler on its role); CloudFormation orders the resources the same either way.
 */
export const IGNORED_CHECKS = ['W3005'];

const moto = cachedBinary('moto');
const cfnLint = moto ? path.join(path.dirname(moto), 'cfn-lint') : undefined;

describe.skipIf(!cfnLint)(`cfn-lint (${cfnLint ?? 'moto venv not built here: run `npm run native:build`'})`, () => {
  const synthesized = synthesize();
  afterAll(() => rmSync(synthesized.outdir, { recursive: true, force: true }));

  it.each(Object.entries(VARIANTS))(
    'reports nothing on any synthesized template (%s)',
    (_name, context) => {
      const variant = synthesize(context);
      try {
        expect(variant.templateFiles.length).toBeGreaterThan(0);
        const result = run(
          cfnLint!,
          ['--format', 'parseable', '--ignore-checks', ...IGNORED_CHECKS, '--', ...variant.templateFiles],
          {},
          180_000,
        );
        expect(result.output).toBe('');
        expect(result.status, result.output).toBe(0);
      } finally {
        rmSync(variant.outdir, { recursive: true, force: true });
      }
    },
    200_000,
  );

  it('reports a broken template (the check can fail)', () => {
    const [first] = synthesized.templateFiles;
    const template = JSON.parse(readFileSync(first!, 'utf8')) as { Resources: Record<string, unknown> };
    template.Resources.Broken = { Type: 'AWS::S3::Bucket', Properties: { NotAProperty: true } };
    const broken = path.join(synthesized.outdir, 'broken.template.json');
    writeFileSync(broken, JSON.stringify(template));
    const result = run(
      cfnLint!,
      ['--format', 'parseable', '--ignore-checks', ...IGNORED_CHECKS, '--', broken],
      {},
      180_000,
    );
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(/NotAProperty/);
  }, 200_000);
});

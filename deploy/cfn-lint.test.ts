// cfn-lint over every synthesized template. cfn-lint (pinned by hash in native/python/moto.txt)
// lives in the moto venv `npm run native:build` makes; the block is skipped, saying so, where that
// venv has not been built.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cachedBinary, run } from '../tests/native-binaries.ts';
import { synthesize } from './synthesized.ts';

const moto = cachedBinary('moto');
const cfnLint = moto ? path.join(path.dirname(moto), 'cfn-lint') : undefined;

describe.skipIf(!cfnLint)(`cfn-lint (${cfnLint ?? 'moto venv not built here: run `npm run native:build`'})`, () => {
  const synthesized = synthesize();
  afterAll(() => rmSync(synthesized.outdir, { recursive: true, force: true }));

  it('reports nothing on any synthesized template', () => {
    expect(synthesized.templateFiles.length).toBeGreaterThan(0);
    const result = run(cfnLint!, ['--format', 'parseable', '--', ...synthesized.templateFiles], {}, 180_000);
    expect(result.output).toBe('');
    expect(result.status, result.output).toBe(0);
  }, 200_000);

  it('reports a broken template (the check can fail)', () => {
    const [first] = synthesized.templateFiles;
    const template = JSON.parse(readFileSync(first!, 'utf8')) as { Resources: Record<string, unknown> };
    template.Resources.Broken = { Type: 'AWS::S3::Bucket', Properties: { NotAProperty: true } };
    const broken = path.join(synthesized.outdir, 'broken.template.json');
    writeFileSync(broken, JSON.stringify(template));
    const result = run(cfnLint!, ['--format', 'parseable', '--', broken], {}, 180_000);
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(/NotAProperty/);
  }, 200_000);
});

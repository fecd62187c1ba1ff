// The configs checked by the real programs that read them (built by `npm run native:build`, which
// CI runs before the tests): Jaeger's and the collector's `validate`, each with the native
// harness's variables. Each block is skipped, saying why, when its binary has not been built on
// this machine; the e2e suite then runs them for real. loki-config.yaml has no such check here:
// Loki may not be built (tests/backend-configs.test.ts checks its keys instead).
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ADDRESSES, nativeUrls } from '../kit/layout.ts';
import { cachedBinary, run } from './native-binaries.ts';
import { repoPath } from './stack-files.ts';

const scratch = mkdtempSync(path.join(os.tmpdir(), 'config-binaries-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A copy of a repo config with one extra top-level key, which every one of these programs rejects. */
function withUnknownKey(file: string): string {
  const copy = path.join(scratch, `unknown-key-${path.basename(file)}`);
  copyFileSync(repoPath(file), copy);
  writeFileSync(copy, `${readFileSync(copy, 'utf8')}\nnot_a_real_key: true\n`);
  return copy;
}

const reason = (name: string) => `${name} not built here: run \`npm run native:build\``;

const jaeger = cachedBinary('jaeger');
describe.skipIf(!jaeger)(`jaeger validate (${jaeger ?? reason('jaeger')})`, () => {
  const env = { JAEGER_LISTEN_HOST: ADDRESSES.jaeger };

  it('accepts jaeger.yaml', () => {
    const result = run(jaeger!, ['validate', `--config=${repoPath('jaeger.yaml')}`], env);
    expect(result.status, result.output).toBe(0);
  });

  it('rejects an unknown key (the check is strict)', () => {
    const result = run(jaeger!, ['validate', `--config=${withUnknownKey('jaeger.yaml')}`], env);
    expect(result.output).toMatch(/invalid keys: not_a_real_key/);
    expect(result.status, result.output).not.toBe(0);
  });
});

const otelcol = cachedBinary('otelcol');
describe.skipIf(!otelcol)(`otelcol validate (${otelcol ?? reason('otelcol')})`, () => {
  const env = { OTLP_LISTEN_HOST: ADDRESSES.collector };

  it('accepts collector/config.yaml', () => {
    const result = run(otelcol!, ['validate', `--config=${repoPath('collector/config.yaml')}`], env);
    expect(result.status, result.output).toBe(0);
  });

  it('accepts collector/config.yaml merged with the AWS overlay', () => {
    const aws = {
      ...env,
      AWS_REGION: 'us-east-1',
      XRAY_ENDPOINT: nativeUrls().moto,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_EC2_METADATA_DISABLED: 'true',
    };
    const result = run(
      otelcol!,
      ['validate', `--config=${repoPath('collector/config.yaml')}`, `--config=${repoPath('collector/aws.yaml')}`],
      aws,
    );
    expect(result.status, result.output).toBe(0);
  });

  it('rejects an unknown key (the check is strict)', () => {
    const result = run(otelcol!, ['validate', `--config=${withUnknownKey('collector/config.yaml')}`], env);
    expect(result.status, result.output).not.toBe(0);
  });
});

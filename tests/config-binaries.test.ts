// The configs checked by the real programs that read them (built by `npm run native:build`, which
// CI runs before the tests): Tempo's -config.verify, Loki's -verify-config and the collector's
// `validate`, each with the native harness's variables. Each block is skipped, saying why, when its
// binary has not been built on this machine; the e2e suite then runs them for real.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
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

const tempo = cachedBinary('tempo');
describe.skipIf(!tempo)(`tempo -config.verify (${tempo ?? reason('tempo')})`, () => {
  const env = { TEMPO_LISTEN_HOST: '127.0.0.14', TEMPO_DATA_DIR: path.join(scratch, 'tempo') };

  it('accepts tempo.yaml', () => {
    const result = run(tempo!, [`-config.file=${repoPath('tempo.yaml')}`, '-config.expand-env=true', '-config.verify=true'], env);
    expect(result.status, result.output).toBe(0);
  });

  it('rejects an unknown key (the check is strict)', () => {
    const result = run(tempo!, [`-config.file=${withUnknownKey('tempo.yaml')}`, '-config.expand-env=true', '-config.verify=true'], env);
    expect(result.status, result.output).not.toBe(0);
  });
});

const loki = cachedBinary('loki');
describe.skipIf(!loki)(`loki -verify-config (${loki ?? reason('loki')})`, () => {
  const env = { LOKI_LISTEN_HOST: '127.0.0.13', LOKI_INSTANCE_ADDR: '127.0.0.13', LOKI_DATA_DIR: path.join(scratch, 'loki') };

  it('accepts loki-config.yaml', () => {
    const result = run(loki!, [`-config.file=${repoPath('loki-config.yaml')}`, '-config.expand-env=true', '-verify-config=true'], env);
    expect(result.status, result.output).toBe(0);
  });

  it('rejects an unknown key (the check is strict)', () => {
    const result = run(loki!, [`-config.file=${withUnknownKey('loki-config.yaml')}`, '-config.expand-env=true', '-verify-config=true'], env);
    expect(result.status, result.output).not.toBe(0);
  });
});

const otelcol = cachedBinary('otelcol');
describe.skipIf(!otelcol)(`otelcol validate (${otelcol ?? reason('otelcol')})`, () => {
  const env = { OTLP_LISTEN_HOST: '127.0.0.11' };

  it('accepts collector/config.yaml', () => {
    const result = run(otelcol!, ['validate', `--config=${repoPath('collector/config.yaml')}`], env);
    expect(result.status, result.output).toBe(0);
  });

  it('accepts collector/config.yaml merged with the AWS overlay', () => {
    const aws = { ...env, AWS_REGION: 'us-east-1', XRAY_ENDPOINT: 'http://127.0.0.15:5000', AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_EC2_METADATA_DISABLED: 'true' };
    const result = run(otelcol!, ['validate', `--config=${repoPath('collector/config.yaml')}`, `--config=${repoPath('collector/aws.yaml')}`], aws);
    expect(result.status, result.output).toBe(0);
  });

  it('rejects an unknown key (the check is strict)', () => {
    const result = run(otelcol!, ['validate', `--config=${withUnknownKey('collector/config.yaml')}`], env);
    expect(result.status, result.output).not.toBe(0);
  });
});

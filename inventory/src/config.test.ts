import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../kit/layout';
import { COLLECTOR_NAMES } from './collectors/registry';
import { ConfigError, loadConfig, parseConfig } from './config';

const shipped = readFileSync(path.join(REPO_ROOT, 'inventory', 'config.yaml'), 'utf8');
const parse = (text: string, env: NodeJS.ProcessEnv = {}) => parseConfig(text, env, 'test.yaml');
const message = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
};

describe('inventory config', () => {
  it('the shipped file enables every collector with its own interval', () => {
    const config = parse(shipped);
    expect(config.regions).toEqual(['us-east-1', 'eu-west-1']);
    expect(config.collectors.map((c) => c.name)).toEqual(COLLECTOR_NAMES);
    expect(config.collectors.find((c) => c.name === 'ec2_instances')!.intervalMs).toBe(30_000);
    expect(config.collectors.find((c) => c.name === 'rds_instances')!.intervalMs).toBe(60_000);
    expect(config.endpoint).toBeUndefined();
    expect(config.port).toBe(8081);
  });

  it('environment overrides: regions, one interval for all, the endpoint', () => {
    const config = parse(shipped, {
      INVENTORY_REGIONS: 'ap-south-1, us-west-2,ap-south-1',
      INVENTORY_INTERVAL_SECONDS: '5',
      AWS_ENDPOINT_URL: 'http://moto:5000',
    });
    expect(config.regions).toEqual(['ap-south-1', 'us-west-2']);
    expect(new Set(config.collectors.map((c) => c.intervalMs))).toEqual(new Set([5000]));
    expect(config.endpoint).toBe('http://moto:5000');
  });

  it('empty variables (compose passes `${VAR:-}` as "") count as unset, every one of them (as in the service)', () => {
    const config = parse(shipped, {
      AWS_ENDPOINT_URL: '',
      INVENTORY_REGIONS: '',
      INVENTORY_INTERVAL_SECONDS: '',
      HOST: '',
      PORT: '',
      LOG_LEVEL: '',
    });
    expect(config).toMatchObject({ host: '0.0.0.0', port: 8081, logLevel: 'info' });
    expect(config.endpoint).toBeUndefined();
    expect(config.regions).toEqual(['us-east-1', 'eu-west-1']);
  });

  it('an empty PORT means the default port, as in the service (one rule: kit/env.ts)', () => {
    expect(parse(shipped, { PORT: '', HOST: '' })).toMatchObject({ port: 8081, host: '0.0.0.0' });
  });

  it('disabled collectors are left out; all disabled is an error', () => {
    const config = parse('regions: [us-east-1]\ncollectors:\n  vpcs: { enabled: false }\n');
    expect(config.collectors.map((c) => c.name)).not.toContain('vpcs');
    const all = COLLECTOR_NAMES.map((n) => `  ${n}: { enabled: false }`).join('\n');
    expect(message(() => parse(`regions: [us-east-1]\ncollectors:\n${all}\n`))).toMatch(/every collector is disabled/);
  });

  it.each([
    [
      'regions: [us-east-1]\ncollectors:\n  ec2_instance: {}\n',
      /test\.yaml: collectors\.ec2_instance: .*known collectors: ec2_instances/,
    ],
    [
      'regions: [us-east-1]\ncollectors:\n  vpcs: { intervalSeconds: 1 }\n',
      /test\.yaml: collectors\.vpcs\.intervalSeconds: /,
    ],
    ['regions: [useast1]\n', /test\.yaml: regions\.0: must be an AWS region/],
    ['regions: []\n', /test\.yaml: regions: /],
    ['regions: [us-east-1]\nretry: { maxAttempts: 0 }\n', /test\.yaml: retry\.maxAttempts: /],
    ['regions: [us-east-1]\nretries: 3\n', /test\.yaml: retries: /],
    ['regions: [us-east-1]\nretry: { baseDelayMs: 500, maxDelayMs: 100 }\n', /retry\.baseDelayMs: must not exceed/],
    ['regions: [us-east-1\n', /test\.yaml: not valid YAML/],
    ['', /test\.yaml: regions: /],
  ])('a bad file names the key: %j', (text, expected) => {
    expect(message(() => parse(text))).toMatch(expected);
  });

  it.each([
    [{ PORT: 'abc' }, /environment: PORT: /],
    [{ PORT: '70000' }, /environment: PORT: /],
    [{ AWS_ENDPOINT_URL: 'moto:5000' }, /environment: AWS_ENDPOINT_URL: must be an http\(s\) URL/],
    [{ INVENTORY_REGIONS: 'us-east-1,mars' }, /environment: INVENTORY_REGIONS: not AWS regions: mars/],
    [{ INVENTORY_INTERVAL_SECONDS: '2' }, /environment: INVENTORY_INTERVAL_SECONDS: /],
    [{ LOG_LEVEL: 'loud' }, /environment: LOG_LEVEL: /],
    // The file's cap on regions holds for the variable too (it did not).
    [
      {
        INVENTORY_REGIONS: Array.from(
          { length: 33 },
          (_, i) => `${['us', 'eu', 'ap'][i % 3]}-zone${String.fromCharCode(97 + Math.floor(i / 3))}-1`,
        ).join(','),
      },
      /environment: INVENTORY_REGIONS: Too big: expected array to have <=32 items/,
    ],
  ])('a bad variable names itself: %j', (env, expected) => {
    expect(message(() => parse(shipped, env))).toMatch(expected);
  });

  it('a missing file names INVENTORY_CONFIG and the path', () => {
    expect(message(() => loadConfig({ INVENTORY_CONFIG: '/nonexistent/inventory.yaml' }))).toMatch(
      /INVENTORY_CONFIG: cannot read \/nonexistent\/inventory\.yaml: ENOENT/,
    );
  });
});

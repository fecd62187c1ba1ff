import { describe, expect, it } from 'vitest';
import {
  DEFAULT_BASE_URLS,
  baseUrlCandidates,
  cachedK6Path,
  chooseRunner,
  composePlan,
  describeNetworkError,
  exitStatus,
  k6VersionFrom,
  localPlan,
  noTargetMessage,
  otlpEndpointCandidates,
  parseInvocation,
} from './load-runner.ts';

const cached = '/home/u/.cache/otel-kit/bin/k6-v1.8.1/k6';
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
  it('reads the k6 version from native/versions.json, with a fallback', () => {
    expect(k6VersionFrom(JSON.stringify({ k6: { version: 'v1.9.0' } }))).toBe('v1.9.0');
    expect(k6VersionFrom(undefined)).toBe('v1.8.1');
    expect(k6VersionFrom('{not json')).toBe('v1.8.1');
  });

  it('looks in OTEL_KIT_CACHE, else ~/.cache/otel-kit', () => {
    expect(cachedK6Path({}, '/home/u')).toBe(cached);
    expect(cachedK6Path({ OTEL_KIT_CACHE: '/cache' }, '/home/u', 'v2.0.0')).toBe('/cache/bin/k6-v2.0.0/k6');
  });

  it('prefers K6_BIN, then k6 on PATH, then the native build, then Docker Compose', () => {
    const all = { k6OnPath: '/usr/bin/k6', cachedK6: cached, dockerAnswers: true };
    expect(chooseRunner(all, { K6_BIN: '/opt/k6' }, cached)).toEqual({ kind: 'local', k6: '/opt/k6' });
    expect(chooseRunner(all, {}, cached)).toEqual({ kind: 'local', k6: '/usr/bin/k6' });
    expect(chooseRunner({ ...all, k6OnPath: null }, {}, cached)).toEqual({ kind: 'local', k6: cached });
    expect(chooseRunner({ ...noFacts, dockerAnswers: true }, {}, cached)).toEqual({ kind: 'compose' });
  });

  it('says in one message how to get k6 when there is none', () => {
    const runner = chooseRunner(noFacts, {}, cached);
    expect(runner.kind).toBe('none');
    const message = runner.kind === 'none' ? runner.message : '';
    expect(message).toContain(cached);
    expect(message).toContain('go install go.k6.io/k6@v1.8.1');
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
    const message = noTargetMessage([{ url: 'http://127.0.0.1:8081', problem: describeNetworkError('ECONNREFUSED') }], { BASE_URL: 'http://127.0.0.1:8081' });
    expect(message).toContain('BASE_URL=http://127.0.0.1:8081: connection refused (nothing is listening on that port)');
    expect(message).toContain('Check BASE_URL');
    expect(describeNetworkError('EWHATEVER')).toBe('EWHATEVER');
  });
});

describe('the k6 command', () => {
  const invocation = { profile: 'counted' as const, runId: 'e2e-1' };

  it('runs the TypeScript entry with the OpenTelemetry output and the kit defaults', () => {
    const plan = localPlan('/bin/k6', '/repo/loadgen/main.ts', invocation, 'http://127.0.0.10:8080', '127.0.0.11:4318', {
      PATH: '/bin',
      OTEL_SERVICE_NAME: 'items-api',
      LOAD_PROFILE: 'burst',
      ITERATIONS: '50',
    });
    expect(plan.command).toBe('/bin/k6');
    expect(plan.args).toEqual(['run', '-o', 'opentelemetry', '/repo/loadgen/main.ts']);
    expect(plan.env).toMatchObject({
      PATH: '/bin',
      ITERATIONS: '50',
      LOAD_PROFILE: 'counted',
      RUN_ID: 'e2e-1',
      BASE_URL: 'http://127.0.0.10:8080',
      K6_NO_USAGE_REPORT: 'true',
      K6_OTEL_EXPORTER_PROTOCOL: 'http/protobuf',
      K6_OTEL_HTTP_EXPORTER_ENDPOINT: '127.0.0.11:4318',
      K6_OTEL_HTTP_EXPORTER_INSECURE: 'true',
      K6_OTEL_SERVICE_NAME: 'k6',
      K6_OTEL_METRIC_PREFIX: 'k6_',
    });
  });

  it('lets the caller override OTel settings, and drops the output when there is no collector', () => {
    const custom = localPlan('k6', 'main.ts', invocation, 'http://x:1', '127.0.0.1:4318', { K6_OTEL_METRIC_PREFIX: 'lg_' });
    expect(custom.env['K6_OTEL_METRIC_PREFIX']).toBe('lg_');
    const bare = localPlan('k6', 'main.ts', invocation, 'http://x:1', null, {});
    expect(bare.args).toEqual(['run', 'main.ts']);
    expect(bare.env['K6_OTEL_HTTP_EXPORTER_ENDPOINT']).toBeUndefined();
  });

  it('in Docker mode runs the compose k6 service with the run id and the knobs that are set', () => {
    const plan = composePlan(invocation, { RATE: '20', DURATION: '', HOME: '/root' });
    expect(plan.command).toBe('docker');
    expect(plan.args.slice(0, 5)).toEqual(['compose', '--profile', 'load', 'run', '--rm']);
    expect(plan.args).toEqual(expect.arrayContaining(['-e', 'LOAD_PROFILE=counted', '-e', 'RUN_ID=e2e-1', '-e', 'RATE=20']));
    expect(plan.args.join(' ')).not.toContain('DURATION');
    expect(plan.args.slice(-5)).toEqual(['k6', 'run', '-o', 'opentelemetry', 'main.ts']);
  });

  it('passes k6 exit codes through and maps death by signal to 128+n', () => {
    expect(exitStatus(0, null, () => 0)).toBe(0);
    expect(exitStatus(99, null, () => 0)).toBe(99);
    expect(exitStatus(null, 'SIGINT', () => 2)).toBe(130);
  });
});

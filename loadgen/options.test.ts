import { describe, expect, it } from 'vitest';
import {
  CRASH_SLOTS,
  CRASH_SLOT_METRIC,
  MAX_CRASH_SLOTS,
  buildOptions,
  burstStages,
  crashSlotsFor,
  profileSettings,
} from './options.ts';
import { PROFILE_NAMES, parseProfileName } from '../kit/load-profiles.ts';

describe('profile selection', () => {
  it('defaults to burst and accepts every named profile in any case', () => {
    expect(parseProfileName(undefined)).toBe('burst');
    expect(parseProfileName('  ')).toBe('burst');
    for (const name of PROFILE_NAMES) expect(parseProfileName(name.toUpperCase())).toBe(name);
  });

  it('refuses an unknown profile, listing the valid ones', () => {
    expect(() => parseProfileName('smok')).toThrow(
      /unknown load profile "smok"; choose one of: smoke, burst, soak, counted/,
    );
  });
});

describe('smoke', () => {
  const options = buildOptions('smoke', {});
  it('is a fixed, small number of iterations bounded well under 15 s', () => {
    expect(options.scenarios).toEqual({
      smoke: { executor: 'shared-iterations', vus: 2, iterations: 24, maxDuration: '15s' },
    });
  });
});

describe('counted', () => {
  it('runs exactly ITERATIONS requests with VUS virtual users', () => {
    const options = buildOptions('counted', { ITERATIONS: '120', VUS: '3' });
    expect(options.scenarios).toEqual({
      counted: {
        executor: 'constant-arrival-rate',
        rate: 120,
        timeUnit: '15000ms',
        duration: '14938ms',
        preAllocatedVUs: 3,
        maxVUs: 100,
      },
    });
    expect(buildOptions('counted', { ITERATIONS: '50', DURATION: '1m5s' }).scenarios).toMatchObject({
      counted: { rate: 50, timeUnit: '65000ms', duration: '64350ms' },
    });
  });
});

describe('burst', () => {
  it('uses ramping-arrival-rate with spikes ten times the base rate, about three minutes long', () => {
    const scenario = buildOptions('burst', {}).scenarios?.['burst'];
    expect(scenario?.executor).toBe('ramping-arrival-rate');
    const stages = burstStages(10, 10, 3);
    const targets = stages.map((stage) => stage.target);
    expect(Math.min(...targets)).toBe(10);
    expect(Math.max(...targets)).toBe(100);
    const seconds = stages.reduce((sum, stage) => sum + parseInt(stage.duration, 10), 0);
    expect(seconds).toBeGreaterThanOrEqual(120);
    expect(seconds).toBeLessThanOrEqual(180);
    // three separate spikes: entries into the peak rate
    expect(stages.filter((stage, i) => stage.target === 100 && stages[i - 1]?.target !== 100)).toHaveLength(3);
  });

  it('takes its base rate, spike factor and number of spikes from the environment', () => {
    const stages = burstStages(profileSettings('burst', { RATE: '4' }).rate, 5, 1);
    expect(Math.max(...stages.map((stage) => stage.target))).toBe(20);
    const scenario = buildOptions('burst', { RATE: '20', SPIKE_FACTOR: '3', CYCLES: '2' }).scenarios?.['burst'] as {
      stages: { target: number }[];
    };
    expect(Math.max(...scenario.stages.map((stage) => stage.target))).toBe(60);
  });
});

describe('soak', () => {
  it('holds a constant rate for DURATION', () => {
    expect(buildOptions('soak', {}).scenarios?.['soak']).toMatchObject({
      executor: 'constant-arrival-rate',
      rate: 5,
      duration: '10m',
    });
    expect(buildOptions('soak', { RATE: '30', DURATION: '1h30m' }).scenarios?.['soak']).toMatchObject({
      rate: 30,
      duration: '1h30m',
    });
  });
});

describe('environment validation', () => {
  it('names the variable that is wrong', () => {
    expect(() => buildOptions('soak', { RATE: 'fast' })).toThrow(/RATE must be a positive number, got "fast"/);
    expect(() => buildOptions('soak', { DURATION: '10 minutes' })).toThrow(/DURATION must be a k6 duration/);
    expect(() => buildOptions('counted', { ITERATIONS: '2.5' })).toThrow(/ITERATIONS must be a whole number/);
    expect(() => buildOptions('burst', { P95_MS: '-1' })).toThrow(/P95_MS/);
  });
});

describe('thresholds', () => {
  const thresholds = buildOptions('burst', { P95_MS: '250' }).thresholds ?? {};

  it('fail the run on unexpected failures, slow expected responses and failed checks', () => {
    expect(thresholds['http_req_failed']).toContain('rate<0.01');
    expect(thresholds['http_req_duration{expected_response:true}']).toEqual(['p(95)<250']);
    expect(thresholds['checks']).toEqual(['rate>0.99']);
  });

  it('abort early when most requests fail (a dead target)', () => {
    expect(thresholds['http_req_failed']).toContainEqual({
      threshold: 'rate<0.5',
      abortOnFail: true,
      delayAbortEval: '10s',
    });
  });

  it('keep per-route and per-crash-slot sub-metrics for the summary', () => {
    expect(thresholds['http_reqs{name:/items/{id},method:GET}']).toEqual(['count>=0']);
    expect(thresholds['http_reqs{name:/items,method:POST}']).toEqual(['count>=0']);
    for (let slot = 0; slot < CRASH_SLOTS; slot++)
      expect(thresholds[`${CRASH_SLOT_METRIC}{slot:${slot}}`]).toBeDefined();
  });
});

describe('tags exported as metric attributes', () => {
  it('leave out the raw url so item ids never become label values', () => {
    const tags = buildOptions('smoke', {}).systemTags ?? [];
    expect(tags).not.toContain('url');
    expect(tags).toEqual(expect.arrayContaining(['name', 'method', 'status', 'expected_response', 'check']));
  });
});

describe('reserved /crash trace ids', () => {
  it('cover every /crash of a counted or smoke run, and a handful of the open-ended profiles', () => {
    expect(crashSlotsFor('counted', profileSettings('counted', {}))).toBe(6);
    expect(crashSlotsFor('counted', profileSettings('counted', { ITERATIONS: '40' }))).toBe(1);
    expect(crashSlotsFor('smoke', profileSettings('smoke', {}))).toBe(3);
    expect(crashSlotsFor('burst', profileSettings('burst', {}))).toBe(CRASH_SLOTS);
    expect(crashSlotsFor('counted', profileSettings('counted', { ITERATIONS: '100000' }))).toBe(MAX_CRASH_SLOTS);
  });

  it('each have a sub-metric threshold so the summary can tell which were sent', () => {
    const thresholds = buildOptions('counted', {}).thresholds ?? {};
    const slots = Object.keys(thresholds).filter((key) => key.startsWith(`${CRASH_SLOT_METRIC}{`));
    expect(slots).toHaveLength(6);
  });
});

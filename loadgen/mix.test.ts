import { describe, expect, it } from 'vitest';
import {
  FLOW_NAMES,
  REALISTIC_WEIGHTS,
  SMOKE_WEIGHTS,
  buildSchedule,
  crashOrdinal,
  expectedFlowCounts,
  flowForIteration,
} from './mix.ts';

const CLIENT_ERRORS = ['badItemId', 'unknownItem', 'badItemBody'] as const;

describe('the realistic mix', () => {
  const schedule = buildSchedule(REALISTIC_WEIGHTS);

  it('sends /crash 2 % and deliberate client errors 1 % of requests', () => {
    const counts = expectedFlowCounts(schedule, 3000);
    expect(counts.crash / 3000).toBeCloseTo(0.02, 5);
    const clientErrors = CLIENT_ERRORS.reduce((sum, name) => sum + counts[name], 0);
    expect(clientErrors / 3000).toBeCloseTo(0.01, 5);
  });

  it('is mostly reads, with writes about a fifth, and never calls /health', () => {
    const counts = expectedFlowCounts(schedule, 3000);
    const reads = (counts.listItems + counts.getItem) / 3000;
    expect(reads).toBeGreaterThan(0.7);
    expect(counts.createItem / 3000).toBeGreaterThan(0.15);
    expect(counts.createItem / 3000).toBeLessThan(0.25);
    expect(counts.health).toBe(0);
  });

  it('spreads /crash evenly instead of bunching it: one in every 50 consecutive requests', () => {
    for (let start = 0; start < schedule.length; start += 50) {
      const window = Array.from({ length: 50 }, (_, i) => flowForIteration(schedule, start + i));
      expect(window.filter((name) => name === 'crash')).toHaveLength(1);
    }
  });

  it('gives a 300-request counted run exact, known per-flow counts', () => {
    expect(expectedFlowCounts(schedule, 300)).toEqual({
      listItems: 105,
      getItem: 120,
      createItem: 66,
      crash: 6,
      badItemId: 1,
      unknownItem: 1,
      badItemBody: 1,
      health: 0,
    });
  });
});

describe('the smoke mix', () => {
  it('runs every flow once in each cycle', () => {
    const schedule = buildSchedule(SMOKE_WEIGHTS);
    expect([...schedule].sort()).toEqual([...FLOW_NAMES].sort());
    const counts = expectedFlowCounts(schedule, FLOW_NAMES.length * 3);
    for (const name of FLOW_NAMES) expect(counts[name]).toBe(3);
  });
});

describe('crash ordinals', () => {
  it('number the /crash iterations 0, 1, 2 ... in order and mark the others -1', () => {
    const schedule = buildSchedule(REALISTIC_WEIGHTS);
    const ordinals: number[] = [];
    for (let i = 0; i < 900; i++) {
      const ordinal = crashOrdinal(schedule, i);
      if (flowForIteration(schedule, i) === 'crash') ordinals.push(ordinal);
      else expect(ordinal).toBe(-1);
    }
    expect(ordinals).toEqual(Array.from({ length: 18 }, (_, i) => i));
  });
});

describe('schedule validation', () => {
  it('rejects an empty mix, fractional weights and negative iterations', () => {
    expect(() => buildSchedule({})).toThrow(/at least one flow/);
    expect(() => buildSchedule({ crash: 0.5 })).toThrow(/integer/);
    expect(() => flowForIteration(buildSchedule(SMOKE_WEIGHTS), -1)).toThrow(/non-negative/);
  });
});

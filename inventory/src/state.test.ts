import { describe, expect, it } from 'vitest';
import { InventoryState } from './state';

const at = new Date('2026-12-01T00:00:00Z');

describe('InventoryState', () => {
  it('counts resources per (region, state, type) of a collector', () => {
    const state = new InventoryState([{ collector: 'ec2_instances', region: 'us-east-1' }]);
    state.recordSuccess(
      'ec2_instances',
      'us-east-1',
      'ec2_instance',
      [
        { state: 'running', type: 't3.micro', region: 'us-east-1' },
        { state: 'running', type: 't3.micro', region: 'us-east-1' },
        { state: 'stopped', type: 't3.micro', region: 'us-east-1' },
      ],
      5,
      at,
    );
    expect(state.resourceSeries()).toEqual([
      { kind: 'ec2_instance', state: 'running', type: 't3.micro', region: 'us-east-1', count: 2 },
      { kind: 'ec2_instance', state: 'stopped', type: 't3.micro', region: 'us-east-1', count: 1 },
    ]);
  });

  it('a combination that is gone reports 0 instead of vanishing (remote write sends no staleness marker)', () => {
    const state = new InventoryState([{ collector: 'ec2_instances', region: 'us-east-1' }]);
    state.recordSuccess(
      'ec2_instances',
      'us-east-1',
      'ec2_instance',
      [{ state: 'stopped', type: 't3.micro', region: 'us-east-1' }],
      5,
      at,
    );
    state.recordSuccess(
      'ec2_instances',
      'us-east-1',
      'ec2_instance',
      [{ state: 'running', type: 't3.micro', region: 'us-east-1' }],
      5,
      at,
    );
    expect(state.resourceSeries()).toEqual([
      { kind: 'ec2_instance', state: 'stopped', type: 't3.micro', region: 'us-east-1', count: 0 },
      { kind: 'ec2_instance', state: 'running', type: 't3.micro', region: 'us-east-1', count: 1 },
    ]);
  });

  it('a failure keeps the last counts and the last success time, and records the error', () => {
    const state = new InventoryState([{ collector: 'vpcs', region: 'eu-west-1' }]);
    expect(state.ready()).toBe(false);
    state.recordSuccess(
      'vpcs',
      'eu-west-1',
      'vpc',
      [{ state: 'available', type: 'default', region: 'eu-west-1' }],
      5,
      at,
    );
    state.recordFailure('vpcs', 'eu-west-1', 'throttling', 'x'.repeat(1000), 9, new Date(at.getTime() + 60_000));
    expect(state.resourceSeries().map((s) => s.count)).toEqual([1]);
    const [status] = state.collectorStatuses();
    expect(status).toMatchObject({ status: 'failed', lastSuccessAt: at.toISOString(), lastErrorKind: 'throttling' });
    expect(status!.lastError).toHaveLength(300);
    expect(state.ready()).toBe(true);
  });
});

describe('InventoryState: the series set is bounded', () => {
  const minute = 60_000;
  const instance = (type: string, state = 'running') => ({ state, type, region: 'us-east-1' });

  it('a combination at 0 is forgotten after staleSeriesMs', () => {
    const state = new InventoryState([{ collector: 'ec2_instances', region: 'us-east-1' }], {
      maxSeries: 100,
      staleSeriesMs: 10 * minute,
    });
    const t0 = at.getTime();
    state.recordSuccess('ec2_instances', 'us-east-1', 'ec2_instance', [instance('m5.large')], 5, new Date(t0));
    state.recordSuccess('ec2_instances', 'us-east-1', 'ec2_instance', [instance('t3.micro')], 5, new Date(t0 + minute));
    expect(state.resourceSeries().map((s) => [s.type, s.count])).toEqual([
      ['m5.large', 0],
      ['t3.micro', 1],
    ]);
    state.recordSuccess(
      'ec2_instances',
      'us-east-1',
      'ec2_instance',
      [instance('t3.micro')],
      5,
      new Date(t0 + 11 * minute),
    );
    expect(state.resourceSeries().map((s) => [s.type, s.count])).toEqual([['t3.micro', 1]]);
  });

  it('past maxSeries (across collectors) new combinations are counted under type="other": the totals stay true', () => {
    const state = new InventoryState(
      [
        { collector: 'ec2_instances', region: 'us-east-1' },
        { collector: 'rds_instances', region: 'us-east-1' },
      ],
      { maxSeries: 5, staleSeriesMs: 10 * minute },
    );
    state.recordSuccess('rds_instances', 'us-east-1', 'rds_instance', [instance('db.t3.micro')], 5, at);
    const many = Array.from({ length: 10 }, (_, i) => instance(`type-${i}`));
    const outcome = state.recordSuccess('ec2_instances', 'us-east-1', 'ec2_instance', [...many, ...many], 5, at);
    const ec2 = state.resourceSeries().filter((s) => s.kind === 'ec2_instance');
    expect(ec2.map((s) => s.type)).toEqual(['type-0', 'type-1', 'type-2', 'type-3', 'other']);
    expect(ec2.find((s) => s.type === 'other')?.count).toBe(12);
    expect(ec2.reduce((n, s) => n + s.count, 0)).toBe(20);
    expect(outcome.foldedCombinations).toBe(6);
    // A type already kept keeps its own series on the next collection.
    state.recordSuccess('ec2_instances', 'us-east-1', 'ec2_instance', [instance('type-2')], 5, at);
    expect(state.resourceSeries().find((s) => s.type === 'type-2')?.count).toBe(1);
  });
});

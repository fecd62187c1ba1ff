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

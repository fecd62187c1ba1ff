import { describe, expect, it } from 'vitest';
import { CircuitBreakers } from './circuit-breaker';
import { CircuitOpenError } from './errors';
import { createLimiter } from './limiter';

describe('CircuitBreakers', () => {
  const fail = async () => {
    throw new Error('down');
  };
  const ok = async () => 'ok';

  it('opens after the threshold, refuses while open, lets one trial through after openMs, closes on success', async () => {
    let now = 0;
    const breakers = new CircuitBreakers({ failureThreshold: 2, openMs: 1000 }, () => now);
    await expect(breakers.run('ec2:us-east-1', fail)).rejects.toThrow('down');
    expect(breakers.state('ec2:us-east-1')).toBe('closed');
    await expect(breakers.run('ec2:us-east-1', fail)).rejects.toThrow('down');
    expect(breakers.state('ec2:us-east-1')).toBe('open');
    let called = false;
    await expect(breakers.run('ec2:us-east-1', async () => (called = true))).rejects.toBeInstanceOf(CircuitOpenError);
    expect(called).toBe(false);
    // Another service or region is unaffected.
    await expect(breakers.run('ec2:eu-west-1', ok)).resolves.toBe('ok');
    expect(breakers.notClosed()).toEqual({ 'ec2:us-east-1': 'open' });
    now = 1000;
    expect(breakers.state('ec2:us-east-1')).toBe('half_open');
    expect(breakers.notClosed()).toEqual({ 'ec2:us-east-1': 'half_open' });
    await expect(breakers.run('ec2:us-east-1', ok)).resolves.toBe('ok');
    expect(breakers.state('ec2:us-east-1')).toBe('closed');
    expect(breakers.notClosed()).toEqual({});
  });

  it('a failed trial opens the circuit again at once', async () => {
    let now = 0;
    const breakers = new CircuitBreakers({ failureThreshold: 1, openMs: 1000 }, () => now);
    await expect(breakers.run('rds:x', fail)).rejects.toThrow();
    now = 1500;
    await expect(breakers.run('rds:x', fail)).rejects.toThrow('down');
    expect(breakers.state('rds:x')).toBe('open');
    now = 2400;
    await expect(breakers.run('rds:x', ok)).rejects.toBeInstanceOf(CircuitOpenError);
  });

  it('half-open lets exactly one trial through at a time', async () => {
    let now = 0;
    const breakers = new CircuitBreakers({ failureThreshold: 1, openMs: 10 }, () => now);
    await expect(breakers.run('s3:x', fail)).rejects.toThrow();
    now = 10;
    let release!: () => void;
    const trial = breakers.run('s3:x', () => new Promise<string>((resolve) => (release = () => resolve('ok'))));
    await expect(breakers.run('s3:x', ok)).rejects.toBeInstanceOf(CircuitOpenError);
    release();
    await expect(trial).resolves.toBe('ok');
  });
});

describe('createLimiter', () => {
  it('never runs more than the limit at once, and runs everything', async () => {
    const limit = createLimiter(2);
    let running = 0;
    let peak = 0;
    const done: number[] = [];
    await Promise.all(
      Array.from({ length: 7 }, (_, i) =>
        limit(async () => {
          running++;
          peak = Math.max(peak, running);
          await new Promise((r) => setTimeout(r, 1 + (i % 3)));
          running--;
          done.push(i);
        }),
      ),
    );
    expect(peak).toBe(2);
    expect(done.sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });
});

import { describe, expect, it } from 'vitest';
import {
  baggageHeader,
  epochSecondsOf,
  isTraceId,
  isValidRunId,
  newRunId,
  newSpanId,
  newTraceId,
  toXRayTraceId,
  traceparent,
} from './trace-ids.ts';

describe('trace ids', () => {
  it('are 32 lowercase hex whose first 8 hex are the epoch seconds of now', () => {
    const before = Math.floor(Date.now() / 1000);
    const id = newTraceId();
    const after = Math.floor(Date.now() / 1000);
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(epochSecondsOf(id)).toBeGreaterThanOrEqual(before);
    expect(epochSecondsOf(id)).toBeLessThanOrEqual(after);
    expect(Math.abs(epochSecondsOf(id) - Date.now() / 1000)).toBeLessThan(60);
  });

  it('encode a given instant exactly', () => {
    const id = newTraceId(Date.UTC(2026, 10, 24, 3, 10, 45, 999), () => 0);
    expect(id.slice(0, 8)).toBe((Date.UTC(2026, 10, 24, 3, 10, 45) / 1000).toString(16));
    expect(id.slice(8)).toBe('0'.repeat(24));
  });

  it('differ from one call to the next', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => newTraceId()));
    expect(ids.size).toBe(1000);
  });

  it('turn into the X-Ray form 1-<8 hex>-<24 hex>', () => {
    const id = '6923cd1d' + 'a'.repeat(8) + 'b'.repeat(16);
    expect(toXRayTraceId(id)).toBe(`1-6923cd1d-${'a'.repeat(8)}${'b'.repeat(16)}`);
    expect(toXRayTraceId(newTraceId())).toMatch(/^1-[0-9a-f]{8}-[0-9a-f]{24}$/);
  });

  it('refuse to convert something that is not a trace id', () => {
    expect(() => toXRayTraceId('xyz')).toThrow(/not a W3C trace id/);
    expect(() => toXRayTraceId('0'.repeat(32))).toThrow();
    expect(isTraceId('A'.repeat(32))).toBe(false);
  });
});

describe('span ids and traceparent', () => {
  it('span ids are 16 hex and never all zeros', () => {
    expect(newSpanId()).toMatch(/^[0-9a-f]{16}$/);
    expect(newSpanId(() => 0)).toBe('0000000000000001');
  });

  it('traceparent is version 00, sampled', () => {
    const traceId = newTraceId();
    const spanId = newSpanId();
    const header = traceparent(traceId, spanId);
    expect(header).toBe(`00-${traceId}-${spanId}-01`);
    expect(header).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  });
});

describe('run ids and baggage', () => {
  it('generated run ids are valid, readable and distinct', () => {
    const id = newRunId(Date.UTC(2026, 10, 24, 3, 10, 45), () => 0.5);
    expect(id).toBe('run-20261124t031045-888888');
    expect(isValidRunId(newRunId())).toBe(true);
    expect(newRunId()).not.toBe(newRunId());
  });

  it('baggage carries run_id and rejects values that would break the header or a label', () => {
    expect(baggageHeader('e2e-42')).toBe('run_id=e2e-42');
    expect(() => baggageHeader('a,b=c')).toThrow(/run id/);
    expect(() => baggageHeader('')).toThrow();
    expect(isValidRunId('x'.repeat(65))).toBe(false);
  });
});

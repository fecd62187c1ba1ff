import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { BasicTracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import type { ConfigurableInstrumentation } from './adot-instrumentations';
import {
  applyAttributeLimits,
  boundAttributesInSpans,
  boundedCopy,
  DEFAULT_ATTRIBUTE_VALUE_LENGTH_LIMIT,
} from './attribute-limits';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** A stand-in for the HTTP instrumentation: it keeps a config, and the test calls its requestHook. */
function fakeHttpInstrumentation(): ConfigurableInstrumentation & { hook: (span: unknown) => void } {
  let config: Record<string, unknown> = {};
  return {
    instrumentationName: '@opentelemetry/instrumentation-http',
    getConfig: () => config,
    setConfig: (c) => (config = c),
    hook: (span) => (config.requestHook as (s: unknown, r: unknown) => void)(span, {}),
  };
}

describe('attribute limits', () => {
  it('defaults the general limit before the SDK reads it, and names a bad variable', () => {
    const env: Record<string, string | undefined> = {};
    expect(applyAttributeLimits(env)).toBe(DEFAULT_ATTRIBUTE_VALUE_LENGTH_LIMIT);
    expect(env.OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT).toBe(String(DEFAULT_ATTRIBUTE_VALUE_LENGTH_LIMIT));
    expect(applyAttributeLimits({ OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: '100' })).toBe(100);
    expect(
      applyAttributeLimits({ OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: '100', OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT: '50' }),
    ).toBe(50);
    expect(() => applyAttributeLimits({ OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: 'lots' })).toThrow(
      /^OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT must be/,
    );
    expect(() => applyAttributeLimits({ OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT: '0' })).toThrow(
      /^OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT must be/,
    );
  });

  it('a bounded copy keeps the first characters', () => {
    expect(boundedCopy('abcdef', 3)).toBe('abc');
    expect(boundedCopy('ab', 3)).toBe('ab');
  });

  it('queued server spans hold bounded values, not the request strings behind them (heap per span)', () => {
    const held: ReadableSpan[] = [];
    const limit = 512;
    const provider = new BasicTracerProvider({
      spanLimits: { attributeValueLengthLimit: limit },
      spanProcessors: [
        {
          onStart: () => undefined,
          onEnd: (span) => void held.push(span),
          forceFlush: async () => undefined,
          shutdown: async () => undefined,
        },
      ],
    });
    const tracer = provider.getTracer('t');
    const http = fakeHttpInstrumentation();
    expect(boundAttributesInSpans([http], limit)).toBe(true);
    const spans = 300;
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < spans; i++) {
      // Fresh flat strings, as Node's HTTP parser makes them for each request.
      const query = Buffer.from(`q=${i}${'a'.repeat(15_000)}`, 'latin1').toString('latin1');
      const span = tracer.startSpan('GET', { attributes: { 'url.query': query, 'url.path': '/items' } });
      http.hook(span);
      span.end();
    }
    gc();
    const perSpan = (process.memoryUsage().heapUsed - before) / spans;
    expect(held[0]!.attributes['url.query']).toHaveLength(limit);
    // Unbounded, or cut by the SDK alone (a slice that keeps its 15 KB parent), it is over 15 KB.
    expect(perSpan).toBeLessThan(5_000);
  });
});

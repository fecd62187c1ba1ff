import { context, trace, TraceFlags } from '@opentelemetry/api';
import { logs, SeverityNumber } from '@opentelemetry/api-logs';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import pino from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../logger';
import { LOG_BRIDGE_SCOPE } from '../../names/service';
import { bridgePinoToOtel, severityOfPinoLevel, UNSERIALIZABLE } from './log-bridge';

const exporter = new InMemoryLogRecordExporter();
logs.setGlobalLoggerProvider(new LoggerProvider({ processors: [new SimpleLogRecordProcessor(exporter)] }));
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());

const warnings: string[] = [];
const stop = bridgePinoToOtel(pino, (message) => void warnings.push(message));
afterAll(() => stop());
afterEach(() => {
  exporter.reset();
  warnings.length = 0;
});

/** The kit's logger writing into an array, as the service builds it. */
function kitLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger('debug', {
    write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>),
  });
  return { logger, lines };
}

const SPAN_CONTEXT = {
  traceId: '6b11297693a76ec31d0f81ea50f9a7bc',
  spanId: '89bcedba7be1757c',
  traceFlags: TraceFlags.SAMPLED,
};

describe('the pino log bridge', () => {
  it('sends one record per line with the message, the level and the fields', () => {
    const { logger, lines } = kitLogger();
    logger.warn({ http_route: '/items', duration_ms: 1.5, ok: false, nested: { a: [1, 2] } }, 'request completed');
    expect(lines).toHaveLength(1);
    const [record] = exporter.getFinishedLogRecords();
    expect(exporter.getFinishedLogRecords()).toHaveLength(1);
    expect(record!.instrumentationScope.name).toBe(LOG_BRIDGE_SCOPE);
    expect(record!.body).toBe('request completed');
    expect(record!.severityNumber).toBe(SeverityNumber.WARN);
    expect(record!.severityText).toBe('warn');
    expect(record!.attributes).toEqual({ http_route: '/items', duration_ms: 1.5, ok: false, nested: { a: [1, 2] } });
  });

  it('carries the active span as the record trace context; trace fields stay on the stdout line only', () => {
    const { logger, lines } = kitLogger();
    context.with(trace.setSpanContext(context.active(), SPAN_CONTEXT), () => logger.info('inside a request'));
    expect(lines[0]).toMatchObject({
      trace_id: SPAN_CONTEXT.traceId,
      span_id: SPAN_CONTEXT.spanId,
      trace_flags: '01',
      xray_trace_id: '1-6b112976-93a76ec31d0f81ea50f9a7bc',
    });
    const [record] = exporter.getFinishedLogRecords();
    expect(record!.spanContext).toMatchObject({ traceId: SPAN_CONTEXT.traceId, spanId: SPAN_CONTEXT.spanId });
    expect(record!.attributes).toEqual({ xray_trace_id: '1-6b112976-93a76ec31d0f81ea50f9a7bc' });
  });

  it('outside a request: no trace fields anywhere', () => {
    const { logger, lines } = kitLogger();
    logger.info({ port: 3000 }, 'listening');
    expect(lines[0]).not.toHaveProperty('trace_id');
    expect(exporter.getFinishedLogRecords()[0]!.spanContext).toBeUndefined();
  });

  it('turns err into the exception as pino serializes it: class name, causes, stack', () => {
    class StoreError extends Error {}
    const { logger } = kitLogger();
    logger.error({ err: new StoreError('write failed', { cause: new Error('disk full') }), item_id: 7 }, 'unhandled');
    const [record] = exporter.getFinishedLogRecords();
    expect(record!.body).toBe('unhandled');
    expect(record!.attributes['exception.type']).toBe('StoreError');
    expect(record!.attributes['exception.message']).toBe('write failed: disk full');
    const stack = record!.attributes['exception.stacktrace'] as string;
    expect(stack).toMatch(/^Error: write failed\n\s+at /);
    expect(stack).toMatch(/\ncaused by: Error: disk full\n/);
    expect(record!.attributes.item_id).toBe(7);
    expect(record!.attributes).not.toHaveProperty('err');
  });

  it('an Error as the only argument: its message is the body, as on the stdout line', () => {
    const { logger, lines } = kitLogger();
    const error = Object.assign(new Error('connection refused'), { code: 'ECONNREFUSED' });
    logger.error(error);
    const [record] = exporter.getFinishedLogRecords();
    expect(record!.body).toBe('connection refused');
    expect(lines[0]!.msg).toBe('connection refused');
    // The SDK names an exception by its code when it has one.
    expect(record!.attributes['exception.type']).toBe('ECONNREFUSED');
  });

  it('a value JSON cannot hold is written as text, and the log call goes on', () => {
    const { logger, lines } = kitLogger();
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    logger.info({ cyclic, skipped: undefined, fn: () => 1 }, 'odd fields');
    expect(lines).toHaveLength(1);
    const [record] = exporter.getFinishedLogRecords();
    expect(record!.attributes).toEqual({ cyclic: UNSERIALIZABLE });
  });

  it('a record that cannot be built is lost and said once; the log call and the stdout line go on', () => {
    const { logger, lines } = kitLogger();
    const failing = bridgePinoToOtel(
      {
        ...pino,
        stdSerializers: {
          err: () => {
            throw new Error('serializer broke');
          },
        },
      },
      (message) => void warnings.push(message),
    );
    try {
      logger.error({ err: new Error('first') }, 'first');
      logger.error({ err: new Error('second') }, 'second');
    } finally {
      failing();
    }
    expect(lines.map((l) => l.msg)).toEqual(['first', 'second']);
    expect(warnings).toEqual(['pino log bridge: a record could not be sent: Error: serializer broke']);
    // The process's own bridge still sent both.
    expect(exporter.getFinishedLogRecords().map((r) => r.body)).toEqual(['first', 'second']);
  });

  it('maps custom levels into the band of the level below', () => {
    expect(severityOfPinoLevel(30)).toBe(SeverityNumber.INFO);
    expect(severityOfPinoLevel(35)).toBe(SeverityNumber.INFO2);
    expect(severityOfPinoLevel(5)).toBe(SeverityNumber.TRACE2);
    expect(severityOfPinoLevel(99)).toBe(SeverityNumber.FATAL2);
  });

  it('stops when asked', () => {
    const { logger } = kitLogger();
    const other = bridgePinoToOtel(pino, () => undefined);
    other();
    logger.info('once');
    expect(exporter.getFinishedLogRecords()).toHaveLength(1);
  });
});

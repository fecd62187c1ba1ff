import { InMemoryLogRecordExporter, BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { applyLogBatchConfig, logBatchConfigFromEnv } from './log-batching';

describe('OTEL_BLRP_* from the environment', () => {
  it('reads the four standard variables', () => {
    expect(
      logBatchConfigFromEnv({
        OTEL_BLRP_SCHEDULE_DELAY: '1000',
        OTEL_BLRP_MAX_QUEUE_SIZE: '16384',
        OTEL_BLRP_MAX_EXPORT_BATCH_SIZE: '512',
        OTEL_BLRP_EXPORT_TIMEOUT: '10000',
      }),
    ).toEqual({
      scheduledDelayMillis: 1000,
      maxQueueSize: 16384,
      maxExportBatchSize: 512,
      exportTimeoutMillis: 10000,
    });
    expect(logBatchConfigFromEnv({})).toEqual({});
  });

  it('names the variable of a bad value', () => {
    expect(() => logBatchConfigFromEnv({ OTEL_BLRP_SCHEDULE_DELAY: 'soon' })).toThrow(
      /OTEL_BLRP_SCHEDULE_DELAY must be a positive integer/,
    );
    expect(() => logBatchConfigFromEnv({ OTEL_BLRP_MAX_QUEUE_SIZE: '0' })).toThrow(/OTEL_BLRP_MAX_QUEUE_SIZE/);
    expect(() =>
      logBatchConfigFromEnv({ OTEL_BLRP_MAX_QUEUE_SIZE: '10', OTEL_BLRP_MAX_EXPORT_BATCH_SIZE: '20' }),
    ).toThrow(/must not exceed OTEL_BLRP_MAX_QUEUE_SIZE/);
  });
});

describe('applied to the processors of a real sdk-logs LoggerProvider', () => {
  afterEach(() => vi.useRealTimers());

  it('a record leaves after the configured delay instead of the built-in 5 s', async () => {
    vi.useFakeTimers();
    const exporter = new InMemoryLogRecordExporter();
    // As ADOT builds it: no options.
    const provider = new LoggerProvider({ processors: [new BatchLogRecordProcessor(exporter)] });
    expect(applyLogBatchConfig(provider, { scheduledDelayMillis: 1000, maxQueueSize: 4 })).toBe(1);
    provider.getLogger('test').emit({ body: 'hello' });
    await vi.advanceTimersByTimeAsync(1_100);
    expect(exporter.getFinishedLogRecords().map((r) => r.body)).toEqual(['hello']);
  });

  it('export batches are at most the configured size', async () => {
    vi.useFakeTimers();
    const batches: number[] = [];
    const exporter = new InMemoryLogRecordExporter();
    const record = exporter.export.bind(exporter);
    exporter.export = (logs, done) => {
      batches.push(logs.length);
      record(logs, done);
    };
    const provider = new LoggerProvider({ processors: [new BatchLogRecordProcessor(exporter)] });
    applyLogBatchConfig(provider, { scheduledDelayMillis: 60_000, maxQueueSize: 10, maxExportBatchSize: 2 });
    for (let i = 0; i < 5; i++) provider.getLogger('test').emit({ body: `r${i}` });
    await provider.forceFlush();
    expect(batches.every((n) => n <= 2)).toBe(true);
    expect(exporter.getFinishedLogRecords()).toHaveLength(5);
  });

  it('reports 0 when it finds no batch processor (an SDK whose shape changed)', () => {
    expect(applyLogBatchConfig({}, { scheduledDelayMillis: 1 })).toBe(0);
    expect(applyLogBatchConfig(new LoggerProvider(), { scheduledDelayMillis: 1 })).toBe(0);
  });
});

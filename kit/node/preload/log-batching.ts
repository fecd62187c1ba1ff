/**
 * ADOT JS 0.13 builds its BatchLogRecordProcessor with no options, and @opentelemetry/sdk-logs
 * 0.219 reads no OTEL_BLRP_* variable itself, so log records leave every 5 s in batches from a
 * 2,048-record queue whatever the environment says (measured: about 5 s from request to export).
 * This applies the standard OTEL_BLRP_* variables to the processors ADOT created, before the
 * first record is emitted, so the documented knobs work: freshness for the workshop, and a queue
 * sized for bursts (service/otel.env sets them).
 */

export interface LogBatchConfig {
  scheduledDelayMillis?: number;
  maxQueueSize?: number;
  maxExportBatchSize?: number;
  exportTimeoutMillis?: number;
}

const VARIABLES: Record<keyof LogBatchConfig, string> = {
  scheduledDelayMillis: 'OTEL_BLRP_SCHEDULE_DELAY',
  maxQueueSize: 'OTEL_BLRP_MAX_QUEUE_SIZE',
  maxExportBatchSize: 'OTEL_BLRP_MAX_EXPORT_BATCH_SIZE',
  exportTimeoutMillis: 'OTEL_BLRP_EXPORT_TIMEOUT',
};

/** The OTEL_BLRP_* settings present in env; a value that is not a positive integer names its variable. */
export function logBatchConfigFromEnv(env: Record<string, string | undefined>): LogBatchConfig {
  const config: LogBatchConfig = {};
  for (const [key, variable] of Object.entries(VARIABLES) as [keyof LogBatchConfig, string][]) {
    const raw = env[variable]?.trim();
    if (!raw) continue;
    if (!/^\d+$/.test(raw) || Number(raw) <= 0)
      throw new Error(`${variable} must be a positive integer (milliseconds or a count), got ${JSON.stringify(raw)}`);
    config[key] = Number(raw);
  }
  if (
    config.maxExportBatchSize !== undefined &&
    config.maxQueueSize !== undefined &&
    config.maxExportBatchSize > config.maxQueueSize
  ) {
    throw new Error(
      `OTEL_BLRP_MAX_EXPORT_BATCH_SIZE (${config.maxExportBatchSize}) must not exceed OTEL_BLRP_MAX_QUEUE_SIZE (${config.maxQueueSize})`,
    );
  }
  return config;
}

/** The fields of sdk-logs' BatchLogRecordProcessorBase that its constructor fills from options. */
interface BatchLogProcessorFields {
  _scheduledDelayMillis: number;
  _maxQueueSize: number;
  _maxExportBatchSize: number;
  _exportTimeoutMillis: number;
}

function isBatchLogProcessor(candidate: unknown): candidate is BatchLogProcessorFields {
  const c = candidate as Partial<BatchLogProcessorFields> | null;
  return (
    typeof c?._scheduledDelayMillis === 'number' &&
    typeof c._maxQueueSize === 'number' &&
    typeof c._maxExportBatchSize === 'number'
  );
}

/**
 * Applies config to every batch processor of an SDK LoggerProvider (found through its shared
 * state, as sdk-logs 0.219 keeps it). Returns how many processors it changed: 0 means the SDK's
 * shape changed and the caller should say so rather than pretend.
 */
export function applyLogBatchConfig(loggerProvider: unknown, config: LogBatchConfig): number {
  const processors =
    (loggerProvider as { _sharedState?: { processors?: unknown[] } } | null)?._sharedState?.processors ?? [];
  let changed = 0;
  for (const processor of processors) {
    if (!isBatchLogProcessor(processor)) continue;
    if (config.scheduledDelayMillis !== undefined) processor._scheduledDelayMillis = config.scheduledDelayMillis;
    if (config.maxQueueSize !== undefined) processor._maxQueueSize = config.maxQueueSize;
    if (config.maxExportBatchSize !== undefined) processor._maxExportBatchSize = config.maxExportBatchSize;
    if (config.exportTimeoutMillis !== undefined) processor._exportTimeoutMillis = config.exportTimeoutMillis;
    processor._maxExportBatchSize = Math.min(processor._maxExportBatchSize, processor._maxQueueSize);
    changed++;
  }
  return changed;
}

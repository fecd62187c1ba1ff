/**
 * pino → the OpenTelemetry Logs API, from the log call's own object.
 *
 * pino publishes every record on its documented `pino_asJson` tracing channel (pino's
 * docs/diagnostics.md) with the merged object (the call's fields plus the logger's mixin), the
 * message and the level, just before it serializes them. The bridge subscribes there and emits one
 * OTel log record per line, in the caller's context, so the record carries the active span's
 * trace id and span id.
 *
 * This replaces the pino instrumentation's log sending. That path wraps the logger's stream in a
 * multistream and JSON-parses back every line pino has just written: about 8 µs of CPU a record
 * on top of pino's own write, where the bridge takes about 5 (docs/maintainers.md, "The log
 * bridge"). The record is the one the instrumentation made:
 * - body = the message
 * - attributes = the object's fields without the correlation fields
 * - severity from the pino level, with pino's label as its text
 * - `err` as the exception, serialized as pino serializes it
 *
 * With no subscriber pino skips the channel entirely, so a process without the preload pays nothing.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { logs, SeverityNumber, type AnyValue, type LogAttributes, type LogRecord } from '@opentelemetry/api-logs';
import { LOG_BRIDGE_SCOPE, LOG_FIELD_SPAN_ID, LOG_FIELD_TRACE_FLAGS, LOG_FIELD_TRACE_ID } from '../../names/service';

const PINO_AS_JSON_START = 'tracing:pino_asJson:start';

/** On the stdout line for grep and Loki's derived fields; in the OTel record they are its trace context. */
const CORRELATION_FIELDS: ReadonlySet<string> = new Set([LOG_FIELD_TRACE_ID, LOG_FIELD_SPAN_ID, LOG_FIELD_TRACE_FLAGS]);

const SEVERITY_OF_PINO_LEVEL: Record<number, SeverityNumber> = {
  10: SeverityNumber.TRACE,
  20: SeverityNumber.DEBUG,
  30: SeverityNumber.INFO,
  40: SeverityNumber.WARN,
  50: SeverityNumber.ERROR,
  60: SeverityNumber.FATAL,
};

/** pino's six levels map one to one; a custom level falls in the band of the level below it. */
export function severityOfPinoLevel(level: number): SeverityNumber {
  const exact = SEVERITY_OF_PINO_LEVEL[level];
  if (exact !== undefined) return exact;
  const below = Math.min(60, Math.max(10, Math.floor(level / 10) * 10));
  return SEVERITY_OF_PINO_LEVEL[below]! + 1;
}

/** What the subset of pino the bridge reads looks like. */
export type PinoLike = {
  symbols: { messageKeySym: symbol; errorKeySym: symbol };
  stdSerializers: { err(error: Error): Record<string, unknown> };
};
type PinoInstance = { levels: { labels: Record<number, string> }; [key: symbol]: unknown };

export const UNSERIALIZABLE = '[unserializable]';

/** A value as it appears in the JSON line: nested objects are plain data, functions and undefined are dropped. */
function asLogged(value: unknown): AnyValue | undefined {
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return value;
  if (typeof value !== 'object') return undefined;
  try {
    return JSON.parse(JSON.stringify(value)) as AnyValue;
  } catch {
    // A cycle or a BigInt: the stdout line has pino's safe rendering, the record says what happened.
    return UNSERIALIZABLE;
  }
}

/** The exception as the pino instrumentation gave it: pino's serialized `err`, with `name` set from its `type`. */
function asException(error: unknown, pino: PinoLike): LogRecord['exception'] {
  if (!(error instanceof Error)) return asLogged(error);
  const serialized = pino.stdSerializers.err(error);
  return { ...serialized, name: typeof serialized.type === 'string' ? serialized.type : error.name };
}

/** The OTel record for one pino line. */
function toLogRecord(instance: PinoInstance, [merged, message, level]: unknown[], pino: PinoLike): LogRecord {
  const messageKey = (instance[pino.symbols.messageKeySym] as string | undefined) ?? 'msg';
  const errorKey = (instance[pino.symbols.errorKeySym] as string | undefined) ?? 'err';
  const fields = (merged ?? {}) as Record<string, unknown>;
  const attributes: LogAttributes = {};
  for (const key in fields) {
    if (key === messageKey || key === errorKey || CORRELATION_FIELDS.has(key)) continue;
    const value = asLogged(fields[key]);
    if (value !== undefined) attributes[key] = value;
  }
  const lvl = level as number;
  const now = Date.now();
  const record: LogRecord = {
    timestamp: now,
    observedTimestamp: now,
    severityNumber: severityOfPinoLevel(lvl),
    severityText: instance.levels.labels[lvl],
    body: (message ?? fields[messageKey]) as AnyValue,
    attributes,
  };
  if (fields[errorKey] !== undefined) record.exception = asException(fields[errorKey], pino);
  return record;
}

/**
 * Starts bridging every pino logger of this process; returns the function that stops it.
 * `warn` hears of the first record that could not be sent. (Not the OTel diag logger: this module
 * loads before ADOT, and loading @opentelemetry/api that early would make its console logger keep
 * the console the preload wraps while ADOT starts.)
 */
export function bridgePinoToOtel(pino: PinoLike, warn: (message: string) => void): () => void {
  const otelLogger = logs.getLogger(LOG_BRIDGE_SCOPE);
  let failures = 0;
  const onRecord = (message: unknown) => {
    const { instance, arguments: args } = message as { instance: PinoInstance; arguments: unknown[] };
    // A subscriber's exception would be rethrown outside the log call and end the process: a
    // record that cannot be built is lost and said once, the stdout line is still written.
    try {
      otelLogger.emit(toLogRecord(instance, args, pino));
    } catch (error) {
      if (failures++ === 0) warn(`pino log bridge: a record could not be sent: ${String(error)}`);
    }
  };
  subscribe(PINO_AS_JSON_START, onRecord);
  return () => void unsubscribe(PINO_AS_JSON_START, onRecord);
}

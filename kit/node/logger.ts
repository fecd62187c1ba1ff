import pino, { type DestinationStream, type Logger } from 'pino';
import { currentRunId, currentTraceIds } from './trace-context';
import { LOG_FIELD_RUN_ID, LOG_FIELD_XRAY_TRACE_ID } from '../names/service';

export type { Logger };

/**
 * pino JSON to stdout. trace_id/span_id/trace_flags are added by the pino instrumentation
 * (preloaded by ADOT), which also forwards every record to the OTel Logs SDK; this mixin adds
 * the X-Ray spelling of the trace id and the load generator's run id, both only inside a request.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      // "msg" and a string level keep the stdout lines readable and match what Loki shows.
      formatters: { level: (label) => ({ level: label }) },
      timestamp: pino.stdTimeFunctions.isoTime,
      base: undefined,
      mixin() {
        const ids = currentTraceIds();
        if (!ids) return {};
        const runId = currentRunId();
        return runId === undefined
          ? { [LOG_FIELD_XRAY_TRACE_ID]: ids.xray_trace_id }
          : { [LOG_FIELD_XRAY_TRACE_ID]: ids.xray_trace_id, [LOG_FIELD_RUN_ID]: runId };
      },
    },
    destination,
  );
}

import pino, { type DestinationStream, type Logger } from 'pino';
import { currentRunId, currentTraceIds } from './trace-context';
import {
  LOG_FIELD_RUN_ID,
  LOG_FIELD_SPAN_ID,
  LOG_FIELD_TRACE_FLAGS,
  LOG_FIELD_TRACE_ID,
  LOG_FIELD_XRAY_TRACE_ID,
} from '../names/service';

export type { Logger };

/**
 * pino JSON to stdout. Inside a traced request the mixin adds the active span's trace_id, span_id
 * and trace_flags, the X-Ray spelling of the trace id and the load generator's run id. The
 * preload's log bridge (kit/node/preload/log-bridge.ts) sends each record to the OTel Logs SDK
 * too; without the preload (tests, `node dist/...`) it is plain pino.
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
        const fields: Record<string, string> = {
          [LOG_FIELD_TRACE_ID]: ids.trace_id,
          [LOG_FIELD_SPAN_ID]: ids.span_id,
          [LOG_FIELD_TRACE_FLAGS]: ids.trace_flags,
          [LOG_FIELD_XRAY_TRACE_ID]: ids.xray_trace_id,
        };
        const runId = currentRunId();
        if (runId !== undefined) fields[LOG_FIELD_RUN_ID] = runId;
        return fields;
      },
    },
    destination,
  );
}

import type { RequestHandler } from 'express';
import type { Logger } from '../../../kit/node/logger';
import type { RequestMetrics } from '../telemetry/metrics';
import {
  ATTR_LOADGEN_RUN_ID,
  LOG_FIELD_DURATION_MS,
  LOG_FIELD_HTTP_REQUEST_METHOD,
  LOG_FIELD_HTTP_RESPONSE_STATUS_CODE,
  LOG_FIELD_HTTP_ROUTE,
  LOG_MSG_REQUEST_COMPLETED,
  ROUTE_UNMATCHED,
} from '../../../kit/names/service';
import { currentRunId, serverSpan } from '../../../kit/node/trace-context';

/** The route template that matched (`/items/:id`), never the raw URL: bounded cardinality. */
export function matchedRoute(req: Parameters<RequestHandler>[0]): string {
  const path = (req.route as { path?: unknown } | undefined)?.path;
  return typeof path === 'string' ? `${req.baseUrl}${path}` : ROUTE_UNMATCHED;
}

/**
 * First middleware: copies the baggage run id onto the server span, and when the response is
 * finished counts the request and writes the one access record. The `finish` listener runs in
 * the server span's context (the HTTP instrumentation binds the response emitter to it), so the
 * access record carries that span's trace_id/span_id.
 */
export function requestTelemetry(logger: Logger, metrics: RequestMetrics): RequestHandler {
  // Named, so its span reads "middleware - requestTelemetry" rather than "<anonymous>".
  return function requestTelemetry(req, res, next) {
    const started = process.hrtime.bigint();
    const runId = currentRunId();
    if (runId !== undefined) serverSpan()?.setAttribute(ATTR_LOADGEN_RUN_ID, runId);
    res.once('finish', () => {
      const route = matchedRoute(req);
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      metrics.recordRequest(route, req.method, res.statusCode);
      // Failed answers are WARN here, never ERROR: the one ERROR record of a failure is the error
      // handler's, with the stack, so "ERROR lines" in Loki counts failures once, not twice.
      const level = res.statusCode >= 400 ? 'warn' : 'info';
      logger[level](
        {
          [LOG_FIELD_HTTP_ROUTE]: route,
          [LOG_FIELD_HTTP_REQUEST_METHOD]: req.method,
          [LOG_FIELD_HTTP_RESPONSE_STATUS_CODE]: res.statusCode,
          [LOG_FIELD_DURATION_MS]: Math.round(durationMs * 1000) / 1000,
        },
        LOG_MSG_REQUEST_COMPLETED,
      );
    });
    next();
  };
}

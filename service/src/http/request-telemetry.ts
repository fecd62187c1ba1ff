import { context, SpanKind, trace } from '@opentelemetry/api';
import type { RequestHandler } from 'express';
import type { Rejection } from '../../../kit/node/http/server';
import type { Logger } from '../../../kit/node/logger';
import type { RequestMetrics } from '../telemetry/metrics';
import { normaliseMethod } from '../telemetry/metrics';
import {
  ATTR_LOADGEN_RUN_ID,
  INSTRUMENTATION_SCOPE,
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
 * The status of a request whose connection closed before its answer was handed over in full
 * (nginx's "client closed request"): never sent by the service, only recorded, so an abandoned
 * request is counted, logged and traced alike instead of showing 200 on the span and nowhere else.
 */
export const STATUS_CLIENT_CLOSED_REQUEST = 499;

/**
 * First middleware: copies the baggage run id onto the server span, and when the response is
 * finished (or its connection closed first) counts the request and writes the one access record.
 * The listeners run in the server span's context (the HTTP instrumentation binds the response
 * emitter to it), so the access record carries that span's trace_id/span_id.
 */
export function requestTelemetry(logger: Logger, metrics: RequestMetrics): RequestHandler {
  // Named, so its span reads "middleware - requestTelemetry" rather than "<anonymous>".
  return function requestTelemetry(req, res, next) {
    const started = process.hrtime.bigint();
    const runId = currentRunId();
    if (runId !== undefined) serverSpan()?.setAttribute(ATTR_LOADGEN_RUN_ID, runId);
    // Prepended, so it runs before Node's own handling of the closed socket emits the response's
    // 'close', on which the HTTP instrumentation reads res.statusCode into the span and the
    // duration histogram: all of them then see 499.
    const socket = req.socket;
    const onSocketClose = () => {
      if (!res.writableFinished) res.statusCode = STATUS_CLIENT_CLOSED_REQUEST;
    };
    socket.prependOnceListener('close', onSocketClose);
    let recorded = false;
    const record = () => {
      if (recorded) return;
      recorded = true;
      // A keep-alive socket outlives this request: leave nothing of it behind.
      socket.off('close', onSocketClose);
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
    };
    res.once('finish', record);
    // 'close' without 'finish': the connection went away first (the status is 499 by then).
    res.once('close', record);
    next();
  };
}

/**
 * For createHttpServer's onRejected: a request the server answered itself, before the app (and
 * the HTTP instrumentation) saw it, gets what every other request gets: a server span, a
 * request_count sample and an access record with the same status, under route "unmatched".
 */
export function recordRejection(logger: Logger, metrics: RequestMetrics): (rejection: Rejection) => void {
  const tracer = trace.getTracer(INSTRUMENTATION_SCOPE);
  return ({ status, code, method }) => {
    const httpMethod = method === undefined ? '_OTHER' : normaliseMethod(method);
    const span = tracer.startSpan(method === undefined ? 'HTTP' : httpMethod, {
      kind: SpanKind.SERVER,
      attributes: {
        'http.request.method': httpMethod,
        'http.response.status_code': status,
        'error.type': code,
      },
    });
    metrics.recordRequest(ROUTE_UNMATCHED, httpMethod, status);
    context.with(trace.setSpan(context.active(), span), () =>
      logger.warn(
        {
          [LOG_FIELD_HTTP_ROUTE]: ROUTE_UNMATCHED,
          [LOG_FIELD_HTTP_REQUEST_METHOD]: httpMethod,
          [LOG_FIELD_HTTP_RESPONSE_STATUS_CODE]: status,
          [LOG_FIELD_DURATION_MS]: 0,
          error_code: code,
        },
        LOG_MSG_REQUEST_COMPLETED,
      ),
    );
    span.end();
  };
}

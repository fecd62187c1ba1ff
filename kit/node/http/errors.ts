import { SpanStatusCode } from '@opentelemetry/api';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from '../logger';
import { currentTraceIds, serverSpan } from '../trace-context';

export type ErrorDetail = { field: string; message: string };

/** An error whose status and message are meant for the caller. */
export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details?: ErrorDetail[];
  readonly headers?: Record<string, string>;

  constructor(
    status: number,
    code: string,
    message: string,
    details?: ErrorDetail[],
    headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.code = code;
    this.details = details;
    this.headers = headers;
  }
}

/**
 * Stable JSON shape of every error response:
 *   { "error": { "status", "code", "message", "details"? }, "trace_id"?, "xray_trace_id"? }
 * trace ids are present whenever the request is traced, so a caller can paste them into
 * Jaeger or X-Ray.
 */
export type ErrorBody = {
  error: { status: number; code: string; message: string; details?: ErrorDetail[] };
  trace_id?: string;
  xray_trace_id?: string;
};

export function errorBody(status: number, code: string, message: string, details?: ErrorDetail[]): ErrorBody {
  const ids = currentTraceIds();
  return {
    error: { status, code, message, ...(details ? { details } : {}) },
    ...(ids ? { trace_id: ids.trace_id, xray_trace_id: ids.xray_trace_id } : {}),
  };
}

// body-parser (express.json) and the router raise errors carrying `status` and `type`.
const BODY_PARSER_CODES: Record<string, [number, string, string]> = {
  'entity.parse.failed': [400, 'malformed_json', 'request body is not valid JSON'],
  'entity.too.large': [413, 'payload_too_large', 'request body is larger than the 16 KiB limit'],
  'encoding.unsupported': [415, 'unsupported_encoding', 'request body encoding is not supported'],
  'charset.unsupported': [415, 'unsupported_charset', 'request body charset is not supported'],
  'request.aborted': [400, 'request_aborted', 'request was aborted by the client'],
};

function classify(error: unknown): HttpError | undefined {
  if (error instanceof HttpError) return error;
  if (typeof error !== 'object' || error === null) return undefined;
  const { type, status } = error as { type?: unknown; status?: unknown };
  if (typeof type === 'string' && BODY_PARSER_CODES[type]) {
    const [code, name, message] = BODY_PARSER_CODES[type];
    return new HttpError(code, name, message);
  }
  // e.g. the router's URIError for a path segment that does not percent-decode.
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new HttpError(
      status,
      'bad_request',
      error instanceof URIError ? 'request path is not valid percent-encoding' : 'bad request',
    );
  }
  return undefined;
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, _req, res, next) => {
    if (res.headersSent) {
      // Already answered in full (e.g. the server's clientError answer to a bad chunk, after
      // which the body parser reports the aborted body): nothing left to tell the caller.
      if (res.writableEnded) return;
      next(error);
      return;
    }
    const known = classify(error);
    if (known) {
      for (const [name, value] of Object.entries(known.headers ?? {})) res.setHeader(name, value);
      res.status(known.status).json(errorBody(known.status, known.code, known.message, known.details));
      return;
    }
    const err = error instanceof Error ? error : new Error(String(error));
    // The server span (not the express layer span) carries the exception, so the trace list
    // in Jaeger/X-Ray shows the failing request itself as the error.
    const span = serverSpan();
    span?.recordException(err);
    span?.setStatus({ code: SpanStatusCode.ERROR, message: err.message });
    logger.error({ err }, 'unhandled error');
    res.status(500).json(errorBody(500, 'internal_error', err.message));
  };
}

export const notFound: RequestHandler = (req, _res, next) => {
  next(new HttpError(404, 'not_found', `no route for ${req.method} ${req.path}`));
};

/** For `route.all(...)` after the supported methods: a 405 with an Allow header. */
export function methodNotAllowed(allowed: string[]): RequestHandler {
  const allow = allowed.join(', ');
  return (req, _res, next) => {
    next(
      new HttpError(405, 'method_not_allowed', `${req.method} is not allowed here; allowed: ${allow}`, undefined, {
        Allow: allow,
      }),
    );
  };
}

import { context, createContextKey, propagation, trace, type Span } from '@opentelemetry/api';
import { BAGGAGE_RUN_ID } from '../names/service';
import { toXRayTraceId } from '../trace-ids';

const INVALID_TRACE_ID = '00000000000000000000000000000000';

/** trace_flags as the W3C header spells it: two hex digits ("01" = sampled). */
export type TraceIds = { trace_id: string; span_id: string; trace_flags: string; xray_trace_id: string };

/** Ids of the active span, or undefined outside a traced request (or with no SDK loaded). */
export function currentTraceIds(): TraceIds | undefined {
  const spanContext = trace.getActiveSpan()?.spanContext();
  if (!spanContext || spanContext.traceId === INVALID_TRACE_ID) return undefined;
  return {
    trace_id: spanContext.traceId,
    span_id: spanContext.spanId,
    trace_flags: spanContext.traceFlags.toString(16).padStart(2, '0'),
    xray_trace_id: toXRayTraceId(spanContext.traceId),
  };
}

// The HTTP instrumentation stores the SERVER span in the context under this key (core's
// RPC_METADATA; createContextKey is Symbol.for(description), so the API alone can read it).
// Inside an Express handler the active span is the express layer span, not the server span,
// and attributes such as loadgen.run_id or the /crash exception belong on the server span.
const RPC_METADATA_KEY = createContextKey('OpenTelemetry SDK Context Key RPC_METADATA');

/** The server span of the current request; falls back to the active span when none is found. */
export function serverSpan(): Span | undefined {
  const metadata = context.active().getValue(RPC_METADATA_KEY) as { span?: Span } | undefined;
  return metadata?.span ?? trace.getActiveSpan();
}

/** `run_id` from the incoming W3C baggage (set by the load generator), if any. */
export function currentRunId(): string | undefined {
  const value = propagation.getBaggage(context.active())?.getEntry(BAGGAGE_RUN_ID)?.value;
  // Bounded: a run id is a short token, never a place to smuggle a payload into every log line.
  return value && value.length <= 128 ? value : undefined;
}

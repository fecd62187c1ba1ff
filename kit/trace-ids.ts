/**
 * The one owner of the kit's trace id formats: W3C trace and span ids, `traceparent`, the X-Ray
 * form, run ids and their baggage. The load generator builds its own trace context with it (so
 * every trace starts at k6), the service logs the X-Ray form, the tools and tests check them.
 *
 * Pure: no k6 and no Node imports, so k6, vitest, Node and the compiled service all load it. The
 * random source is injectable for tests.
 *
 * Why X-Ray-compatible ids: AWS X-Ray rejects W3C trace ids whose first 8 hex digits are not a
 * recent epoch-seconds timestamp. Building them that way here means the same id works in Jaeger
 * (32 hex) and in X-Ray (`1-<8 hex>-<24 hex>`), so a /crash trace id printed at the end of a run
 * can be pasted into either.
 */

/** Returns a float in [0, 1), like Math.random. */
export type RandomSource = () => number;

const HEX = '0123456789abcdef';

export function randomHex(length: number, random: RandomSource = Math.random): string {
  let out = '';
  for (let i = 0; i < length; i++) out += HEX[Math.floor(random() * 16) & 15];
  return out;
}

/** 32 lowercase hex: 8 hex of epoch seconds followed by 24 random hex. */
export function newTraceId(nowMs: number = Date.now(), random: RandomSource = Math.random): string {
  const seconds = Math.floor(nowMs / 1000);
  const epochHex = (seconds >>> 0).toString(16).padStart(8, '0');
  return epochHex + randomHex(24, random);
}

/** 16 lowercase hex, never all zeros (an all-zero span id is invalid in W3C trace context). */
export function newSpanId(random: RandomSource = Math.random): string {
  const id = randomHex(16, random);
  return /^0+$/.test(id) ? '0000000000000001' : id;
}

export function isTraceId(value: string): boolean {
  return /^[0-9a-f]{32}$/.test(value) && !/^0+$/.test(value);
}

/** W3C traceparent, version 00, sampled flag set so the service records every request. */
export function traceparent(traceId: string, spanId: string): string {
  return `00-${traceId}-${spanId}-01`;
}

/** The X-Ray form of a W3C trace id: `1-` + first 8 hex + `-` + remaining 24 hex. */
export function toXRayTraceId(traceId: string): string {
  if (!isTraceId(traceId)) throw new Error(`not a W3C trace id: ${JSON.stringify(traceId)}`);
  return `1-${traceId.slice(0, 8)}-${traceId.slice(8)}`;
}

/** Seconds since the epoch encoded in the first 8 hex digits. */
export function epochSecondsOf(traceId: string): number {
  return parseInt(traceId.slice(0, 8), 16);
}

/** Run ids become a k6 tag (a metric label) and a baggage value: keep them short and plain. */
const RUN_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

export function isValidRunId(value: string): boolean {
  return RUN_ID_PATTERN.test(value);
}

/** e.g. `run-20261124t031045-3f9a1c`: sortable by start time, unique enough for a workshop room. */
export function newRunId(nowMs: number = Date.now(), random: RandomSource = Math.random): string {
  const stamp = new Date(nowMs).toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').toLowerCase();
  return `run-${stamp}-${randomHex(6, random)}`;
}

/** W3C baggage header carrying the run id; the service copies it onto spans and log records. */
export function baggageHeader(runId: string): string {
  if (!isValidRunId(runId)) throw new Error(`run id must match ${RUN_ID_PATTERN}: ${JSON.stringify(runId)}`);
  return `run_id=${runId}`;
}
